// Owns the control socket's connections: admission, service, buffers and their bounds.
#include "control/server.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

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
    if (auto probe = m_sys.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0); probe) {
        if (m_sys.connect(probe->get(), addr->get(), addr->len)) {
            return base::Error("another startd is already listening on " + path);
        }
    }
    if (auto gone = m_sys.unlink(path.c_str()); !gone && gone.error().code() != ENOENT) {
        return base::Error("cannot remove stale socket " + path + ": " + gone.error().message());
    }
    auto fd = m_sys.socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
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
    if (auto reserve = m_sys.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0); reserve) {
        m_reserve = std::move(reserve).value();
    }
    auto watched = m_io.watch(fd->get(), true, false, [this](std::uint32_t) { on_accept(); });
    if (!watched) {
        m_reserve.reset();
        fd->reset();
        (void)m_sys.unlink(path.c_str());
        return base::Error("cannot watch " + path + ": " + watched.error().message());
    }
    m_listen = std::move(fd).value();
    m_path = path;
    m_alive = std::make_shared<int>(0);
    return {};
}

void Server::close() {
    m_alive.reset(); // pending posts, timers and late replies become no-ops
    for (auto& [fd, conn] : m_connections) {
        m_io.unwatch(fd);
        conn->fd.reset();
    }
    m_connections.clear();
    m_per_uid.clear();
    m_unprivileged = 0;
    m_held = 0;
    m_input_unprivileged = 0;
    m_output_unprivileged = 0;
    m_run_queue.clear();
    m_starved.clear();
    m_drain_posted = false;
    if (m_listen.valid()) {
        if (!m_listener_paused) {
            m_io.unwatch(m_listen.get());
        }
        m_listen.reset();
        (void)m_sys.unlink(m_path.c_str());
    }
    m_listener_paused = false;
    m_reserve.reset();
    m_path.clear();
}

void Server::log(const std::string& line) {
    if (m_log) {
        m_log(line);
    }
}

// ---- admission -------------------------------------------------------------------------------

void Server::on_accept() {
    if (!m_reserve.valid()) {
        if (auto reserve = m_sys.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0); reserve) {
            m_reserve = std::move(reserve).value();
        }
    }
    // Bounded per wake-up so a connection storm cannot starve job supervision.
    for (int i = 0; i < accepts_per_wakeup; ++i) {
        auto fd = m_sys.accept4(m_listen.get(), SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd) {
            admit(std::move(fd).value(), false);
            continue;
        }
        switch (fd.error().code()) {
        case EAGAIN:
            return; // drained
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
            continue; // that one connection is gone; the next may be fine
        case EMFILE:
        case ENFILE:
            if (accept_with_reserve()) {
                continue;
            }
            pause_listener();
            return;
        default:
            // ENOBUFS, ENOMEM: the listener stays readable, so watching it now would spin.
            pause_listener();
            return;
        }
    }
}

bool Server::accept_with_reserve() {
    if (!m_reserve.valid()) {
        return false;
    }
    m_reserve.reset();
    auto fd = m_sys.accept4(m_listen.get(), SOCK_NONBLOCK | SOCK_CLOEXEC);
    bool took = fd.has_value();
    if (took) {
        admit(std::move(fd).value(), true);
    }
    if (auto reserve = m_sys.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0); reserve) {
        m_reserve = std::move(reserve).value();
    }
    return (took || fd.error().code() == EAGAIN) && m_reserve.valid();
}

void Server::pause_listener() {
    if (m_listener_paused || !m_listen.valid()) {
        return;
    }
    m_listener_paused = true;
    m_io.unwatch(m_listen.get());
    m_io.wake_after(m_limits.accept_retry, [this, alive = std::weak_ptr<int>(m_alive)] {
        if (!alive.expired() && m_listener_paused) {
            resume_listener();
        }
    });
}

void Server::resume_listener() {
    m_listener_paused = false;
    if (auto watched = m_io.watch(m_listen.get(), true, false, [this](std::uint32_t) { on_accept(); });
        !watched) {
        log("cannot watch the control socket " + m_path + " again: " + watched.error().message() +
            "; retrying in " +
            std::to_string(
                std::chrono::duration_cast<std::chrono::milliseconds>(m_limits.accept_retry).count()) +
            " ms");
        pause_listener();
    }
}

void Server::refuse(const base::UniqueFd& fd, std::string message) {
    // A fresh socket's buffer is empty: one small frame fits; if not, the close says enough.
    std::string frame = encode_frame(encode_response(error_response(0, errc::busy, std::move(message))));
    (void)m_sys.write(fd.get(), frame.data(), frame.size());
}

