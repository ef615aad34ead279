// Owns the control socket server: listening, accepting with SO_PEERCRED, admission (connection
// limits, a reserve for root and the daemon's owner, running out of descriptors), per-connection
// framing and buffers, replying (possibly later, to waiting requests), backpressure, the memory
// budget of all clients together and fair, round-robin service between connections.
// Not here: what commands do (commands.h); the event loop (reached through IoRegistry, so the
// server can be driven by hand in tests).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "base/result.h"
#include "control/commands.h"
#include "control/framing.h"
#include "sys/sys.h"

namespace control {

// How the server asks to be told about readiness and time. The daemon adapts its event loop.
class IoRegistry {
public:
    virtual ~IoRegistry() = default;
    // Watches fd for reading and/or writing (or neither: hang-ups and errors only, which epoll
    // always reports); calls `ready` with the epoll events that fired. Watching an fd again
    // replaces its interest and callback.
    virtual void watch(int fd, bool read, bool write, std::function<void(std::uint32_t events)> ready) = 0;
    virtual void unwatch(int fd) = 0;
    // Calls fn once, at the end of the current loop turn (after the turn's ready fds were served);
    // a function posted while posted functions run waits for the next turn.
    virtual void post(std::function<void()> fn) = 0;
    // Calls fn once, `delay` from now. Calling again replaces the pending call.
    virtual void wake_after(sys::Duration delay, std::function<void()> fn) = 0;
};

// "Privileged" below means root or the uid startd runs as: those who may change state.
inline constexpr std::size_t default_max_connections = 256;        // all clients together
inline constexpr std::size_t default_privileged_reserve = 16;      // of those, only for the privileged
inline constexpr std::size_t default_max_connections_per_uid = 32; // one unprivileged uid
// A connection with this much unsent reply is not read (nor are its buffered requests served)
// until the client has read enough of it.
inline constexpr std::size_t default_output_high_water = 256U << 10;
// Memory of all unprivileged connections together: requests read but not served yet, and
// replies not sent yet. Past the input budget no unprivileged connection is read; past the
// output budget none is served (requests turn into replies), until memory frees. Two budgets,
// not one: serving frees input, so a full input budget must never stop service.
// Privileged connections are not held back.
inline constexpr std::size_t default_client_input_budget = 16U << 20;
inline constexpr std::size_t default_client_output_budget = 16U << 20;
// Requests one connection gets served per loop turn: the others' turn comes in between.
inline constexpr std::size_t default_requests_per_turn = 8;
// A connection whose unsent replies grow past this anyway (a privileged client that never reads
// while its waiting requests complete) is closed.
inline constexpr std::size_t default_max_unsent_output = 64U << 20;
// How long the listener rests when accept cannot get a descriptor (EMFILE/ENFILE with the
// reserve descriptor gone, ENOBUFS, ENOMEM).
inline constexpr sys::Duration default_accept_retry = std::chrono::milliseconds(100);
// Connections accepted per wake-up of the listener.
inline constexpr int accepts_per_wakeup = 64;
// Bytes read from one connection per read call.
inline constexpr std::size_t read_chunk = 64U << 10;

struct Limits {
    std::size_t max_connections = default_max_connections;
    std::size_t privileged_reserve = default_privileged_reserve;
    std::size_t max_connections_per_uid = default_max_connections_per_uid;
    std::size_t output_high_water = default_output_high_water;
    std::size_t client_input_budget = default_client_input_budget;
    std::size_t client_output_budget = default_client_output_budget;
    std::size_t requests_per_turn = default_requests_per_turn;
    std::size_t max_unsent_output = default_max_unsent_output;
    sys::Duration accept_retry = default_accept_retry;
};

class Server {
public:
    Server(sys::Sys& sys, IoRegistry& io, CommandHost& host, Limits limits = {})
        : m_sys(sys), m_io(io), m_host(host), m_limits(limits) {}
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    ~Server();

    // Creates the socket at `path` (its directory with `dir_mode`, the socket with
    // `socket_mode`). Refuses when another startd already answers there; removes a stale socket.
    base::Result<void> listen(const std::string& path, mode_t dir_mode, mode_t socket_mode);
    // Closes the listening socket and every connection, and removes the socket file.
    void close();

