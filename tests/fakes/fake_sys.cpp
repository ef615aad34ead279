// Owns FakeSys's fd table (creation, closing by sweep), fault injection and epoll readiness.
// Files: fake_sys_files.cpp; pipes and sockets: fake_sys_sockets.cpp; processes, signals, time
// and inotify: fake_sys_process.cpp.
#include "fakes/fake_sys.h"

#include <dirent.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace fakes {

using detail::Channel;
using detail::FdKind;
using detail::fail;
using detail::Node;

namespace {

bool is_hung_up(int sentinel) {
    pollfd p{sentinel, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR)) != 0;
}

} // namespace

namespace detail {

std::string normalize(std::string_view path) {
    std::vector<std::string_view> parts;
    while (!path.empty()) {
        std::size_t slash = path.find('/');
        std::string_view part = path.substr(0, slash);
        path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
        if (part.empty() || part == ".") {
            continue;
        }
        if (part == "..") {
            if (!parts.empty()) {
                parts.pop_back();
            }
            continue;
        }
        parts.push_back(part);
    }
    std::string out;
    for (std::string_view part : parts) {
        out += '/';
        out += part;
    }
    return out.empty() ? "/" : out;
}

std::string parent_of(const std::string& path) {
    std::size_t slash = path.rfind('/');
    return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

} // namespace detail

FakeSys::FakeSys() : m_now(std::chrono::seconds(1000)) {
    sigemptyset(&m_blocked);
    m_fs["/"] = Node{Node::Type::Dir, {}, 0755, 0, 0};
    for (int fd : {0, 1, 2}) {
        m_fds[fd] = FakeFd{};
    }
}

FakeSys::~FakeSys() {
    for (const auto& [call, queue] : m_injections) {
        if (!queue.empty()) {
            ADD_FAILURE() << "FakeSys: fail_next(\"" << call << "\") was never consumed";
        }
    }
}

// --- fault injection ---------------------------------------------------------------------------

void FakeSys::fail_next(const std::string& call, int err, int skip) {
    m_injections[call].push_back(Injection{skip, err});
}

std::optional<int> FakeSys::take_injection(std::string_view call) {
    auto it = m_injections.find(call);
    if (it == m_injections.end() || it->second.empty()) {
        return std::nullopt;
    }
    Injection& next = it->second.front();
    if (next.skip > 0) {
        --next.skip;
        return std::nullopt;
    }
    int err = next.err;
    it->second.pop_front();
    return err;
}

std::optional<int> FakeSys::enter(const char* call) {
    sweep(); // every call first notices what the code under test has closed since the last one
    m_calls.emplace_back(call);
    if (auto injected = take_injection(call)) {
        return injected;
    }
    return m_policy ? m_policy(call) : std::nullopt;
}

int FakeSys::call_count(std::string_view call) const {
    return static_cast<int>(std::count(m_calls.begin(), m_calls.end(), call));
}

// --- the fd table ------------------------------------------------------------------------------

int FakeSys::make_fd(FakeFd entry) {
    sweep();
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) < 0) {
        ADD_FAILURE() << "FakeSys: the test process ran out of real fds for fake ones";
        return -1;
    }
    entry.sentinel = base::UniqueFd(ends[0]);
    m_fds[ends[1]] = std::move(entry);
    return ends[1];
}

void FakeSys::sweep() {
    std::vector<int> closed;
    for (const auto& [fd, entry] : m_fds) {
        if (entry.sentinel.valid() && is_hung_up(entry.sentinel.get())) {
            closed.push_back(fd);
        }
    }
    for (int fd : closed) {
        auto node = m_fds.extract(fd);
        if (!node.empty()) {
            forget(fd, node.mapped());
        }
    }
}

void FakeSys::release_channels(FakeFd& entry) {
    if (entry.in) {
        --entry.in->readers;
    }
    if (entry.out) {
        --entry.out->writers;
    }
    entry.in.reset();
    entry.out.reset();
}

void FakeSys::forget(int fd, FakeFd& entry) {
    release_channels(entry);
    for (auto& [other, e] : m_fds) {
        e.interest.erase(fd);
    }
    for (int pending : entry.pending) {
        // Connections nobody accepted: closing the listener closes them, so clients see EOF.
        auto node = m_fds.extract(pending);
        if (!node.empty()) {
            forget(pending, node.mapped());
        }
    }
    // A listener's socket file stays in the file system, as on Linux, with nobody listening.
}

FakeSys::FakeFd* FakeSys::find(int fd, const char* call) {
    auto it = m_fds.find(fd);
    if (it == m_fds.end()) {
        ADD_FAILURE() << "FakeSys: " << call << " on fd " << fd << ", which is not open";
        return nullptr;
    }
    return &it->second;
}

