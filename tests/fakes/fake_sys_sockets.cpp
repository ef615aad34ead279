// Owns FakeSys's byte streams: pipes, socket pairs, and Unix stream sockets (bind, listen,
// connect, accept, peer credentials).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "fakes/fake_sys.h"

namespace fakes {

using detail::Channel;
using detail::fail;
using detail::FdKind;
using detail::Node;
using detail::normalize;
using detail::parent_of;

namespace {
std::string path_of(const sockaddr* addr, socklen_t len) {
    const auto* un = reinterpret_cast<const sockaddr_un*>(addr);
    if (addr == nullptr || un->sun_family != AF_UNIX || len <= offsetof(sockaddr_un, sun_path)) {
        return {};
    }
    return std::string(un->sun_path, strnlen(un->sun_path, len - offsetof(sockaddr_un, sun_path)));
}
} // namespace

// --- pipes and sockets -------------------------------------------------------------------------

sys::Result<base::UniqueFd> FakeSys::stream_end(std::shared_ptr<Channel> in, std::shared_ptr<Channel> out,
                                                bool is_socket, std::optional<ucred> peer, bool nonblock) {
    FakeFd entry;
    entry.kind = FdKind::Stream;
    entry.in = std::move(in);
    entry.out = std::move(out);
    entry.is_socket = is_socket;
    entry.peer = peer;
    entry.nonblock = nonblock;
    if (entry.in) {
        ++entry.in->readers;
    }
    if (entry.out) {
        ++entry.out->writers;
    }
    return base::UniqueFd(make_fd(std::move(entry)));
}

ucred FakeSys::own_credentials() const {
    return ucred{m_self, 0, 0};
}

sys::Result<sys::FdPair> FakeSys::pipe2(int flags) {
    if (auto e = enter("pipe2")) {
        return fail("pipe2", *e);
    }
    auto channel = std::make_shared<Channel>();
    bool nonblock = (flags & O_NONBLOCK) != 0;
    auto read_end = stream_end(channel, nullptr, false, std::nullopt, nonblock);
    auto write_end = stream_end(nullptr, channel, false, std::nullopt, nonblock);
    return sys::FdPair{std::move(read_end).value(), std::move(write_end).value()};
}

sys::Result<base::UniqueFd> FakeSys::socket(int domain, int type, int) {
    if (auto e = enter("socket")) {
        return fail("socket", *e);
    }
    int base_type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (domain != AF_UNIX || (base_type != SOCK_STREAM && base_type != SOCK_DGRAM)) {
        ADD_FAILURE() << "FakeSys: only AF_UNIX SOCK_STREAM and SOCK_DGRAM sockets are modelled";
        return fail("socket", EAFNOSUPPORT);
    }
    FakeFd entry;
    entry.kind = FdKind::Socket;
    entry.datagram = base_type == SOCK_DGRAM;
    entry.nonblock = (type & SOCK_NONBLOCK) != 0;
    return base::UniqueFd(make_fd(std::move(entry)));
}


sys::Result<void> FakeSys::bind(int fd, const sockaddr* addr, socklen_t len) {
    if (auto e = enter("bind")) {
        return fail("bind", *e);
    }
    FakeFd* entry = find_kind(fd, FdKind::Socket, "bind");
    std::string path = path_of(addr, len);
    if (!entry || entry->datagram || path.empty() || path.front() != '/') {
        ADD_FAILURE() << "FakeSys: bind is modelled for stream sockets on absolute Unix socket paths only";
        return fail("bind", EINVAL);
    }
    path = normalize(path);
    if (m_fs.count(path)) {
        return fail("bind", EADDRINUSE, path);
    }
    auto parent = m_fs.find(parent_of(path));
    if (parent == m_fs.end() || parent->second.type != Node::Type::Dir) {
        return fail("bind", ENOENT, path);
    }
    m_fs[path] = Node{Node::Type::Socket, {}, 0777, 0, 0};
    entry->path = path;
    return {};
}

sys::Result<void> FakeSys::listen(int fd, int) {
    if (auto e = enter("listen")) {
        return fail("listen", *e);
    }
    FakeFd* entry = find(fd, "listen");
    if (!entry || (entry->kind != FdKind::Socket && entry->kind != FdKind::Listener) || entry->path.empty()) {
        ADD_FAILURE() << "FakeSys: listen is modelled for bound sockets only";
        return fail("listen", EINVAL);
    }
    entry->kind = FdKind::Listener;
    entry->listening = true;
    return {};
}

sys::Result<void> FakeSys::connect(int fd, const sockaddr* addr, socklen_t len) {
    if (auto e = enter("connect")) {
        return fail("connect", *e);
    }
    FakeFd* client = find_kind(fd, FdKind::Socket, "connect");
    if (client && client->datagram) {
        ADD_FAILURE() << "FakeSys: connect is modelled for stream sockets only (datagrams: send_datagram)";
        return fail("connect", EINVAL);
    }
    if (!client) {
        return fail("connect", EBADF);
    }
    std::string path = normalize(path_of(addr, len));
    if (!m_fs.count(path)) {
        return fail("connect", ENOENT, path);
    }
    auto listener = std::find_if(m_fds.begin(), m_fds.end(), [&](const auto& kv) {
        return kv.second.kind == FdKind::Listener && kv.second.path == path;
    });
    if (listener == m_fds.end()) {
        return fail("connect", ECONNREFUSED, path);
    }
    auto to_server = std::make_shared<Channel>();
    auto to_client = std::make_shared<Channel>();
    auto server_end = stream_end(to_server, to_client, true, own_credentials(), false);
    int server_fd = server_end->get();
    m_fds[server_fd].held = std::move(server_end).value();
    m_fds[listener->first].pending.push_back(server_fd);
    client = find(fd, "connect"); // make_fd may have swept; look again
    client->kind = FdKind::Stream;
    client->in = to_client;
    client->out = to_server;
    ++to_client->readers;
    ++to_server->writers;
    client->is_socket = true;
    client->peer = own_credentials();
    return {};
}

base::UniqueFd FakeSys::connect_client(const std::string& path, ucred creds) {
    sweep();
    std::string full = normalize(path);
    auto listener = std::find_if(m_fds.begin(), m_fds.end(), [&](const auto& kv) {
        return kv.second.kind == FdKind::Listener && kv.second.path == full;
    });
    if (listener == m_fds.end()) {
        ADD_FAILURE() << "FakeSys: connect_client: nothing listens on " << full;
        return {};
    }
    int listener_fd = listener->first;
    auto to_server = std::make_shared<Channel>();
    auto to_client = std::make_shared<Channel>();
    auto server_end = stream_end(to_server, to_client, true, creds, false);
    int server_fd = server_end->get();
    m_fds[server_fd].held = std::move(server_end).value();
    m_fds[listener_fd].pending.push_back(server_fd);
    return std::move(stream_end(to_client, to_server, true, own_credentials(), true)).value();
}

sys::Result<base::UniqueFd> FakeSys::accept4(int fd, int flags) {
    if (auto e = enter("accept4")) {
        return fail("accept4", *e);
    }
    FakeFd* listener = find_kind(fd, FdKind::Listener, "accept4");
    if (!listener) {
        return fail("accept4", EINVAL);
    }
    if (listener->pending.empty()) {
        if (!listener->nonblock) {
            ADD_FAILURE() << "FakeSys: a blocking accept4 with no client would wait forever";
        }
        return fail("accept4", EAGAIN);
    }
    int conn = listener->pending.front();
    listener->pending.pop_front();
    FakeFd& entry = m_fds[conn];
    entry.nonblock = (flags & SOCK_NONBLOCK) != 0;
    return base::UniqueFd(entry.held.release());
}

sys::Result<ucred> FakeSys::peer_credentials(int fd) {
    if (auto e = enter("peer_credentials")) {
        return fail("getsockopt SO_PEERCRED", *e);
    }
    FakeFd* entry = find(fd, "peer_credentials");
    if (!entry || !entry->peer) {
        return fail("getsockopt SO_PEERCRED", ENOTCONN);
    }
    return *entry->peer;
}

} // namespace fakes
