// Owns watching processes startd adopted but is not the parent of (the jobs of a predecessor
// that died without stopping them): waitid never reports their end to us, so each is watched
// through a pidfd, which becomes readable when the process ends. Where a pidfd cannot be had
// (a kernel before 5.3, no descriptor left) the process is looked for once a second instead:
// by its pid and the start time /proc gave when the watch began, so that a pid reused by
// another process, or a zombie its new parent has not reaped, counts as the process's end.
// Not here: what the end means for the job (core::Engine, with an exit of unknown status).
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <sys/types.h>
#include <unordered_map>

#include "base/unique_fd.h"
#include "core/job_runtime.h"
#include "loop/event_loop.h"
#include "loop/timer.h"
#include "proc/process_tree.h"
#include "sys/sys.h"

namespace daemon_main {

class AdoptedProcesses {
  public:
    using Ended = std::function<void(pid_t)>;
    using Log = std::function<void(core::LogLevel, std::string_view)>;
    // How often processes without a pidfd are looked for.
    static constexpr sys::Duration poll_interval = std::chrono::seconds(1);

    AdoptedProcesses(sys::Sys& sys, loop::EventLoop& loop, Ended ended, Log log);
    ~AdoptedProcesses();
    AdoptedProcesses(const AdoptedProcesses&) = delete;
    AdoptedProcesses& operator=(const AdoptedProcesses&) = delete;

    // Calls `ended(pid)` once, from the loop, when `pid` has ended (at once, posted, when it
    // has ended already).
    void watch(pid_t pid);
    bool watching(pid_t pid) const { return m_pidfds.count(pid) != 0 || m_polled.count(pid) != 0; }
    std::size_t size() const { return m_pidfds.size() + m_polled.size(); }

  private:
    struct PidWatch {
        base::UniqueFd fd;
        loop::WatchId id = 0;
    };
    void end(pid_t pid);
    void poll();
    // Whether a polled process has ended: no such pid, a zombie, or another process (its start
    // time, when /proc gave one at watch(), differs).
    bool gone(pid_t pid, unsigned long long start_time);

    sys::Sys& m_sys;
    loop::EventLoop& m_loop;
    Ended m_ended;
    Log m_log;
    std::unordered_map<pid_t, PidWatch> m_pidfds;
    proc::ProcessTree m_proc;
    // Polled processes, with their start times in ticks after boot (0: /proc did not say).
    std::unordered_map<pid_t, unsigned long long> m_polled;
    loop::Timer m_poll_timer;
};

} // namespace daemon_main
