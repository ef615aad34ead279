// Owns DaemonLog: startd's own log lines ("startd: info: …") on its standard error. Lines are
// gathered and written once per turn of the event loop (or once 16 KiB are waiting), not one
// write(2) each: stopping 1,000 jobs logs 1,000 exits in a handful of writes. A line is never
// held past the turn that logged it; what a crash in the middle of a turn loses is that turn's.
// Not here: jobs' console logs (log/job_log), where the lines go is the caller's fd.
#pragma once

#include "core/job_runtime.h"
#include "loop/event_loop.h"
#include "sys/sys.h"

#include <memory>
#include <string>
#include <string_view>

namespace daemon_main {

class DaemonLog {
  public:
    // Writes to `fd` (not owned); debug lines only when `debug`.
    DaemonLog(sys::Sys& sys, loop::EventLoop& loop, int fd, bool debug);
    ~DaemonLog(); // writes what is waiting
    DaemonLog(const DaemonLog&) = delete;
    DaemonLog& operator=(const DaemonLog&) = delete;

    // Whether a line of `level` would be kept (callers need not build the ones that are not).
    bool wants(core::LogLevel level) const { return level != core::LogLevel::Debug || m_debug; }
    void write(core::LogLevel level, std::string_view message);
    // Writes every waiting line now.
    void flush();

    static constexpr std::size_t flush_at = 16 * 1024;

  private:
    sys::Sys& m_sys;
    loop::EventLoop& m_loop;
    int m_fd;
    bool m_debug;
    std::string m_pending;
    bool m_flush_posted = false;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true); // a posted flush outliving us does nothing
};

} // namespace daemon_main
