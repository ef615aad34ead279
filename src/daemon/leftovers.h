// Owns Leftovers: the last step of an orderly shutdown. Once every job has stopped, the
// processes still below startd — orphans it adopted as a subreaper (daemons that double-forked,
// children that left their job's process group with setsid and outlived its main process) —
// get SIGTERM, then SIGKILL after a timeout, and startd exits when none is left.
// Not here: stopping jobs (core/), reaping (the supervisor reaps orphans and calls sweep()).
//
// Why a sweep at the end rather than a reading of the process tree at every kill: as a
// subreaper startd gets every process a job leaves behind, so a shutdown can send its thousand
// group signals at once, without first reading /proc for descendants outside the groups (a
// scan of every process on the machine, milliseconds before the first signal).
#pragma once

#include "core/job_runtime.h"
#include "loop/event_loop.h"
#include "loop/timer.h"
#include "proc/process_tree.h"
#include "sys/sys.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>
#include <unordered_set>

namespace daemon_main {

class Leftovers {
  public:
    using Log = std::function<void(core::LogLevel, std::string_view)>;
    // `gave_up` is called when processes outlived SIGKILL by `kill_after`: sweep() returns false
    // from then on.
    Leftovers(sys::Sys& sys, loop::EventLoop& loop, proc::ProcessTree& tree, Log log,
              std::function<void()> gave_up, std::chrono::milliseconds kill_after = std::chrono::seconds(5));

    // Signals what is still below startd: SIGTERM the first time a process is seen, SIGKILL to
    // all once `kill_after` has passed since the first sweep that found any. Returns whether
    // anything is left to wait for; call again after each reap.
    bool sweep();

  private:
    void on_timeout();

    sys::Sys& m_sys;
    proc::ProcessTree& m_tree;
    Log m_log;
    std::function<void()> m_gave_up;
    std::chrono::milliseconds m_kill_after;
    loop::Timer m_timer;
    std::unordered_set<pid_t> m_signalled; // sent this phase's signal (TERM, then KILL) already
    enum class Phase { Idle, Terming, Killed, GaveUp } m_phase = Phase::Idle;
};

} // namespace daemon_main
