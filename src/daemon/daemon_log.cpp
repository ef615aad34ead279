// Owns DaemonLog (see daemon_log.h).
#include "daemon/daemon_log.h"

#include <array>
#include <cstdio>
#include <ctime>
#include <fcntl.h>

namespace daemon_main {

namespace {

constexpr std::array<std::string_view, 4> level_names = {"debug", "info", "warning", "error"};
constexpr std::array<int, 4> kmsg_priorities = {(3 << 3) | 7, (3 << 3) | 6, (3 << 3) | 4, (3 << 3) | 3};

} // namespace

DaemonLog::DaemonLog(sys::Sys& sys, loop::EventLoop& loop, int fd, DaemonLogOptions options)
    : m_sys(sys), m_loop(loop), m_fd(fd), m_priority(options.priority), m_kmsg_wanted(options.kmsg) {
    if (options.syslog) {
        m_syslog.emplace(sys, options.kmsg ? "/dev/kmsg (dmesg)" : "startd's standard error");
    }
}

DaemonLog::~DaemonLog() {
    flush();
}

void DaemonLog::write(core::LogLevel level, std::string_view message) {
    if (!wants(level)) {
        return;
    }
    if (m_syslog && m_syslog->send(level, message)) {
        return;
    }
    if (m_kmsg_wanted && to_kmsg(level, message)) {
        return;
    }
    to_fd(level, message);
}

void DaemonLog::to_fd(core::LogLevel level, std::string_view message) {
    auto now = m_sys.wall_clock();
    auto since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    char millis[8];
    std::snprintf(millis, sizeof millis, ".%03d", static_cast<int>(since_epoch % 1000));
    m_pending += stamp(static_cast<std::time_t>(since_epoch / 1000));
    m_pending += millis;
    m_pending += " startd: ";
    m_pending += level_names[static_cast<std::size_t>(level)];
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

bool DaemonLog::to_kmsg(core::LogLevel level, std::string_view message) {
    if (!m_kmsg && !m_kmsg_failed) {
        auto fd = m_sys.open("/dev/kmsg", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        m_kmsg_failed = !fd;
        if (fd) {
            m_kmsg = std::move(fd).value();
        }
    }
    if (!m_kmsg) {
        return false;
    }
    // One write is one kernel log record; the kernel cuts it at about 1 KiB.
    std::string line = "<" + std::to_string(kmsg_priorities[static_cast<std::size_t>(level)]) + ">startd[" +
                       std::to_string(m_sys.getpid()) + "]: ";
    line += message.substr(0, 1000);
    line += '\n';
    return m_sys.write(m_kmsg.get(), line.data(), line.size()).has_value();
}

const std::string& DaemonLog::stamp(std::time_t secs) {
    if (secs != m_stamp_second) {
        std::tm local{};
        ::localtime_r(&secs, &local);
        char text[32];
        std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
        m_stamp.assign(text, n);
        m_stamp_second = secs;
    }
    return m_stamp;
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
