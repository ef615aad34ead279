// Owns the epoll loop's watches, turns and dispatch. See event_loop.h for the design.
#include "loop/event_loop.h"

#include <array>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <string>

#include "loop/timer.h"

namespace loop {

namespace {

constexpr std::size_t events_per_turn = 64;

std::string describe_exception(std::exception_ptr thrown) {
    try {
        std::rethrow_exception(thrown);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
}

} // namespace

EventLoop::EventLoop(sys::Sys& sys, base::UniqueFd epoll_fd) : m_sys(sys), m_epoll(std::move(epoll_fd)) {}

Result<std::unique_ptr<EventLoop>> EventLoop::create(sys::Sys& sys) {
    auto epoll_fd = sys.epoll_create1(0);
    if (!epoll_fd) {
        return epoll_fd.error();
    }
    std::unique_ptr<EventLoop> loop(new EventLoop(sys, std::move(epoll_fd).value()));
    auto timers = TimerQueue::create(*loop);
    if (!timers) {
        return timers.error();
    }
    loop->m_timers = std::move(timers).value();
    return loop;
}

EventLoop::~EventLoop() {
    m_timers.reset(); // it removes its own watch, so it goes while the loop is still whole
}

void EventLoop::report_error(std::string_view message) {
    if (m_error_sink) {
        m_error_sink(message);
        return;
    }
    std::fprintf(stderr, "startd: %.*s\n", static_cast<int>(message.size()), message.data());
}

EventLoop::Watch* EventLoop::find(WatchId id) {
    auto it = m_watches.find(id);
    return it == m_watches.end() ? nullptr : it->second.get();
}

bool EventLoop::is_armed(WatchId id) const {
    auto it = m_watches.find(id);
    return it != m_watches.end() && it->second->armed;
}

Result<WatchId> EventLoop::add_watch(int fd, std::uint32_t events, FdCallback callback) {
    WatchId id = m_next_id++;
    if (auto added = m_sys.epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, fd, events, id); !added) {
        return added.error();
    }
    auto watch = std::make_unique<Watch>();
    watch->fd = fd;
    watch->events = events;
    watch->callback = std::move(callback);
    m_watches.emplace(id, std::move(watch));
    return id;
}

Result<void> EventLoop::modify_watch(WatchId id, std::uint32_t events) {
    Watch* watch = find(id);
    if (!watch) {
        return base::Error::from_errno("modify_watch", ENOENT);
    }
    int op = watch->armed ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (auto changed = m_sys.epoll_ctl(m_epoll.get(), op, watch->fd, events, id); !changed) {
        return changed.error();
    }
    watch->events = events;
    watch->armed = true;
    return {};
}

Result<void> EventLoop::rearm(WatchId id) {
    Watch* watch = find(id);
    if (!watch) {
        return base::Error::from_errno("rearm", ENOENT);
    }
    if (watch->armed) {
        return {};
    }
    return modify_watch(id, watch->events);
}

Result<void> EventLoop::disarm(WatchId id) {
    Watch* watch = find(id);
    if (!watch) {
        return base::Error::from_errno("disarm", ENOENT);
    }
    if (!watch->armed) {
        return {};
    }
    if (auto deleted = m_sys.epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, watch->fd, 0, 0); !deleted) {
        return deleted.error();
    }
    watch->armed = false;
    return {};
}

void EventLoop::remove_watch(WatchId id) {
    auto it = m_watches.find(id);
    if (it == m_watches.end()) {
        return;
    }
    std::unique_ptr<Watch> watch = std::move(it->second);
    m_watches.erase(it);
    watch->removed = true;
    if (watch->armed) {
        // Cannot fail for a live watch; if the owner closed the fd first, the kernel dropped it.
        [[maybe_unused]] auto deleted = m_sys.epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, watch->fd, 0, 0);
    }
    if (m_dispatching) {
        m_graveyard.push_back(std::move(watch));
    }
}

void EventLoop::post(std::function<void()> fn) {
    m_posted.push_back(std::move(fn));
}

void EventLoop::dispatch(const epoll_event& event) {
    WatchId id = event.data.u64;
    Watch* watch = find(id);
    if (!watch || !watch->armed) {
        return; // removed or disarmed earlier in this turn
    }
    Next next = Next::Disarm;
    try {
        next = watch->callback(event.events);
    } catch (...) {
        report_error("a watch callback threw (" + describe_exception(std::current_exception()) +
                     "); the watch is disarmed");
    }
    if (watch->removed) {
        return; // the callback removed its own watch
    }
    switch (next) {
    case Next::Keep:
        break;
    case Next::Disarm:
        if (auto disarmed = disarm(id); !disarmed) {
            report_error("cannot disarm a watch: " + disarmed.error().message());
        }
        break;
    case Next::Remove:
        remove_watch(id);
        break;
    }
}

std::size_t EventLoop::run_posted() {
    std::vector<std::function<void()>> batch;
    batch.swap(m_posted);
    for (auto& fn : batch) {
        try {
            fn();
        } catch (...) {
            report_error("a posted function threw (" + describe_exception(std::current_exception()) + ")");
        }
    }
    return batch.size();
}

Result<std::size_t> EventLoop::run_once(Wait wait) {
    std::array<epoll_event, events_per_turn> events{};
    int timeout = wait == Wait::No || !m_posted.empty() ? 0 : -1;
    auto ready = m_sys.epoll_wait(m_epoll.get(), events, timeout);
    if (!ready) {
        if (ready.error().code() == EINTR) {
            return std::size_t{0};
        }
        return ready.error();
    }
    m_dispatching = true;
    for (std::size_t i = 0; i < *ready; ++i) {
        dispatch(events[i]);
    }
    m_dispatching = false;
    m_graveyard.clear();
    return *ready + run_posted();
}

Result<void> EventLoop::run() {
    while (!m_quit) {
        if (auto turn = run_once(Wait::Yes); !turn) {
            m_quit = false;
            return turn.error();
        }
    }
    m_quit = false;
    return {};
}

} // namespace loop
