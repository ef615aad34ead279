// Owns the server's side of streaming replies: a request's items and final reply queued on its
// connection, bounded by the connection's unsent output (past it the feed skips, stream.h).
#include "control/server.h"

namespace control {

class Server::ConnectionStream final : public Stream {
  public:
    ConnectionStream(Server& server, std::weak_ptr<int> alive, std::weak_ptr<Connection> conn,
                     const Request& request)
        : m_server(server), m_alive(std::move(alive)), m_conn(std::move(conn)), m_id(request.id),
          m_version(request.version) {}

    bool open() const override { return !m_finished && live() != nullptr; }

    bool has_room() const override {
        ConnectionPtr conn = live();
        return conn != nullptr && conn->unsent() < m_server.m_limits.output_high_water;
    }

    void send(nlohmann::json item) override {
        if (m_finished) {
            return;
        }
        if (ConnectionPtr conn = live()) {
            Response r;
            r.version = m_version;
            r.id = m_id;
            r.item = std::move(item);
            m_server.send(conn, r);
        }
    }

    void finish(Response final) override {
        if (m_finished) {
            return;
        }
        m_finished = true;
        if (ConnectionPtr conn = live()) {
            final.version = m_version;
            final.id = m_id;
            m_server.send(conn, final);
        }
    }

  private:
    // The connection while it is served and its client still reads (not closing: a client that
    // has stopped sending hears no more of a stream that would never end).
    ConnectionPtr live() const {
        if (m_alive.expired()) {
            return nullptr;
        }
        ConnectionPtr conn = m_conn.lock();
        return conn && conn->fd.valid() && !conn->closing ? conn : nullptr;
    }

    Server& m_server;
    std::weak_ptr<int> m_alive;
    std::weak_ptr<Connection> m_conn;
    std::uint64_t m_id;
    int m_version;
    bool m_finished = false;
};

OpenStream Server::open_stream(const ConnectionPtr& conn, const Request& request) {
    return
        [this, alive = std::weak_ptr<int>(m_alive), weak = std::weak_ptr<Connection>(conn),
         request]() -> StreamPtr { return std::make_shared<ConnectionStream>(*this, alive, weak, request); };
}

} // namespace control