void Server::admit(base::UniqueFd fd, bool out_of_descriptors) {
    auto cred = m_sys.peer_credentials(fd.get());
    if (!cred) {
        return; // cannot tell who it is: refuse by closing
    }
    uid_t uid = cred->uid;
    bool privileged = uid == 0 || uid == m_host.owner_uid;
    if (out_of_descriptors && !privileged) {
        refuse(fd, "startd is out of file descriptors; try again later");
        return;
    }
    if (m_connections.size() >= m_limits.max_connections) {
        refuse(fd, "too many connections to startd (limit " + std::to_string(m_limits.max_connections) + ")");
        return;
    }
    if (!privileged) {
        std::size_t shared = m_limits.max_connections - std::min(m_limits.privileged_reserve, m_limits.max_connections);
        if (m_unprivileged >= shared) {
            refuse(fd, "too many connections to startd (limit " + std::to_string(shared) +
                           " for unprivileged users; the rest are kept for root)");
            return;
        }
        if (m_per_uid[uid] >= m_limits.max_connections_per_uid) {
            refuse(fd, "too many connections from uid " + std::to_string(uid) + " (limit " +
                           std::to_string(m_limits.max_connections_per_uid) + ")");
            return;
        }
        ++m_per_uid[uid];
        ++m_unprivileged;
    }
    auto conn = std::make_shared<Connection>();
    conn->uid = uid;
    conn->privileged = privileged;
    conn->fd = std::move(fd);
    m_connections[conn->fd.get()] = conn;
    update_interest(conn);
    // A client usually sends its request right after connecting: if it is there already, it is
    // answered in this turn rather than after another trip through the loop (which, while a job
    // floods its log, costs that pipe's share of the turn).
    if (conn->watched && conn->reading) {
        on_ready(conn, EPOLLIN);
    }
}

// ---- service ---------------------------------------------------------------------------------

std::function<void(std::uint32_t)> Server::ready_callback(const ConnectionPtr& conn) {
    return [this, weak = std::weak_ptr<Connection>(conn)](std::uint32_t events) {
        if (auto c = weak.lock(); c && c->fd.valid()) {
            on_ready(c, events);
        }
    };
}

void Server::on_ready(const ConnectionPtr& conn, std::uint32_t events) {
    if (events & EPOLLERR) {
        drop(conn);
        return;
    }
    if (events & EPOLLOUT) {
        flush(conn);
        if (!conn->fd.valid()) {
            return;
        }
        // Once everything is sent, stop watching for writing: a writable socket is ready on every
        // turn, and the loop would spin until the client next sends.
        update_interest(conn);
    }
    bool hung_up = (events & EPOLLHUP) != 0;
    if (hung_up && !may_serve(*conn)) {
        // The client is gone and what it sent cannot be served now: forgotten (a hang-up is
        // reported on every turn, so waiting for service would spin).
        drop(conn);
        return;
    }
    if (!hung_up && !((events & EPOLLIN) && conn->reading)) {
        return;
    }
    // The privileged are served at once; an unprivileged client waits for its uid's turn at the
    // end of this loop turn, so many connections of one uid get one budget, not one each.
    if (conn->privileged) {
        serve(conn, m_limits.requests_per_turn);
    } else {
        enqueue(conn);
    }
}

bool Server::may_serve(const Connection& conn) const {
    if (conn.closing || !conn.fd.valid() || conn.unsent() >= m_limits.output_high_water) {
        return false;
    }
    return conn.privileged || !output_full();
}

bool Server::may_read(const Connection& conn) const {
    return may_serve(conn) && !conn.decoder.failed() && (conn.privileged || !input_full());
}

std::size_t Server::serve(const ConnectionPtr& conn, std::size_t budget) {
    conn->batching = true;
    bool have_read = false;
    std::size_t served = 0;
    while (served < budget && may_serve(*conn)) {
        if (conn->decoder.has_frame()) {
            auto payload = conn->decoder.next();
            if (!payload) {
                break; // a bad length: answered below
            }
            reaccount(*conn);
            handle_payload(conn, *payload);
            ++served;
            if (!conn->fd.valid()) {
                return served; // a reply the client does not read overflowed its output
            }
            continue;
        }
        if (have_read || !may_read(*conn)) {
            break;
        }
        have_read = true;
        if (!read_some(conn)) {
            break;
        }
    }
    conn->batching = false;
    if (!conn->fd.valid()) {
        return served;
    }
    if (conn->decoder.failed() && !conn->closing) {
        if (!send(conn,
                  error_response(0, errc::too_large,
                                 "request of " + std::to_string(conn->decoder.rejected_size()) +
                                     " bytes exceeds the limit of " + std::to_string(max_request_payload)))) {
            return served;
        }
        conn->closing = true;
    }
    flush(conn);
    if (!conn->fd.valid()) {
        return served;
    }
    if (conn->decoder.has_frame() && may_serve(*conn)) {
        enqueue(conn);
    }
    update_interest(conn);
    return served;
}

