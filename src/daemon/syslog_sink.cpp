// Owns SyslogSink (see syslog_sink.h).
#include "daemon/syslog_sink.h"

#include <cstring>
#include <ctime>
#include <sys/socket.h>
#include <sys/un.h>

namespace daemon_main {

namespace {

constexpr int facility_daemon = 3 << 3;

int severity(core::LogLevel level) {
    switch (level) {
    case core::LogLevel::Debug:
        return 7;
    case core::LogLevel::Info:
        return 6;
    case core::LogLevel::Warning:
        return 4;
    case core::LogLevel::Error:
        return 3;
    }
    return 3;
}

} // namespace

SyslogSink::SyslogSink(sys::Sys& sys, std::string elsewhere, std::string path)
    : m_sys(sys), m_elsewhere(std::move(elsewhere)), m_path(std::move(path)) {}

std::string SyslogSink::format(core::LogLevel level, std::string_view message,
                               std::chrono::system_clock::time_point when, pid_t pid) {
    std::time_t secs = std::chrono::system_clock::to_time_t(when);
    std::tm local{};
    ::localtime_r(&secs, &local);
    char stamp[32];
    // RFC 3164's timestamp, as syslog(3) writes it: "Dec  7 20:31:02" (the day padded to 2).
    std::size_t n = std::strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &local);
    std::string line = "<" + std::to_string(facility_daemon | severity(level)) + ">";
    line.append(stamp, n);
    line += " startd[" + std::to_string(pid) + "]: ";
    line += message.substr(0, max_line - std::min(max_line, line.size()));
    return line;
}

bool SyslogSink::send(core::LogLevel level, std::string_view message) {
    if (m_missed > 0 && m_sys.now() < m_retry_at) {
        ++m_missed;
        return false;
    }
    if (!send_line(level, message)) {
        ++m_missed;
        m_retry_at = m_sys.now() + retry_after;
        return false;
    }
    if (m_missed > 0) {
        std::uint64_t missed = m_missed;
        m_missed = 0;
        (void)send_line(core::LogLevel::Warning, "syslog did not take " + std::to_string(missed) +
                                                     " log line" + (missed == 1 ? "" : "s") + ": see " +
                                                     m_elsewhere);
    }
    return true;
}

bool SyslogSink::send_line(core::LogLevel level, std::string_view message) {
    if (!m_fd) {
        auto fd = m_sys.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        if (!fd) {
            return false;
        }
        m_fd = std::move(fd).value();
    }
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, m_path.data(), std::min(m_path.size(), sizeof addr.sun_path - 1));
    std::string line = format(level, message, m_sys.wall_clock(), m_sys.getpid());
    auto sent = m_sys.send_datagram(
        m_fd.get(), reinterpret_cast<const sockaddr*>(&addr),
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + m_path.size() + 1), line);
    return sent.has_value();
}

} // namespace daemon_main