FakeSys::FakeFd* FakeSys::find_kind(int fd, FdKind kind, const char* call) {
    FakeFd* entry = find(fd, call);
    if (entry && entry->kind != kind) {
        ADD_FAILURE() << "FakeSys: " << call << " on fd " << fd << ", which is the wrong kind of fd";
        return nullptr;
    }
    return entry;
}

FakeSys::FakeFd FakeSys::copy_of(const FakeFd& entry) {
    FakeFd copy;
    copy.kind = entry.kind;
    copy.nonblock = entry.nonblock;
    copy.path = entry.path;
    copy.offset = entry.offset;
    copy.access = entry.access;
    copy.append = entry.append;
    copy.in = entry.in;
    copy.out = entry.out;
    copy.is_socket = entry.is_socket;
    copy.peer = entry.peer;
    if (copy.in) {
        ++copy.in->readers;
    }
    if (copy.out) {
        ++copy.out->writers;
    }
    return copy;
}

std::vector<int> FakeSys::open_fds() {
    sweep();
    std::vector<int> out;
    for (const auto& [fd, entry] : m_fds) {
        if (fd > 2 && !entry.held.valid()) {
            out.push_back(fd);
        }
    }
    return out;
}

bool FakeSys::is_open(int fd) {
    sweep();
    return fd > 2 && m_fds.count(fd) != 0;
}

std::string FakeSys::fd_path(int fd) {
    sweep();
    auto it = m_fds.find(fd);
    return it == m_fds.end() ? std::string() : it->second.path;
}

sys::Result<void> FakeSys::set_nonblocking(int fd, sys::NonBlocking on) {
    if (auto e = enter("set_nonblocking")) {
        return fail("fcntl F_SETFL", *e);
    }
    FakeFd* entry = find(fd, "set_nonblocking");
    if (!entry) {
        return fail("fcntl F_SETFL", EBADF);
    }
    entry->nonblock = on == sys::NonBlocking::Yes;
    return {};
}

// --- epoll -------------------------------------------------------------------------------------

sys::Result<base::UniqueFd> FakeSys::epoll_create1(int) {
    if (auto e = enter("epoll_create1")) {
        return fail("epoll_create1", *e);
    }
    FakeFd entry;
    entry.kind = FdKind::Epoll;
    return base::UniqueFd(make_fd(std::move(entry)));
}

sys::Result<void> FakeSys::epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    // Only adding a watch allocates, so only ADD really fails with ENOMEM or ENOSPC: fail_next()
    // injections are per call, but the fail_when() policy is asked as "epoll_ctl ADD", "epoll_ctl
    // MOD" or "epoll_ctl DEL".
    sweep();
    m_calls.emplace_back("epoll_ctl");
    std::optional<int> e = take_injection("epoll_ctl");
    if (!e && m_policy) {
        e = m_policy(op == EPOLL_CTL_ADD   ? "epoll_ctl ADD"
                     : op == EPOLL_CTL_MOD ? "epoll_ctl MOD"
                                           : "epoll_ctl DEL");
    }
    if (e) {
        return fail("epoll_ctl", *e);
    }
    FakeFd* ep = find_kind(epfd, FdKind::Epoll, "epoll_ctl");
    FakeFd* target = find(fd, "epoll_ctl");
    if (!ep || !target) {
        return fail("epoll_ctl", EBADF);
    }
    if (fd == epfd) {
        return fail("epoll_ctl", EINVAL);
    }
    if (target->kind == FdKind::File || target->kind == FdKind::Dir) {
        return fail("epoll_ctl", EPERM); // as Linux: regular files are always ready, so refused
    }
    if (target->kind == FdKind::Epoll || (events & (EPOLLET | EPOLLEXCLUSIVE | EPOLLWAKEUP))) {
        ADD_FAILURE() << "FakeSys: nested epoll, EPOLLET, EPOLLEXCLUSIVE and EPOLLWAKEUP are not modelled";
        return fail("epoll_ctl", EINVAL);
    }
    auto it = ep->interest.find(fd);
    switch (op) {
    case EPOLL_CTL_ADD:
        if (it != ep->interest.end()) {
            return fail("epoll_ctl", EEXIST);
        }
        ep->interest[fd] = detail::Interest{events, data, false};
        return {};
    case EPOLL_CTL_MOD:
        if (it == ep->interest.end()) {
            return fail("epoll_ctl", ENOENT);
        }
        it->second = detail::Interest{events, data, false};
        return {};
    case EPOLL_CTL_DEL:
        if (it == ep->interest.end()) {
            return fail("epoll_ctl", ENOENT);
        }
        ep->interest.erase(it);
        return {};
    default:
        return fail("epoll_ctl", EINVAL);
    }
}