bool Server::read_some(const ConnectionPtr& conn) {
    // At most one frame's worth is held: what a client has not finished sending costs no more.
    std::size_t room = frame_header_size + max_request_payload - conn->decoder.buffered();
    if (!conn->privileged) {
        room = std::min(room, m_limits.client_input_budget - std::min(m_input_unprivileged, m_limits.client_input_budget));
    }
    char buf[read_chunk];
    room = std::min(room, sizeof buf);
    if (room == 0) {
        return false;
    }
    auto n = m_sys.read(conn->fd.get(), buf, room);
    if (!n) {
        if (n.error().code() != EAGAIN && n.error().code() != EINTR) {
            drop(conn);
        }
        return false;
    }
    if (*n == 0) {
        // The client is done sending: what it asked is answered, then the connection closes
        // (replies to its waiting requests would go into the void).
        conn->closing = true;
        if (conn->unsent() == 0) {
            drop(conn);
        }
        return false;
    }
    conn->decoder.feed(std::string_view(buf, *n));
    reaccount(*conn);
    return true;
}

void Server::handle_payload(const ConnectionPtr& conn, const std::string& payload) {
    auto request = decode_request(payload);
    if (!request) {
        send(conn, error_response(request.error().id, request.error().error.code, request.error().error.message));
        return;
    }
    auto reply = [this, alive = std::weak_ptr<int>(m_alive), weak = std::weak_ptr<Connection>(conn),
                  version = request->version](Response response) {
        if (alive.expired()) {
            return;
        }
        if (auto c = weak.lock(); c && c->fd.valid()) {
            response.version = version;
            send(c, response);
        }
    };
    dispatch(m_host, *request, conn->uid, std::move(reply), open_stream(conn, *request));
}

bool Server::send(const ConnectionPtr& conn, const Response& response) {
    conn->out += encode_frame(encode_response(response));
    reaccount(*conn);
    if (conn->unsent() > m_limits.max_unsent_output) {
        drop(conn); // the client does not read its replies
        return false;
    }
    if (!conn->batching) {
        flush(conn);
        if (!conn->fd.valid()) {
            return false;
        }
        update_interest(conn);
    }
    return true;
}

void Server::flush(const ConnectionPtr& conn) {
    bool was_blocked = !may_serve(*conn);
    while (conn->unsent() > 0) {
        auto n = m_sys.write(conn->fd.get(), conn->out.data() + conn->out_start, conn->unsent());
        if (!n) {
            if (n.error().code() == EAGAIN || n.error().code() == EINTR) {
                break;
            }
            drop(conn);
            return;
        }
        conn->out_start += *n;
    }
    if (conn->unsent() == 0) {
        std::string().swap(conn->out); // give the memory back: a big reply is rare
        conn->out_start = 0;
    } else if (conn->out_start >= read_chunk && conn->out_start > conn->out.size() / 2) {
        conn->out.erase(0, conn->out_start);
        conn->out_start = 0;
    }
    reaccount(*conn);
    if (conn->closing && conn->unsent() == 0) {
        drop(conn);
        return;
    }
    if (was_blocked && may_serve(*conn) && conn->decoder.has_frame()) {
        enqueue(conn); // backpressure released: its buffered requests are served again
    }
}

void Server::update_interest(const ConnectionPtr& conn) {
    if (!conn->fd.valid()) {
        return;
    }
    bool starved = !conn->privileged && !conn->closing && !conn->decoder.failed() && (input_full() || output_full());
    if (starved != conn->starved) {
        conn->starved = starved;
        if (starved) {
            m_starved.insert(conn->fd.get());
        } else {
            m_starved.erase(conn->fd.get());
        }
    }
    bool read = may_read(*conn) && !conn->queued;
    bool write = conn->unsent() > 0;
    if (conn->watched && read == conn->reading && write == conn->writing) {
        return;
    }
    // Watched even with no interest: its hang-up must still be seen, or a connection waiting for
    // the budget would hold its memory for good.
    if (auto watched = m_io.watch(conn->fd.get(), read, write, ready_callback(conn)); !watched) {
        // Not watched at all now, not even for a hang-up: tried again at the end of the turn.
        conn->watched = false;
        ++conn->watch_failures;
        conn->watch_error = watched.error().message();
        if (!conn->watch_retry_posted) {
            conn->watch_retry_posted = true;
            m_io.post([this, alive = std::weak_ptr<int>(m_alive), weak = std::weak_ptr<Connection>(conn)] {
                if (auto c = weak.lock(); c && !alive.expired()) {
                    retry_watch(c);
                }
            });
        }
        return;
    }
    conn->watched = true;
    conn->watch_failures = 0;
    conn->reading = read;
    conn->writing = write;
}

