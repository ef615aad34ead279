// Owns restart-and-adopt: from what a predecessor's state journal recorded, which job
// processes still run (each recorded pid checked in /proc: alive, not a zombie, and started
// before the record was written, so not a reused pid), and making each recorded instance an
// instance of this engine again with them (Engine::adopt). Processes that ended meanwhile end
// as exits of unknown status; instances that cannot be adopted (their job file is gone) are
// reported with their pids, which are left running.
// Not here: the journal file (daemon/state_journal), watching adopted processes (Supervisor).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "core/engine.h"
#include "daemon/state_journal.h"
#include "proc/process_tree.h"

namespace daemon_main {

struct Recovered {
    std::size_t adopted = 0;        // instances adopted
    std::size_t processes = 0;      // their processes that still ran
    std::size_t ended = 0;          // recorded processes found ended (handled as exits)
    // Adopted processes still registered that are not `self`'s children: nothing but a pidfd
    // tells of their end. (After a re-exec the jobs are still startd's children, whose ends
    // waitid reports with their statuses.)
    std::vector<pid_t> watch;
    std::vector<std::string> refused; // "web: Unknown job: web (…); its processes 123, 456 left running"
};

// Whether the recorded `pid` is still the process that was recorded at `written_ns` (boot
// clock): it exists, is not a zombie, and started no later than that.
bool still_runs(proc::ProcessTree& tree, pid_t pid, std::int64_t written_ns);

// `startd --verify-state FILE`: reads FILE as a successor would (what a re-exec asks of the new
// program before it execs it); 0 and a line on `out` when it can, 1 and why on `err`.
int run_verify_state(sys::Sys& sys, const std::string& path, std::FILE* out, std::FILE* err);

// Adopts every instance of `journal` into `engine`; `self` is this startd's pid. Each recorded
// pid's /proc/PID/stat is read once.
Recovered recover(core::Engine& engine, proc::ProcessTree& tree, const PreviousJournal& journal, pid_t self);

} // namespace daemon_main