uint32_t FakeSys::ready_events(int fd) {
    sweep();
    auto it = m_fds.find(fd);
    return it == m_fds.end() ? 0u : readiness(it->second);
}

uint32_t FakeSys::readiness(const FakeFd& entry) const {
    switch (entry.kind) {
    case FdKind::Console:
        return EPOLLOUT;
    case FdKind::File:
    case FdKind::Dir:
        return EPOLLIN | EPOLLOUT;
    case FdKind::Stream: {
        uint32_t r = 0;
        if (entry.in) {
            if (!entry.in->data.empty()) {
                r |= EPOLLIN;
            }
            if (entry.in->writers == 0 || entry.in->hung_up) {
                r |= EPOLLIN | EPOLLHUP | (entry.is_socket ? uint32_t{EPOLLRDHUP} : 0u);
            }
        }
        if (entry.out) {
            if (entry.out->readers == 0) {
                r |= EPOLLOUT | EPOLLERR;
            } else if (entry.out->data.size() < entry.out->capacity) {
                r |= EPOLLOUT;
            }
        }
        return r;
    }
    case FdKind::Socket:
        return EPOLLOUT | EPOLLHUP; // not connected
    case FdKind::Listener:
        return entry.pending.empty() ? 0u : uint32_t{EPOLLIN};
    case FdKind::Epoll:
        return 0;
    case FdKind::Signal:
        for (const signalfd_siginfo& info : m_pending) {
            if (sigismember(&entry.mask, static_cast<int>(info.ssi_signo))) {
                return EPOLLIN;
            }
        }
        return 0;
    case FdKind::Timer:
        return entry.expirations > 0 ? uint32_t{EPOLLIN} : 0u;
    case FdKind::Pid: {
        auto p = m_processes.find(entry.pid);
        return p == m_processes.end() || p->second.state != Process::State::Running ? uint32_t{EPOLLIN} : 0u;
    }
    case FdKind::Inotify:
        return entry.inotify->queue.empty() ? 0u : uint32_t{EPOLLIN};
    }
    return 0;
}

size_t FakeSys::collect(FakeFd& epoll, std::span<epoll_event> events) {
    size_t n = 0;
    for (auto& [fd, interest] : epoll.interest) {
        if (n == events.size()) {
            break;
        }
        auto target = m_fds.find(fd);
        if (interest.disabled || target == m_fds.end()) {
            continue;
        }
        uint32_t ready = readiness(target->second) & (interest.events | EPOLLERR | EPOLLHUP);
        if (ready == 0) {
            continue;
        }
        events[n].events = ready;
        events[n].data.u64 = interest.data;
        ++n;
        if (interest.events & EPOLLONESHOT) {
            interest.disabled = true;
        }
    }
    return n;
}

sys::Result<size_t> FakeSys::epoll_wait(int epfd, std::span<epoll_event> events, int timeout_ms) {
    if (auto e = enter("epoll_wait")) {
        return fail("epoll_wait", *e);
    }
    m_epoll_timeouts.push_back(timeout_ms);
    FakeFd* ep = find_kind(epfd, FdKind::Epoll, "epoll_wait");
    if (!ep) {
        return fail("epoll_wait", EBADF);
    }
    if (size_t n = collect(*ep, events); n > 0 || timeout_ms == 0) {
        m_idle_streak = 0;
        return n;
    }
    if (timeout_ms > 0) {
        advance(std::chrono::milliseconds(timeout_ms)); // the wait times out, or a timer fires
    } else if (m_when_blocked) {
        m_when_blocked(); // the world moves while the loop sleeps
    } else {
        ADD_FAILURE() << "FakeSys: epoll_wait would block forever: nothing is ready (set when_blocked())";
        return fail("epoll_wait", EDEADLK);
    }
    sweep();
    ep = find_kind(epfd, FdKind::Epoll, "epoll_wait");
    size_t n = ep ? collect(*ep, events) : 0;
    if (n > 0 || timeout_ms > 0) {
        m_idle_streak = 0;
        return n;
    }
    if (++m_idle_streak >= 100) {
        ADD_FAILURE() << "FakeSys: epoll_wait blocked 100 times in a row and when_blocked() changed nothing";
        return fail("epoll_wait", EDEADLK);
    }
    return size_t{0}; // a wake-up with nothing to do: lets the caller see quit() from the hook
}

} // namespace fakes
