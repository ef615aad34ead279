// Owns FakeSys's scripted calls: ptrace (a log of every request and fork-event messages) and
// datagrams: received ones with credentials, sent ones recorded. Tracee stops are reported with stop_process(pid, sig, traced).
#include "fakes/fake_sys.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <gtest/gtest.h>

namespace fakes {

using detail::fail;
using detail::FdKind;

sys::Result<void> FakeSys::ptrace_op(const char* call, const std::string& entry, pid_t pid) {
    if (auto e = enter(call)) {
        return fail(call, *e);
    }
    Process* p = child(pid);
    if (!p || p->state != Process::State::Running) {
        return fail(call, ESRCH);
    }
    m_ptrace_log.push_back(entry);
    return {};
}

sys::Result<void> FakeSys::ptrace_setoptions(pid_t pid, unsigned options) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "%#x", options);
    return ptrace_op("ptrace_setoptions", "setoptions " + std::to_string(pid) + " " + hex, pid);
}

sys::Result<void> FakeSys::ptrace_cont(pid_t pid, int sig) {
    return ptrace_op("ptrace_cont", "cont " + std::to_string(pid) + " " + std::to_string(sig), pid);
}

sys::Result<void> FakeSys::ptrace_detach(pid_t pid, int sig) {
    return ptrace_op("ptrace_detach", "detach " + std::to_string(pid) + " " + std::to_string(sig), pid);
}

sys::Result<unsigned long> FakeSys::ptrace_geteventmsg(pid_t pid) {
    if (auto r = ptrace_op("ptrace_geteventmsg", "geteventmsg " + std::to_string(pid), pid); !r) {
        return r.error();
    }
    auto it = m_event_messages.find(pid);
    if (it == m_event_messages.end()) {
        ADD_FAILURE() << "FakeSys: no event message scripted for " << pid;
        return fail("ptrace_geteventmsg", EIO);
    }
    return it->second;
}

} // namespace fakes

namespace fakes {

// Datagrams live here too: like ptrace, they are scripted by tests rather than modelled.
sys::Result<void> FakeSys::set_pass_credentials(int fd) {
    if (auto e = enter("set_pass_credentials")) {
        return fail("setsockopt SO_PASSCRED", *e);
    }
    m_pass_credentials.insert(fd);
    return {};
}

sys::Result<sys::Datagram> FakeSys::receive_datagram(int fd, std::span<char> buf) {
    if (auto e = enter("receive_datagram")) {
        return fail("recvmsg", *e);
    }
    auto it = m_datagrams.find(fd);
    if (it == m_datagrams.end() || it->second.empty()) {
        return fail("recvmsg", EAGAIN);
    }
    auto [bytes, sender] = std::move(it->second.front());
    it->second.pop_front();
    sys::Datagram d;
    d.size = std::min(bytes.size(), buf.size());
    std::copy_n(bytes.data(), d.size, buf.data());
    if (m_pass_credentials.count(fd) != 0) {
        d.sender = sender;
    }
    return d;
}

sys::Result<void> FakeSys::send_datagram(int fd, const sockaddr* addr, socklen_t len, std::string_view bytes) {
    if (auto e = enter("send_datagram")) {
        return fail("sendto", *e);
    }
    FakeFd* entry = find_kind(fd, FdKind::Socket, "send_datagram");
    const auto* un = reinterpret_cast<const sockaddr_un*>(addr);
    constexpr socklen_t path_at = offsetof(sockaddr_un, sun_path);
    if (entry == nullptr || !entry->datagram || un == nullptr || un->sun_family != AF_UNIX || len <= path_at) {
        ADD_FAILURE() << "FakeSys: send_datagram needs a datagram socket and an AF_UNIX address";
        return fail("sendto", EINVAL);
    }
    std::string to(un->sun_path, len - path_at);
    if (to.front() == '\0') {
        to.front() = '@'; // the abstract namespace: every byte of the length counts
    } else {
        to.resize(strnlen(to.data(), to.size()));
    }
    m_sent_datagrams.push_back({std::move(to), std::string(bytes)});
    return {};
}

} // namespace fakes