void Server::retry_watch(const ConnectionPtr& conn) {
    conn->watch_retry_posted = false;
    if (!conn->fd.valid() || conn->watched) {
        return;
    }
    if (conn->watch_failures >= watch_attempts) {
        give_up_watch(conn);
        return;
    }
    update_interest(conn);
}

void Server::give_up_watch(const ConnectionPtr& conn) {
    // Not held unserved: the client hears why and may try again; its fd and memory are freed.
    log("control connection of uid " + std::to_string(conn->uid) + " closed: it cannot be watched (" +
        conn->watch_error + ", " + std::to_string(conn->watch_failures) + " attempts)");
    conn->out += encode_frame(encode_response(error_response(
        0, errc::busy, "startd cannot watch this connection (" + conn->watch_error + "); try again later")));
    (void)m_sys.write(conn->fd.get(), conn->out.data() + conn->out_start, conn->unsent());
    drop(conn);
}

void Server::enqueue(const ConnectionPtr& conn) {
    if (conn->queued) {
        return;
    }
    conn->queued = true;
    m_run_queue.push_back(conn);
    update_interest(conn); // its requests are served from the queue, not on readability
    post_drain();
}

void Server::post_drain() {
    if (m_drain_posted) {
        return;
    }
    m_drain_posted = true;
    m_io.post([this, alive = std::weak_ptr<int>(m_alive)] {
        if (!alive.expired()) {
            drain_run_queue();
        }
    });
}

void Server::drain_run_queue() {
    m_drain_posted = false;
    // One turn for the connections queued so far. Privileged ones first, a budget each: root and
    // the owner never wait behind an unprivileged backlog. Then one budget per unprivileged uid,
    // spent on its connections in queue order; those left without go first on the next turn,
    // and those served that still have work queue again behind everyone.
    std::deque<std::weak_ptr<Connection>> turn;
    turn.swap(m_run_queue);
    std::vector<ConnectionPtr> unprivileged;
    for (auto& weak : turn) {
        auto conn = weak.lock();
        if (!conn || !conn->fd.valid()) {
            continue;
        }
        if (!conn->privileged) {
            unprivileged.push_back(std::move(conn));
            continue;
        }
        conn->queued = false;
        serve(conn, m_limits.requests_per_turn);
    }
    std::unordered_map<uid_t, std::size_t> left;
    std::deque<std::weak_ptr<Connection>> waiting;
    for (const ConnectionPtr& conn : unprivileged) {
        if (!conn->fd.valid()) {
            continue;
        }
        std::size_t& budget = left.try_emplace(conn->uid, m_limits.requests_per_turn).first->second;
        if (budget == 0) {
            waiting.push_back(conn); // still queued, its reads still off
            continue;
        }
        conn->queued = false;
        budget -= std::min(budget, serve(conn, budget));
    }
    if (!waiting.empty()) {
        for (auto& weak : m_run_queue) {
            waiting.push_back(std::move(weak));
        }
        m_run_queue.swap(waiting);
        post_drain();
    }
}

void Server::wake_starved() {
    if (m_starved.empty() || (input_full() && output_full())) {
        return;
    }
    std::unordered_set<int> waiting;
    waiting.swap(m_starved);
    for (int fd : waiting) {
        auto it = m_connections.find(fd);
        if (it == m_connections.end()) {
            continue;
        }
        ConnectionPtr conn = it->second;
        conn->starved = false;
        if (conn->decoder.has_frame()) {
            enqueue(conn);
        } else {
            update_interest(conn);
        }
    }
}

void Server::reaccount(Connection& conn) {
    bool live = conn.fd.valid();
    std::size_t input = live ? conn.decoder.buffered() : 0;
    std::size_t output = live ? conn.unsent() : 0;
    m_held = m_held - conn.accounted_input - conn.accounted_output + input + output;
    if (!conn.privileged) {
        m_input_unprivileged = m_input_unprivileged - conn.accounted_input + input;
        m_output_unprivileged = m_output_unprivileged - conn.accounted_output + output;
    }
    bool freed = input < conn.accounted_input || output < conn.accounted_output;
    conn.accounted_input = input;
    conn.accounted_output = output;
    if (freed) {
        wake_starved();
    }
}

void Server::drop(const ConnectionPtr& conn) {
    if (!conn->fd.valid()) {
        return;
    }
    int fd = conn->fd.get();
    if (conn->watched) {
        m_io.unwatch(fd);
    }
    conn->fd.reset();
    m_connections.erase(fd);
    m_starved.erase(fd);
    if (!conn->privileged) {
        --m_unprivileged;
        if (auto it = m_per_uid.find(conn->uid); it != m_per_uid.end() && --it->second == 0) {
            m_per_uid.erase(it);
        }
    }
    reaccount(*conn);
}

} // namespace control
