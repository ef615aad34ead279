// Owns DaemonLog (see daemon_log.h).
#include "daemon/daemon_log.h"

namespace daemon_main {

DaemonLog::DaemonLog(sys::Sys& sys, loop::EventLoop& loop, int fd, bool debug)
    : m_sys(sys), m_loop(loop), m_fd(fd), m_debug(debug) {}

DaemonLog::~DaemonLog() {
    flush();
}

void DaemonLog::write(core::LogLevel level, std::string_view message) {
    if (!wants(level)) {
        return;
    }
    static constexpr std::string_view names[] = {"debug", "info", "warning", "error"};
    m_pending += "startd: ";
    m_pending += names[static_cast<int>(level)];
    m_pending += ": ";
    m_pending += message;
    m_pending += '\n';
    if (m_pending.size() >= flush_at) {
        flush();
    } else if (!m_flush_posted) {
        m_flush_posted = true;
        m_loop.post([this, alive = std::weak_ptr<bool>(m_alive)] {
            if (alive.expired()) {
                return;
            }
            m_flush_posted = false;
            flush();
        });
    }
}

void DaemonLog::flush() {
    std::string_view rest = m_pending;
    while (!rest.empty()) {
        auto n = m_sys.write(m_fd, rest.data(), rest.size());
        if (!n || *n == 0) {
            break; // nowhere to write (closed, full, gone): the lines are dropped, not retried
        }
        rest.remove_prefix(*n);
    }
    m_pending.clear();
}

} // namespace daemon_main
