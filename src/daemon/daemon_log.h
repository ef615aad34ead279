// Owns DaemonLog: startd's own log lines and where they go. On standard error (user mode,
// --log-stderr) each line starts with the local time to the millisecond ("2026-12-07
// 20:31:02.123 startd: info: …"), and the lines are gathered and written once per turn of the
// event loop (or once 16 KiB are waiting), not one write(2) each: stopping 1,000 jobs logs 1,000
// exits in a handful of writes. A line is never held past the turn that logged it. In system mode
// the lines go to syslog (syslog_sink.h); a line syslog does not take goes to /dev/kmsg when
// startd is PID 1 (as Upstart's did), else to standard error. Which lines are kept is the log
// priority (log_priority.h), changed at run time by `startctl log-priority`.
// Not here: jobs' console logs (log/job_log).
#pragma once

#include "core/job_runtime.h"
#include "daemon/log_priority.h"
#include "daemon/syslog_sink.h"
#include "loop/event_loop.h"
#include "sys/sys.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace daemon_main {

struct DaemonLogOptions {
    LogPriority priority = LogPriority::Info;
    bool syslog = false; // to syslog first (system mode, unless --log-stderr)
    bool kmsg = false;   // what syslog does not take goes to /dev/kmsg (PID 1) rather than the fd
};

class DaemonLog {
  public:
    // Writes to `fd` (not owned) what does not go to syslog or /dev/kmsg.
    DaemonLog(sys::Sys& sys, loop::EventLoop& loop, int fd, DaemonLogOptions options);
    ~DaemonLog(); // writes what is waiting
    DaemonLog(const DaemonLog&) = delete;
    DaemonLog& operator=(const DaemonLog&) = delete;

    // Whether a line of `level` would be kept (callers need not build the ones that are not).
    bool wants(core::LogLevel level) const { return keeps(m_priority, level); }
    void write(core::LogLevel level, std::string_view message);
    // Writes every waiting line now.
    void flush();

    LogPriority priority() const { return m_priority; }
    void set_priority(LogPriority priority) { m_priority = priority; }

    static constexpr std::size_t flush_at = 16 * 1024;

  private:
    void to_fd(core::LogLevel level, std::string_view message);
    bool to_kmsg(core::LogLevel level, std::string_view message);
    // "YYYY-MM-DD HH:MM:SS" of the second `secs`, formatted once per second.
    const std::string& stamp(std::time_t secs);

    sys::Sys& m_sys;
    loop::EventLoop& m_loop;
    int m_fd;
    LogPriority m_priority;
    std::optional<SyslogSink> m_syslog;
    bool m_kmsg_wanted;
    base::UniqueFd m_kmsg;
    bool m_kmsg_failed = false;
    std::string m_pending;
    std::time_t m_stamp_second = -1;
    std::string m_stamp;
    bool m_flush_posted = false;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true); // a posted flush outliving us does nothing
};

} // namespace daemon_main
