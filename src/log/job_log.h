// Owns JobLog: `console log` output of one job instance appended to LOGDIR/JOB[-INSTANCE].log,
// line by line with a UTC timestamp, never blocking and never failing the job: output that
// cannot be written (disk full, directory missing) is dropped and counted for `status`.
// Not here: reading the job's pipes (the supervisor watches them in the event loop).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/unique_fd.h"
#include "sys/sys.h"

namespace joblog {

// "web.log", "getty-tty1.log", "net_dhcp-eth0.log": every '/' in job or instance becomes '_'.
std::string log_file_name(std::string_view job, std::string_view instance);

// "2026-11-25T02:30:01Z " for a time in seconds since the epoch.
std::string timestamp_prefix(std::int64_t unix_seconds);

class JobLog {
public:
    // A line longer than this is written in pieces rather than held in memory.
    static constexpr std::size_t max_line = 64 * 1024;

    JobLog(sys::Sys& sys, std::string path) : m_sys(sys), m_path(std::move(path)) {}

    // Adds bytes read from the job. Complete lines are written at once, each with a timestamp;
    // an unfinished last line waits for its newline (or flush()).
    void append(std::string_view bytes, std::int64_t unix_seconds);
    // Writes a pending unfinished line (the process ended without a final newline).
    void flush(std::int64_t unix_seconds);

    const std::string& path() const { return m_path; }
    std::uint64_t written_bytes() const { return m_written; }
    std::uint64_t dropped_bytes() const { return m_dropped; }

private:
    void write_line(std::string_view line, std::int64_t unix_seconds);
    bool ensure_open();

    sys::Sys& m_sys;
    std::string m_path;
    base::UniqueFd m_fd;
    std::string m_partial;
    std::uint64_t m_written = 0;
    std::uint64_t m_dropped = 0;
};

} // namespace joblog
