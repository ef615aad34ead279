// Owns ForkTracker: following a job's main process through its forks with ptrace, for
// `expect fork` (one fork) and `expect daemon` (two), until the daemon's real pid is known.
// Not here: waiting for children (the supervisor's reaper feeds every report in), timeouts and
// killing on failure (daemon/readiness), or what the job does next (core/).
//
// The trace, as Upstart did it (docs/design.md, "Readiness"):
//  1. The main process was spawned with PTRACE_TRACEME; it stops with SIGTRAP after exec. We set
//     PTRACE_O_TRACEFORK | PTRACE_O_TRACEEXEC (not TRACECLONE: threads are not followed).
//  2. At a fork event we learn the child's pid, detach the parent at once, and follow the child,
//     which the kernel attached to us and which first stops with SIGSTOP (its stop may be
//     reported before or after the parent's fork event: the caller replays early ones).
//  3. After the last expected fork, the child's first stop is suppressed and it is detached:
//     that pid is the job's main process. An exec after at least one fork also ends the trace.
//  4. Any other signal stop is passed on to the tracee unchanged.
// A process that ends before forking enough fails the trace with a message saying what it did.
#pragma once

#include "sys/sys.h"

#include <string>
#include <sys/types.h>
#include <vector>

namespace proc {

// What one waitid report meant for the trace.
enum class TraceStep : unsigned char {
    NotMine, // the report is about a process this tracker does not follow
    Pending, // handled; still waiting for forks
    Ready,   // the final pid is known (main()) and nothing is traced any more
    Failed,  // the process did not do what the expect stanza said (failure())
};

class ForkTracker {
  public:
    // `forks` is 1 (expect fork) or 2 (expect daemon); `expect` names the stanza in messages.
    ForkTracker(sys::Sys& sys, std::string expect, unsigned forks, pid_t pid);

    // Offers one report from waitid (an exit, or a ptrace stop: CLD_TRAPPED/CLD_STOPPED).
    TraceStep on_status(const sys::ChildStatus& status);

    // The process the job should consider its main process now: the spawned one, then each
    // child it follows. Once Ready, the daemon's real pid.
    pid_t main() const { return m_main; }
    // A forked child whose first stop has not been seen yet (0: none). Its stop may already
    // have been reported before the fork event; the caller then offers it again.
    pid_t awaited_child() const { return m_new_child; }
    // Every pid this trace has seen (for killing them all on failure or timeout).
    const std::vector<pid_t>& pids() const { return m_pids; }
    bool done() const { return m_done; }
    // Why the trace failed ("expect fork: process 123 exited with status 0 without forking").
    const std::string& failure() const { return m_failure; }
    // What the process did so far, for a timeout message: "process 123 did not fork",
    // "process 123 forked once (pid 456) and then pid 456 did not fork again".
    std::string progress() const;

  private:
    TraceStep on_main_stop(int signal, int event);
    TraceStep on_child_stop();
    TraceStep fail(std::string what);
    TraceStep finish(pid_t pid);

    sys::Sys& m_sys;
    std::string m_expect;
    unsigned m_needed;
    unsigned m_forks = 0;
    pid_t m_origin;
    pid_t m_main;
    pid_t m_new_child = 0;
    bool m_options_set = false;
    bool m_done = false;
    std::string m_failure;
    std::vector<pid_t> m_pids;
};

} // namespace proc
