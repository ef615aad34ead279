// Owns the control socket server: listening, accepting with SO_PEERCRED, per-connection framing
// and buffers, replying (possibly later, to waiting requests) and backpressure.
// Not here: what commands do (commands.h); the event loop (reached through IoRegistry, so the
// server can be driven by hand in tests).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "base/result.h"
#include "control/commands.h"
#include "control/framing.h"
#include "sys/sys.h"

namespace control {

// How the server asks to be told about readiness. The daemon adapts its event loop to this.
class IoRegistry {
public:
    virtual ~IoRegistry() = default;
    // Watches fd for reading, and for writing when `write` is true; calls `ready` with the epoll
    // events that fired. Watching an fd again replaces its interest.
    virtual void watch(int fd, bool write, std::function<void(std::uint32_t events)> ready) = 0;
    virtual void unwatch(int fd) = 0;
};

class Server {
public:
    // A client that lets replies pile up beyond this is disconnected.
    static constexpr std::size_t max_pending_output = 64U << 20;

    Server(sys::Sys& sys, IoRegistry& io, CommandHost& host) : m_sys(sys), m_io(io), m_host(host) {}
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    ~Server();

    // Creates the socket at `path` (its directory with `dir_mode`, the socket with
    // `socket_mode`). Refuses when another startd already answers there; removes a stale socket.
    base::Result<void> listen(const std::string& path, mode_t dir_mode, mode_t socket_mode);
    // Closes the listening socket and every connection, and removes the socket file.
    void close();

    std::size_t connections() const { return m_connections.size(); }
    const std::string& path() const { return m_path; }

private:
    struct Connection {
        base::UniqueFd fd;
        uid_t uid = 0;
        FrameDecoder decoder{max_request_payload};
        std::string out;
        bool watching_write = false;
        bool close_after_flush = false;
        bool batching = false; // replies to the requests of one read are written together
    };
    using ConnectionPtr = std::shared_ptr<Connection>;

    void on_accept();
    void on_ready(const ConnectionPtr& conn, std::uint32_t events);
    void handle_payload(const ConnectionPtr& conn, const std::string& payload);
    void send(const ConnectionPtr& conn, const Response& response);
    void flush(const ConnectionPtr& conn);
    void drop(const ConnectionPtr& conn);

    sys::Sys& m_sys;
    IoRegistry& m_io;
    CommandHost& m_host;
    base::UniqueFd m_listen;
    std::string m_path;
    std::unordered_map<int, ConnectionPtr> m_connections;
};

} // namespace control
