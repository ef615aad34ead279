// Owns the shared-timerfd timer queue and Timer arming. See timer.h for the design.
#include "loop/timer.h"

#include <sys/timerfd.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <string>
#include <vector>

namespace loop {

TimerQueue::TimerQueue(EventLoop& loop, base::UniqueFd fd) : m_loop(loop), m_fd(std::move(fd)) {}

Result<std::unique_ptr<TimerQueue>> TimerQueue::create(EventLoop& loop) {
    auto fd = loop.sys().timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    if (!fd) {
        return fd.error();
    }
    std::unique_ptr<TimerQueue> queue(new TimerQueue(loop, std::move(fd).value()));
    auto watch = loop.add_watch(queue->m_fd.get(), EPOLLIN, [q = queue.get()](std::uint32_t) { return q->on_expiry(); });
    if (!watch) {
        return watch.error();
    }
    queue->m_watch = *watch;
    return queue;
}

TimerQueue::~TimerQueue() {
    for (auto& [sequence, timer] : m_by_sequence) {
        timer->m_sequence = 0; // timers outliving the queue (they should not) see themselves disarmed
    }
    m_loop.remove_watch(m_watch);
}

Result<void> TimerQueue::arm(Timer& timer, sys::TimePoint deadline) {
    cancel(timer);
    std::uint64_t sequence = m_next_sequence++;
    m_order.emplace(deadline, sequence);
    m_by_sequence[sequence] = &timer;
    timer.m_sequence = sequence;
    timer.m_deadline = deadline;
    if (auto programmed = reprogram(); !programmed) {
        cancel(timer);
        return programmed.error();
    }
    return {};
}

void TimerQueue::cancel(Timer& timer) {
    if (timer.m_sequence == 0) {
        return;
    }
    m_order.erase(Key{timer.m_deadline, timer.m_sequence});
    m_by_sequence.erase(timer.m_sequence);
    timer.m_sequence = 0;
    if (auto programmed = reprogram(); !programmed) {
        // The timerfd keeps an old deadline: one wake-up that finds nothing due, then it is fixed.
        m_loop.report_error("cannot reprogram the timerfd: " + programmed.error().message());
    }
}

Result<void> TimerQueue::reprogram() {
    std::optional<sys::TimePoint> wanted;
    if (!m_order.empty()) {
        // An all-zero it_value disarms a timerfd, so the epoch itself is nudged by 1 ns.
        wanted = std::max(m_order.begin()->first, sys::TimePoint(sys::Duration(1)));
    }
    if (wanted == m_programmed) {
        return {};
    }
    itimerspec spec{};
    if (wanted) {
        spec.it_value = sys::to_timespec(*wanted);
    }
    if (auto set = m_loop.sys().timerfd_settime(m_fd.get(), TFD_TIMER_ABSTIME, spec); !set) {
        return set.error();
    }
    m_programmed = wanted;
    return {};
}

Next TimerQueue::on_expiry() {
    std::uint64_t expirations = 0;
    auto n = m_loop.sys().read(m_fd.get(), &expirations, sizeof expirations);
    if (n && *n == sizeof expirations) {
        m_programmed.reset(); // a one-shot timerfd disarms itself when it expires
    } else if (!n && n.error().code() != EAGAIN) {
        m_loop.report_error("cannot read the timerfd: " + n.error().message());
    }
    // A wake-up whose read found nothing (the timerfd was reprogrammed in the same turn) still
    // looks for due timers: that is harmless, and reprogram() below sets things right.

    sys::TimePoint now = m_loop.now();
    std::vector<std::uint64_t> due;
    while (!m_order.empty() && m_order.begin()->first <= now) {
        due.push_back(m_order.begin()->second);
        m_order.erase(m_order.begin());
    }
    for (std::uint64_t sequence : due) {
        auto it = m_by_sequence.find(sequence);
        if (it == m_by_sequence.end()) {
            continue; // cancelled or re-armed by an earlier callback of this batch
        }
        Timer* timer = it->second;
        m_by_sequence.erase(it);
        timer->m_sequence = 0;
        Timer::Callback callback = timer->m_callback; // the callback may destroy its timer
        try {
            callback();
        } catch (const std::exception& e) {
            m_loop.report_error(std::string("a timer callback threw: ") + e.what());
        } catch (...) {
            m_loop.report_error("a timer callback threw");
        }
    }
    if (auto programmed = reprogram(); !programmed) {
        m_loop.report_error("cannot reprogram the timerfd: " + programmed.error().message());
    }
    return Next::Keep;
}

Timer::Timer(EventLoop& loop, Callback callback) : m_loop(loop), m_callback(std::move(callback)) {}

Timer::~Timer() {
    cancel();
}

Result<void> Timer::arm_at(sys::TimePoint deadline) {
    return m_loop.timers().arm(*this, deadline);
}

Result<void> Timer::arm_after(sys::Duration delay) {
    return arm_at(m_loop.now() + delay);
}

void Timer::cancel() {
    if (armed()) {
        m_loop.timers().cancel(*this);
    }
}

std::optional<sys::TimePoint> Timer::deadline() const {
    if (!armed()) {
        return std::nullopt;
    }
    return m_deadline;
}

} // namespace loop
