// Owns the control socket's connections.
#include "control/server.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <string_view>

#include "sys/make_dirs.h"

namespace control {

Server::~Server() { close(); }

base::Result<void> Server::listen(const std::string& path, mode_t dir_mode, mode_t socket_mode) {
    auto addr = sys::UnixAddress::from_path(path);
    if (!addr) {
        return addr.error();
    }
    if (auto slash = path.rfind('/'); slash != std::string::npos && slash > 0) {
        if (auto dirs = sys::make_dirs(m_sys, path.substr(0, slash), dir_mode); !dirs) {
            return base::Error("cannot create " + path.substr(0, slash) + ": " + dirs.error().message());
        }
    }
    // Is somebody already serving here? A live socket must never be stolen.
    if (auto probe = m_sys.socket(AF_UNIX, SOCK_STREAM, 0); probe) {
        if (m_sys.connect(probe->get(), addr->get(), addr->len)) {
            return base::Error("another startd is already listening on " + path);
        }
    }
    if (auto gone = m_sys.unlink(path.c_str()); !gone && gone.error().code() != ENOENT) {
        return base::Error("cannot remove stale socket " + path + ": " + gone.error().message());
    }
    auto fd = m_sys.socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (!fd) {
        return fd.error();
    }
    if (auto b = m_sys.bind(fd->get(), addr->get(), addr->len); !b) {
        return base::Error("cannot bind " + path + ": " + b.error().message());
    }
    if (auto c = m_sys.chmod(path.c_str(), socket_mode); !c) {
        return c;
    }
    if (auto l = m_sys.listen(fd->get(), 128); !l) {
        return l;
    }
    m_listen = std::move(fd).value();
    m_path = path;
    m_io.watch(m_listen.get(), false, [this](std::uint32_t) { on_accept(); });
    return {};
}

void Server::close() {
    for (auto& [fd, conn] : m_connections) {
        m_io.unwatch(fd);
    }
    m_connections.clear();
    if (m_listen.valid()) {
        m_io.unwatch(m_listen.get());
        m_listen.reset();
        (void)m_sys.unlink(m_path.c_str());
    }
}

void Server::on_accept() {
    // Bounded per wake-up so a connection storm cannot starve job supervision.
    for (int i = 0; i < 64; ++i) {
        auto fd = m_sys.accept4(m_listen.get(), SOCK_NONBLOCK);
        if (!fd) {
            return; // EAGAIN (drained) or a transient error (EMFILE): try again on the next wake-up
        }
        auto cred = m_sys.peer_credentials(fd->get());
        if (!cred) {
            continue; // cannot tell who it is: refuse by closing
        }
        auto conn = std::make_shared<Connection>();
        conn->uid = cred->uid;
        conn->fd = std::move(fd).value();
        int raw = conn->fd.get();
        m_connections[raw] = conn;
        std::weak_ptr<Connection> weak = conn;
        m_io.watch(raw, false, [this, weak](std::uint32_t events) {
            if (auto c = weak.lock()) {
                on_ready(c, events);
            }
        });
    }
}

void Server::on_ready(const ConnectionPtr& conn, std::uint32_t events) {
    if (events & EPOLLOUT) {
        flush(conn);
        if (!conn->fd.valid()) {
            return;
        }
    }
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)) || conn->close_after_flush) {
        return;
    }
    char buf[65536];
    for (int i = 0; i < 16; ++i) {
        auto n = m_sys.read(conn->fd.get(), buf, sizeof buf);
        if (!n) {
            if (n.error().code() == EAGAIN) {
                return;
            }
            drop(conn);
            return;
        }
        if (*n == 0) {
            drop(conn); // waiting requests of this client are answered into the void
            return;
        }
        conn->decoder.feed(std::string_view(buf, *n));
        // A client that pipelines requests gets their replies in one write, not one each.
        conn->batching = true;
        while (auto payload = conn->decoder.next()) {
            handle_payload(conn, *payload);
            if (!conn->fd.valid()) {
                return;
            }
        }
        conn->batching = false;
        flush(conn);
        if (!conn->fd.valid()) {
            return;
        }
        if (conn->decoder.failed()) {
            send(conn, error_response(0, errc::too_large,
                                      "request of " + std::to_string(conn->decoder.rejected_size()) +
                                          " bytes exceeds the limit of " + std::to_string(max_request_payload)));
            conn->close_after_flush = true;
            flush(conn);
            return;
        }
    }
}

void Server::handle_payload(const ConnectionPtr& conn, const std::string& payload) {
    auto request = decode_request(payload);
    if (!request) {
        send(conn, error_response(request.error().id, request.error().error.code, request.error().error.message));
        return;
    }
    std::weak_ptr<Connection> weak = conn;
    dispatch(m_host, *request, conn->uid, [this, weak](Response response) {
        if (auto c = weak.lock(); c && c->fd.valid()) {
            send(c, response);
        }
    });
}

void Server::send(const ConnectionPtr& conn, const Response& response) {
    conn->out += encode_frame(encode_response(response));
    if (conn->out.size() > max_pending_output) {
        drop(conn); // the client does not read its replies
        return;
    }
    if (!conn->batching) {
        flush(conn);
    }
}

void Server::flush(const ConnectionPtr& conn) {
    while (!conn->out.empty()) {
        auto n = m_sys.write(conn->fd.get(), conn->out.data(), conn->out.size());
        if (!n) {
            if (n.error().code() == EAGAIN) {
                break;
            }
            drop(conn);
            return;
        }
        conn->out.erase(0, *n);
    }
    if (conn->out.empty() && conn->close_after_flush) {
        drop(conn);
        return;
    }
    bool want_write = !conn->out.empty();
    if (want_write != conn->watching_write) {
        conn->watching_write = want_write;
        std::weak_ptr<Connection> weak = conn;
        m_io.watch(conn->fd.get(), want_write, [this, weak](std::uint32_t events) {
            if (auto c = weak.lock()) {
                on_ready(c, events);
            }
        });
    }
}

void Server::drop(const ConnectionPtr& conn) {
    if (!conn->fd.valid()) {
        return;
    }
    int fd = conn->fd.get();
    m_io.unwatch(fd);
    conn->fd.reset();
    m_connections.erase(fd);
}

} // namespace control
