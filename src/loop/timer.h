// Owns timers: Timer (one logical one-shot, re-armable timer) and TimerQueue (the loop's single
// timerfd and the deadlines waiting on it). Not here: what a timeout means (kill, respawn, …).
//
// Design: every timer of a loop shares ONE timerfd (CLOCK_MONOTONIC, absolute deadlines), so a
// supervisor with thousands of kill/respawn timers holds one fd, not thousands.
// - Armed timers are ordered by (deadline, arming sequence) in a std::set: a deadline heap that
//   also cancels in O(log n). Equal deadlines fire in the order they were armed.
// - The timerfd is programmed for the earliest deadline only, and only when that changes; with
//   no timer armed it is disarmed, so an idle loop gets no wake-ups at all.
// - On expiry the queue takes every timer whose deadline has passed as one batch and calls them
//   in order, skipping any that an earlier callback of the batch cancelled or re-armed. A timer
//   re-armed from its own callback waits for the next turn even if its new deadline has passed,
//   so a callback that re-arms itself for "now" cannot starve the loop.
// - A callback may arm, cancel or destroy any timer, including its own (it runs from a copy).
// - Callbacks must not throw; if one does, the loop's error sink hears of it and the other
//   timers of the batch still run.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>

#include "loop/event_loop.h"

namespace loop {

class Timer;

class TimerQueue {
public:
    // Creates the timerfd and watches it. EventLoop::create does this; use loop.timers().
    static Result<std::unique_ptr<TimerQueue>> create(EventLoop& loop);
    ~TimerQueue();
    TimerQueue(const TimerQueue&) = delete;
    TimerQueue& operator=(const TimerQueue&) = delete;

    std::size_t armed_count() const { return m_order.size(); }
    // The deadline the timerfd is programmed for (nullopt: disarmed).
    std::optional<sys::TimePoint> programmed() const { return m_programmed; }

private:
    friend class Timer;
    using Key = std::pair<sys::TimePoint, std::uint64_t>; // deadline, arming sequence

    TimerQueue(EventLoop& loop, base::UniqueFd fd);
    Result<void> arm(Timer& timer, sys::TimePoint deadline);
    void cancel(Timer& timer);
    // Points the timerfd at the earliest deadline (or disarms it) if that changed.
    Result<void> reprogram();
    Next on_expiry();

    EventLoop& m_loop;
    base::UniqueFd m_fd;
    WatchId m_watch = 0;
    std::set<Key> m_order;
    std::unordered_map<std::uint64_t, Timer*> m_by_sequence; // armed, or due in the running batch
    std::uint64_t m_next_sequence = 1;
    std::optional<sys::TimePoint> m_programmed;
};

// One logical timer. Not armed when created; fires once per arming. Not movable: the queue
// keeps its address while it is armed.
class Timer {
public:
    using Callback = std::function<void()>;

    Timer(EventLoop& loop, Callback callback);
    ~Timer();
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    // Arms (or re-arms, replacing the previous deadline) for an absolute monotonic time. A
    // deadline in the past fires on the next turn. Fails only if the timerfd cannot be set, in
    // which case the timer is left disarmed.
    Result<void> arm_at(sys::TimePoint deadline);
    Result<void> arm_after(sys::Duration delay);
    // Disarms; does nothing if not armed.
    void cancel();
    bool armed() const { return m_sequence != 0; }
    std::optional<sys::TimePoint> deadline() const;

private:
    friend class TimerQueue;

    EventLoop& m_loop;
    Callback m_callback;
    std::uint64_t m_sequence = 0; // 0: not armed
    sys::TimePoint m_deadline{};
};

} // namespace loop
