// Owns the epoll event loop: fd watches, one turn of dispatch, run/quit, posted work, the loop's
// clock. Not here: timers (timer.h) and signals (signal_watch.h), which are built on these
// watches; children (the daemon reaps them on SIGCHLD); and any business logic.
//
// Design:
// - One epoll fd, level-triggered. Each watch gets a 64-bit id that is never reused, and epoll
//   carries that id, so an event for a watch removed earlier in the same turn is dropped rather
//   than delivered to a stranger.
// - A callback returns what the loop should do next (dasynq's "rearm"): Keep the watch armed,
//   Disarm it until rearm(), or Remove it. Disarming takes the fd out of epoll (EPOLL_CTL_DEL)
//   rather than asking for no events, because epoll reports EPOLLHUP/EPOLLERR regardless and a
//   disarmed hung-up pipe would wake the loop forever.
// - Callbacks must not throw: treat them as noexcept. As the last line of defence the dispatcher
//   catches whatever escapes one, reports it (stderr by default), disarms that watch (its fd is
//   most likely still ready, and level-triggered readiness would re-enter the failing callback in
//   a tight loop) and carries on with the next event. The loop itself never dies of a callback.
// - The loop never wakes by itself: with nothing ready it blocks in epoll_wait(-1). Only posted
//   work makes a wait non-blocking (timeout 0), until that work has run.
// - One turn: wait, dispatch every ready event, then run the functions posted so far (FIFO).
//   Functions posted while those run wait for the next turn, so a function that posts itself
//   again cannot starve I/O. This is where "queue, don't recurse" work gets drained.
// The loop must outlive every watch, timer and child watch built on it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sys/sys.h"

namespace loop {

using base::Result;

// What an fd callback asks the loop to do with its watch afterwards.
enum class Next { Keep, Disarm, Remove };

// Whether run_once may block when nothing is ready yet.
enum class Wait { Yes, No };

using WatchId = std::uint64_t;
// Called with the ready epoll events (EPOLLIN, EPOLLOUT, EPOLLHUP, EPOLLERR, …). Must not throw.
using FdCallback = std::function<Next(std::uint32_t events)>;
// Where the loop and the watches built on it report trouble they cannot return to anyone.
using ErrorSink = std::function<void(std::string_view message)>;

class TimerQueue;

class EventLoop {
public:
    // Creates the epoll fd and the loop's timer queue (one timerfd shared by all timers).
    static Result<std::unique_ptr<EventLoop>> create(sys::Sys& sys);
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // Watches `fd` for `events` (EPOLLERR and EPOLLHUP are always reported). The caller keeps
    // fd open until it has removed the watch. Fails if fd is watched already or cannot be
    // polled (a regular file).
    Result<WatchId> add_watch(int fd, std::uint32_t events, FdCallback callback);
    // Changes the events of a watch; a disarmed watch is armed again.
    Result<void> modify_watch(WatchId id, std::uint32_t events);
    Result<void> rearm(WatchId id);
    Result<void> disarm(WatchId id);
    // Forgets the watch. Safe at any time, from any callback, including the watch's own.
    void remove_watch(WatchId id);
    bool is_armed(WatchId id) const;
    std::size_t watch_count() const { return m_watches.size(); }

    // Runs `fn` at the end of the current turn (or of the next one, if called between turns).
    // Must not throw (the same safety net as for fd callbacks applies).
    void post(std::function<void()> fn);

    // Runs turns until quit(). Returns an error only if epoll_wait itself fails.
    Result<void> run();
    // One turn; returns how many callbacks and posted functions ran. With Wait::Yes and nothing
    // posted it blocks until something is ready. Not reentrant: never call it from a callback.
    Result<std::size_t> run_once(Wait wait = Wait::Yes);
    // Makes run() return after the current turn.
    void quit() { m_quit = true; }

    // The monotonic time: the only clock the daemon's code should read.
    sys::TimePoint now() { return m_sys.now(); }
    sys::Sys& sys() { return m_sys; }
    TimerQueue& timers() { return *m_timers; }

    // Replaces the default sink (a line on stderr).
    void set_error_sink(ErrorSink sink) { m_error_sink = std::move(sink); }
    void report_error(std::string_view message);

private:
    struct Watch {
        int fd = -1;
        std::uint32_t events = 0;
        FdCallback callback;
        bool armed = true;
        bool removed = false;
    };

    EventLoop(sys::Sys& sys, base::UniqueFd epoll_fd);
    Watch* find(WatchId id);
    void dispatch(const epoll_event& event);
    std::size_t run_posted();

    sys::Sys& m_sys;
    base::UniqueFd m_epoll;
    std::unordered_map<WatchId, std::unique_ptr<Watch>> m_watches;
    // Watches removed during dispatch live until the turn ends: their callback may be running.
    std::vector<std::unique_ptr<Watch>> m_graveyard;
    std::vector<std::function<void()>> m_posted;
    WatchId m_next_id = 1;
    bool m_dispatching = false;
    bool m_quit = false;
    ErrorSink m_error_sink;
    std::unique_ptr<TimerQueue> m_timers;
};

} // namespace loop