    std::size_t connections() const { return m_connections.size(); }
    // Input held and replies unsent, of all connections / of the unprivileged ones.
    std::size_t held_bytes() const { return m_held; }
    std::size_t unprivileged_held_bytes() const { return m_input_unprivileged + m_output_unprivileged; }
    // Whether the listener is resting after accept could not get a descriptor.
    bool listener_paused() const { return m_listener_paused; }
    const std::string& path() const { return m_path; }
    const Limits& limits() const { return m_limits; }

private:
    struct Connection {
        base::UniqueFd fd;
        uid_t uid = 0;
        bool privileged = false;
        FrameDecoder decoder{max_request_payload};
        std::string out;           // replies; bytes before out_start are sent
        std::size_t out_start = 0;
        std::size_t accounted_input = 0; // what this connection adds to the totals
        std::size_t accounted_output = 0;
        bool watched = false;      // registered with the IoRegistry, with this interest:
        bool reading = false;
        bool writing = false;
        bool queued = false;       // in the run queue: has requests to serve
        bool starved = false;      // waiting for the memory budget
        bool closing = false;      // close once the replies are out
        bool batching = false;     // replies of one service turn are written together

        std::size_t unsent() const { return out.size() - out_start; }
    };
    using ConnectionPtr = std::shared_ptr<Connection>;

    void on_accept();
    // accept4 failed with EMFILE/ENFILE: frees the reserve descriptor to take one connection
    // (kept only if privileged). False when that did not help: the listener must rest.
    bool accept_with_reserve();
    void admit(base::UniqueFd fd, bool out_of_descriptors);
    void refuse(const base::UniqueFd& fd, std::string message);
    void pause_listener();
    void on_ready(const ConnectionPtr& conn, std::uint32_t events);
    // One service turn: at most limits().requests_per_turn requests and one read.
    void serve(const ConnectionPtr& conn);
    // Reads once; false when the connection was dropped or is closing.
    bool read_some(const ConnectionPtr& conn);
    void handle_payload(const ConnectionPtr& conn, const std::string& payload);
    void send(const ConnectionPtr& conn, const Response& response);
    void flush(const ConnectionPtr& conn);
    void drop(const ConnectionPtr& conn);
    // Whether the connection's requests may be served now (backpressure, output budget), and
    // whether more may be read from it (input budget too).
    bool may_serve(const Connection& conn) const;
    bool may_read(const Connection& conn) const;
    bool input_full() const { return m_input_unprivileged >= m_limits.client_input_budget; }
    bool output_full() const { return m_output_unprivileged >= m_limits.client_output_budget; }
    void reaccount(Connection& conn);
    void update_interest(const ConnectionPtr& conn);
    void enqueue(const ConnectionPtr& conn);
    void drain_run_queue();
    void wake_starved();
    std::function<void(std::uint32_t)> ready_callback(const ConnectionPtr& conn);

    sys::Sys& m_sys;
    IoRegistry& m_io;
    CommandHost& m_host;
    Limits m_limits;
    base::UniqueFd m_listen;
    base::UniqueFd m_reserve; // a spare descriptor, freed to accept when there are none left
    bool m_listener_paused = false;
    std::string m_path;
    std::unordered_map<int, ConnectionPtr> m_connections;
    std::unordered_map<uid_t, std::size_t> m_per_uid; // unprivileged connections by uid
    std::size_t m_unprivileged = 0;
    std::size_t m_held = 0;
    std::size_t m_input_unprivileged = 0;
    std::size_t m_output_unprivileged = 0;
    std::deque<std::weak_ptr<Connection>> m_run_queue;
    bool m_drain_posted = false;
    std::unordered_set<int> m_starved; // fds of connections waiting for the budget
    // Posted functions, timers and late replies hold a weak reference: they do nothing once the
    // server is closed or gone.
    std::shared_ptr<int> m_alive = std::make_shared<int>(0);
};

} // namespace control
