// Owns Readiness: the daemon's watches on main processes with an `expect` stanza until they are
// ready — the ptrace fork trace (expect fork/daemon), the SIGSTOP wait (expect stop), the
// NOTIFY_SOCKET datagrams (expect notify) — each bounded by the readiness timeout, and the
// clean-up of everything a failed start left behind.
// Not here: the trace protocol itself (proc/fork_tracker), reaping (the Supervisor feeds every
// waitid report in), what the job does next (core::Engine's on_main_* inputs).
#pragma once

#include "core/engine.h"
#include "loop/event_loop.h"
#include "loop/timer.h"
#include "proc/fork_tracker.h"
#include "sys/sys.h"

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <unordered_map>

namespace daemon_main {

class Readiness {
  public:
    using Log = std::function<void(core::LogLevel, std::string_view)>;

    // `timeout` bounds every wait: a process not ready by then fails the start and is killed.
    Readiness(sys::Sys& sys, loop::EventLoop& loop, core::Engine& engine, Log log, sys::Duration timeout);
    ~Readiness();
    Readiness(const Readiness&) = delete;
    Readiness& operator=(const Readiness&) = delete;

    // expect notify: before the main process is spawned, a datagram socket for it (abstract,
    // "@startd-notify/PID/N"), receiving senders' credentials. Returns "NOTIFY_SOCKET=@…" for the
    // process's environment. The socket stays open while the main process lives, so STATUS=
    // updates after READY=1 still reach status.
    base::Result<std::string> prepare_notify(const core::Job& job);

    // Starts watching `pid`, the just-spawned main process of `job`, as its expect stanza says.
    void watch(const core::Job& job, pid_t pid);
    // Kills what the watch of `job` follows and forgets it (the job is being stopped, or is gone).
    void abort(const core::Job& job);

    // Told, when a fork trace (expect fork/daemon) ends ready, every process it went through
    // and the main process it found (for containment: a daemon's master may outlive the pid
    // the job tracks).
    using TracedFn = std::function<void(const core::Job* job, std::span<const pid_t> pids, pid_t main)>;
    void on_traced(TracedFn fn) { m_on_traced = std::move(fn); }

    // One report from waitid. Stops (ptrace or SIGSTOP) are consumed here: returns true. For an
    // exit it returns false, after telling the engine why the start failed if the process was
    // still awaited; the caller then hands the exit to the engine as usual.
    bool on_child_status(const sys::ChildStatus& status);

    std::size_t active() const { return m_watches.size(); }
    sys::Duration timeout() const { return m_timeout; }

  private:
    // A NOTIFY_SOCKET of a job (readiness_notify.cpp).
    struct NotifyChannel {
        base::UniqueFd fd;
        loop::WatchId watch = 0;
        pid_t main = 0;   // whose messages count (and its descendants')
        pid_t group = 0;  // the process group the main process was spawned to lead
        std::string name; // the job's display name, for messages
    };

    struct Watch {
        const core::Job* job = nullptr; // identity only: never dereferenced after the job is gone
        std::string name;               // the job's display name, for messages
        core::ExpectType expect = core::ExpectType::None;
        pid_t main = 0;    // the process awaited now (followed through forks)
        pid_t spawned = 0; // the process we spawned
        sys::TimePoint since{};
        std::unique_ptr<proc::ForkTracker> tracker; // expect fork/daemon
        std::unique_ptr<loop::Timer> timer;
    };

    Watch* find_by_pid(pid_t pid);
    // readiness_notify.cpp
    void on_notify_readable(const core::Job* job);
    void handle_notify(const core::Job* job, NotifyChannel& ch, pid_t sender, std::string_view text);
    bool belongs_to(pid_t pid, pid_t main, pid_t group);
    void close_channel(const core::Job* job);
    void close_channel_of(pid_t main);
    // Feeds a stop or exit to a fork trace; returns whether the trace took it.
    bool feed_tracker(Watch& w, const sys::ChildStatus& status);
    void ready(Watch& w, pid_t pid);
    void not_ready(Watch& w, std::string reason);
    void timed_out(const core::Job* job);
    void kill_all(const Watch& w);
    std::string seconds(sys::Duration d) const;

    sys::Sys& m_sys;
    loop::EventLoop& m_loop;
    core::Engine& m_engine;
    Log m_log;
    sys::Duration m_timeout;
    std::unordered_map<const core::Job*, Watch> m_watches;
    // Traced stops nobody claimed yet: a forked child can stop before its parent's fork event.
    std::unordered_map<pid_t, sys::ChildStatus> m_early_stops;
    std::unordered_map<const core::Job*, NotifyChannel> m_channels;
    unsigned m_notify_serial = 0;
    TracedFn m_on_traced;
};

} // namespace daemon_main
