// Owns reaping behind ChildWatch: the pidfd route and the SIGCHLD + waitid(P_ALL) route.
// See child_watch.h for the design.
#include "loop/child_watch.h"

#include <cerrno>
#include <exception>
#include <string>

#include "loop/signal_watch.h"

namespace loop {

ChildWatch::ChildWatch(EventLoop& loop) : m_loop(loop), m_self(std::make_shared<ChildWatch*>(this)) {}

Result<std::unique_ptr<ChildWatch>> ChildWatch::create(EventLoop& loop) {
    return std::unique_ptr<ChildWatch>(new ChildWatch(loop));
}

ChildWatch::~ChildWatch() {
    for (auto& [pid, child] : m_children) {
        if (child.watch != 0) {
            m_loop.remove_watch(child.watch);
        }
    }
    m_children.clear();
    m_sigchld.reset();
}

Result<void> ChildWatch::watch(pid_t pid, base::UniqueFd pidfd, Callback on_exit) {
    if (m_children.count(pid)) {
        return base::Error::from_errno("watch child", EEXIST, std::to_string(pid));
    }
    if (!pidfd.valid()) {
        auto opened = m_loop.sys().pidfd_open(pid, 0);
        if (opened) {
            pidfd = std::move(opened).value();
        } else if (opened.error().code() == ESRCH) {
            return opened.error();
        } else if (auto enabled = enable_sigchld(); !enabled) {
            return enabled.error(); // no pidfd (ENOSYS, EMFILE, …) and no SIGCHLD either
        }
    }
    Child child{std::move(pidfd), 0, std::move(on_exit)};
    if (child.pidfd.valid()) {
        auto id = m_loop.add_watch(child.pidfd.get(), EPOLLIN,
                                   [this, pid](std::uint32_t) { return on_pidfd_readable(pid); });
        if (!id) {
            return id.error();
        }
        child.watch = *id;
    }
    m_children.emplace(pid, std::move(child));
    return {};
}

void ChildWatch::unwatch(pid_t pid) {
    auto it = m_children.find(pid);
    if (it == m_children.end()) {
        return;
    }
    if (it->second.watch != 0) {
        m_loop.remove_watch(it->second.watch);
    }
    m_children.erase(it);
}

Result<void> ChildWatch::set_orphan_handler(Callback on_orphan) {
    m_on_orphan = std::move(on_orphan);
    return enable_sigchld();
}

Result<void> ChildWatch::enable_sigchld() {
    if (m_sigchld) {
        return {};
    }
    auto watch = SignalWatch::create(m_loop, {SIGCHLD}, [this](const signalfd_siginfo&) { sweep(); });
    if (!watch) {
        return watch.error();
    }
    m_sigchld = std::move(watch).value();
    // Children that ended before SIGCHLD was blocked sent a signal nobody kept: look once.
    std::weak_ptr<ChildWatch*> alive = m_self;
    m_loop.post([alive] {
        if (auto self = alive.lock()) {
            (*self)->sweep();
        }
    });
    return {};
}

Next ChildWatch::on_pidfd_readable(pid_t pid) {
    auto it = m_children.find(pid);
    if (it == m_children.end()) {
        return Next::Remove; // not reached: forgetting a child removes its watch
    }
    auto status = m_loop.sys().waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(it->second.pidfd.get()),
                                      WEXITED | WNOHANG);
    if (!status) {
        if (status.error().code() != ECHILD) {
            m_loop.report_error("waitid for pid " + std::to_string(pid) + ": " + status.error().message());
            return Next::Disarm;
        }
        status = sys::ChildStatus{pid, 0, 0}; // reaped by someone else: the status is lost
    } else if (status->pid == 0) {
        return Next::Keep; // not terminated after all
    }
    deliver(*status); // removes this watch
    return Next::Remove;
}

void ChildWatch::sweep() {
    std::weak_ptr<ChildWatch*> alive = m_self;
    for (;;) {
        auto status = m_loop.sys().waitid(P_ALL, 0, WEXITED | WNOHANG);
        if (!status) {
            if (status.error().code() != ECHILD) {
                m_loop.report_error("waitid for any child: " + status.error().message());
            }
            return;
        }
        if (status->pid == 0) {
            return;
        }
        deliver(*status);
        if (alive.expired()) {
            return; // a callback destroyed this ChildWatch
        }
    }
}

void ChildWatch::deliver(const sys::ChildStatus& status) {
    EventLoop& loop = m_loop;
    Callback callback;
    auto it = m_children.find(status.pid);
    if (it != m_children.end()) {
        Child child = std::move(it->second);
        m_children.erase(it);
        if (child.watch != 0) {
            loop.remove_watch(child.watch); // before the pidfd closes with `child`
        }
        callback = std::move(child.on_exit);
    } else if (m_on_orphan) {
        callback = m_on_orphan;
    } else {
        loop.report_error("reaped child " + std::to_string(status.pid) + ", which nobody watched");
        return;
    }
    try {
        callback(status);
    } catch (const std::exception& e) {
        loop.report_error(std::string("a child-exit callback threw: ") + e.what());
    } catch (...) {
        loop.report_error("a child-exit callback threw");
    }
}

} // namespace loop
