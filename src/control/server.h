// Owns the control socket server: listening, accepting with SO_PEERCRED, admission (connection
// limits, a reserve for root and the daemon's owner, running out of descriptors, connections
// epoll will not watch), per-connection framing and buffers, replying (possibly later, to
// waiting requests), backpressure, the memory budget of all clients together, and fair service:
// the privileged first, then one request budget per unprivileged uid, round robin.
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
#include <string_view>
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
    // replaces its interest and callback. On failure (epoll_ctl: ENOMEM, ENOSPC) the fd is not
    // watched at all, whatever it was before.
    virtual base::Result<void> watch(int fd, bool read, bool write,
                                     std::function<void(std::uint32_t events)> ready) = 0;
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
// until the client has read enough of it; nor is an item of a stream queued on it (the item is
// skipped and counted: control/stream.h).
inline constexpr std::size_t default_output_high_water = 256U << 10;
// Memory of all unprivileged connections together: requests read but not served yet, and
// replies not sent yet. Past the input budget no unprivileged connection is read; past the
// output budget none is served (requests turn into replies), until memory frees. Two budgets,
// not one: serving frees input, so a full input budget must never stop service.
// Privileged connections are not held back.
inline constexpr std::size_t default_client_input_budget = 16U << 20;
inline constexpr std::size_t default_client_output_budget = 16U << 20;
// Requests served per loop turn to each privileged connection, and to each unprivileged uid,
// all its connections together (round robin between them). Privileged connections are served
// first; then every uid's turn comes before any uid's second one.
inline constexpr std::size_t default_requests_per_turn = 8;
// A connection whose unsent replies grow past this anyway (a privileged client that never reads
// while its waiting requests complete) is closed.
inline constexpr std::size_t default_max_unsent_output = 64U << 20;
// How long the listener rests when accept cannot get a descriptor (EMFILE/ENFILE with the
// reserve descriptor gone, ENOBUFS, ENOMEM).
inline constexpr sys::Duration default_accept_retry = std::chrono::milliseconds(100);
// Connections accepted per wake-up of the listener.
inline constexpr int accepts_per_wakeup = 64;
// A connection epoll will not watch (ENOMEM; ENOSPC: max_user_watches) is tried again at the end
// of the turn and on the next ones; after this many failures in a row its client is told `busy`
// and it is closed, rather than held unserved.
inline constexpr int watch_attempts = 3;
// Bytes read from one connection per read call.
inline constexpr std::size_t read_chunk = 64U << 10;

struct Limits {
    std::size_t max_connections = default_max_connections;
    std::size_t privileged_reserve = default_privileged_reserve;
    std::size_t max_connections_per_uid = default_max_connections_per_uid;
    std::size_t output_high_water = default_output_high_water;
    std::size_t client_input_budget = default_client_input_budget;
    std::size_t client_output_budget = default_client_output_budget;
    // Per privileged connection, per unprivileged uid.
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
    // Where the server reports what only the daemon's log can hear (a connection it had to give
    // up, a listener it cannot watch). Nothing is reported without one.
    void set_log(std::function<void(std::string_view line)> log) { m_log = std::move(log); }

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
        int watch_failures = 0;    // watch() refused in a row (retried, then given up)
        bool watch_retry_posted = false;
        std::string watch_error; // why, for the client and the log

        std::size_t unsent() const { return out.size() - out_start; }
    };
    using ConnectionPtr = std::shared_ptr<Connection>;
    // The streaming reply of one request (server_stream.cpp).
    class ConnectionStream;

    void on_accept();
    // accept4 failed with EMFILE/ENFILE: frees the reserve descriptor to take one connection
    // (kept only if privileged). False when that did not help: the listener must rest.
    bool accept_with_reserve();
    void admit(base::UniqueFd fd, bool out_of_descriptors);
    void refuse(const base::UniqueFd& fd, std::string message);
    void pause_listener();
    // The listener's rest is over: watched again, or (epoll refusing) another rest.
    void resume_listener();
    void on_ready(const ConnectionPtr& conn, std::uint32_t events);
    // One service turn: at most `budget` requests and one read. Returns how many were served.
    std::size_t serve(const ConnectionPtr& conn, std::size_t budget);
    // Reads once; false when the connection was dropped or is closing.
    bool read_some(const ConnectionPtr& conn);
    void handle_payload(const ConnectionPtr& conn, const std::string& payload);
    // How a streaming command of `request` opens its reply on `conn` (server_stream.cpp).
    OpenStream open_stream(const ConnectionPtr& conn, const Request& request);
    // Queues a reply (written now unless a service turn is batching). False when that dropped
    // the connection: its caller must not touch it further.
    bool send(const ConnectionPtr& conn, const Response& response);
    // Writes what the socket takes. The connection must be live; it may be dropped on return.
    void flush(const ConnectionPtr& conn);
    void drop(const ConnectionPtr& conn);
    // Whether the connection's requests may be served now (backpressure, output budget), and
    // whether more may be read from it (input budget too).
    bool may_serve(const Connection& conn) const;
    bool may_read(const Connection& conn) const;
    bool input_full() const { return m_input_unprivileged >= m_limits.client_input_budget; }
    bool output_full() const { return m_output_unprivileged >= m_limits.client_output_budget; }
    void reaccount(Connection& conn);
    // Asks the registry for the events the connection needs now; when it refuses, a retry is
    // posted (retry_watch). Never drops the connection itself.
    void update_interest(const ConnectionPtr& conn);
    void retry_watch(const ConnectionPtr& conn);
    // Tells the client why, logs it, and closes the connection.
    void give_up_watch(const ConnectionPtr& conn);
    void enqueue(const ConnectionPtr& conn);
    void post_drain();
    void drain_run_queue();
    void log(const std::string& line);
    void wake_starved();
    std::function<void(std::uint32_t)> ready_callback(const ConnectionPtr& conn);

    sys::Sys& m_sys;
    IoRegistry& m_io;
    CommandHost& m_host;
    Limits m_limits;
    std::function<void(std::string_view)> m_log;
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
