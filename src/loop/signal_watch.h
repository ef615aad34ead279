// Owns SignalWatch: signals delivered as loop events through a signalfd, never as handlers.
// Not here: what a signal means to the daemon (shutdown, reload, re-exec).
//
// Creating one blocks its signals (so the kernel queues them instead of running a disposition)
// and reads them from a non-blocking signalfd watched by the loop; each one reaches the callback
// with its full siginfo (sender pid, code, child status for SIGCHLD). Standard signals do not
// queue: two SIGTERMs before the loop runs arrive as one. The callback may destroy its own
// SignalWatch (as a shutdown handler would).
//
// Destroying it closes the signalfd and unblocks exactly the signals it blocked (those that were
// blocked before stay blocked). A signal still pending then takes its normal disposition.
// Children created with SpawnPlan::reset_signals start with an empty mask, so blocking here
// never leaks into jobs.
//
// Signals are blocked for the calling thread: create watches before starting any thread, so
// every thread inherits the mask (startd is single-threaded; this is for tests and tools).
//
// Read errors: a signal that cannot be read now stays queued in the kernel (the signalfd only
// reads the process's queue), so none is lost by trying later. EAGAIN and EINTR are retried on
// the next turn silently, ENOMEM too (said once per run of failures). Any other error means this
// signalfd is unusable: it is closed, and a new one is opened and watched after
// signalfd_retry_delay (and again after each failed attempt), so the loop never spins on it and
// SIGCHLD and SIGTERM are read again.
#pragma once

#include <sys/signalfd.h>

#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>

#include "loop/event_loop.h"

namespace loop {

class Timer;

// How long a SignalWatch whose signalfd failed waits before opening a new one.
inline constexpr sys::Duration signalfd_retry_delay = std::chrono::milliseconds(100);

class SignalWatch {
public:
    using Callback = std::function<void(const signalfd_siginfo& info)>;

    // Fails if the mask cannot be changed, the signalfd cannot be created or watched; nothing
    // stays blocked then.
    static Result<std::unique_ptr<SignalWatch>> create(EventLoop& loop, std::initializer_list<int> signals,
                                                       Callback callback);
    ~SignalWatch();
    SignalWatch(const SignalWatch&) = delete;
    SignalWatch& operator=(const SignalWatch&) = delete;

    const sigset_t& signals() const { return m_signals; }

private:
    SignalWatch(EventLoop& loop, sigset_t signals, sigset_t newly_blocked, Callback callback);
    // Opens a signalfd for m_signals and watches it.
    Result<void> open();
    Next on_readable();
    // Closes the failed signalfd and tries a new one after signalfd_retry_delay.
    void reopen_later(const std::string& why);
    void reopen();

    EventLoop& m_loop;
    sigset_t m_signals;
    sigset_t m_newly_blocked; // the ones to unblock again on destruction
    Callback m_callback;
    base::UniqueFd m_fd;
    WatchId m_watch = 0;
    bool m_failing = false;         // the last read failed with ENOMEM (reported once)
    std::unique_ptr<Timer> m_retry; // reopen(), once a signalfd failed for good
};

} // namespace loop
