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
#pragma once

#include <sys/signalfd.h>

#include <functional>
#include <initializer_list>
#include <memory>

#include "loop/event_loop.h"

namespace loop {

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
    Next on_readable();

    EventLoop& m_loop;
    sigset_t m_signals;
    sigset_t m_newly_blocked; // the ones to unblock again on destruction
    Callback m_callback;
    base::UniqueFd m_fd;
    WatchId m_watch = 0;
};

} // namespace loop
