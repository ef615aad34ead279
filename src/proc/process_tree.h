// Owns reading the process tree from /proc (through Sys): a process's live descendants, so that
// stopping a job reaches every process it started — even a daemon that left the job's process
// group with setsid (Postfix's master) — where no cgroup holds the job.
// Not here: sending the signals (the supervisor), cgroups (proc/cgroup).
#pragma once

#include "sys/sys.h"

#include <optional>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace proc {

// What one /proc/PID/stat line says that matters here.
struct StatLine {
    pid_t pid = 0;
    char state = '?'; // R, S, D, Z, T, …
    pid_t ppid = 0;
};

// Parses "/proc/PID/stat" text. The command name may contain spaces and parentheses: it runs
// from the first '(' to the last ')'. nullopt on malformed text.
std::optional<StatLine> parse_stat(std::string_view text);

// Every live (non-zombie) descendant of `root`, parents before their children. Processes that
// vanish while /proc is read are skipped. Fails only when /proc itself cannot be read.
base::Result<std::vector<pid_t>> descendants(sys::Sys& sys, pid_t root, const char* proc_dir = "/proc");

} // namespace proc
