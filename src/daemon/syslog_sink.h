// Owns SyslogSink: startd's own log lines as syslog datagrams to /dev/log, in the form libc's
// syslog(3) sends ("<PRI>Mmm dd hh:mm:ss startd[PID]: text", facility daemon), without ever
// blocking: the socket is non-blocking and one datagram is one line. When syslog does not take a
// line (no /dev/log yet — startd may start the syslog daemon itself —, nobody listening, its
// queue full) send() says so and the caller writes the line elsewhere; syslog is tried again a
// second later, and its first line after a gap says how many lines went elsewhere meanwhile.
// Not here: which lines are kept (log_priority.h), the other destinations (daemon_log.h).
#pragma once

#include "core/job_runtime.h"
#include "sys/sys.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace daemon_main {

class SyslogSink {
  public:
    // `elsewhere` names where lines go when syslog does not take them ("standard error"), for
    // the note after a gap; `path` is the syslog socket.
    SyslogSink(sys::Sys& sys, std::string elsewhere, std::string path = "/dev/log");

    // Sends `message` at `level`; false when syslog did not take it (the caller keeps it).
    bool send(core::LogLevel level, std::string_view message);

    // The datagram for `message` (its syslog priority from `level`, a local timestamp of `when`,
    // startd's tag and pid), at most max_line bytes.
    static std::string format(core::LogLevel level, std::string_view message,
                              std::chrono::system_clock::time_point when, pid_t pid);
    static constexpr std::size_t max_line = 8 * 1024;
    // How long after a refused line syslog is left alone.
    static constexpr sys::Duration retry_after = std::chrono::seconds(1);

  private:
    bool send_line(core::LogLevel level, std::string_view message);

    sys::Sys& m_sys;
    std::string m_elsewhere;
    std::string m_path;
    base::UniqueFd m_fd;
    sys::TimePoint m_retry_at{};
    std::uint64_t m_missed = 0; // lines syslog did not take since it last did
};

} // namespace daemon_main
