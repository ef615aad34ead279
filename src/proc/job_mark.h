// Owns the mark startd puts in the environment of every process it spawns for a job instance,
// STARTD_JOB_ID=<startd's pid>-<serial>, and reading it back from a process's environment
// (/proc/PID/environ text): a process that left the job's process group and outlived its
// parents still carries it, so startd, which adopts such processes as a subreaper, can tell
// which job it belongs to. Exact: only a whole entry of this startd's own form matches.
// Not here: which processes are looked at, and when (daemon/containment).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace proc {

inline constexpr std::string_view job_mark_variable = "STARTD_JOB_ID";

// "STARTD_JOB_ID=<startd>-<serial>", for the environment of a process of the job whose
// instance got `serial` (never 0) from startd `startd`.
std::string job_mark(pid_t startd, std::uint64_t serial);

// The serial in the STARTD_JOB_ID entry of `environ` (NUL-separated VAR=VALUE entries, as
// /proc/PID/environ gives them) when the entry is one `startd` made; 0 when there is none, it
// is another startd's, or it is anything but "<startd>-<digits>".
std::uint64_t find_job_mark(std::string_view environ, pid_t startd);

} // namespace proc
