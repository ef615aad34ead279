// Owns JobLog: `console log` output of one job instance appended to LOGDIR/JOB[-INSTANCE].log,
// line by line with a UTC timestamp, never blocking and never failing the job: output that
// cannot be written (disk full, I/O error, directory missing) is dropped and counted for `status`.
// Not here: reading the job's pipes and deciding when a log is closed (daemon/log_pipes.h).
#pragma once

#include "base/unique_fd.h"
#include "sys/sys.h"

#include <cstdint>
#include <string>
#include <string_view>

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

    // Adds bytes one writer (a pipe) produced. `pending` is that writer's unfinished last line:
    // each writer has its own, so two processes of a job never mix their halves of lines.
    // Complete lines are written at once, each with a timestamp, in as few writes as can be.
    void append(std::string& pending, std::string_view bytes, std::int64_t unix_seconds);
    // Writes the writer's unfinished line (its process ended without a final newline).
    void flush(std::string& pending, std::int64_t unix_seconds);
    // Closes the file; the next line opens it again.
    void close() { m_fd.reset(); }

    const std::string& path() const { return m_path; }
    bool is_open() const { return m_fd.valid(); }
    // Bytes of log records (timestamps included) written, and those dropped because they could
    // not be written; lines dropped, whole or in part.
    std::uint64_t written_bytes() const { return m_written; }
    std::uint64_t dropped_bytes() const { return m_dropped; }
    std::uint64_t dropped_lines() const { return m_dropped_lines; }

  private:
    void add_record(std::string& out, std::string_view line, std::int64_t unix_seconds);
    // Writes `out` (whole records) and empties it; what cannot be written is dropped and counted.
    void write_out(std::string& out);
    bool ensure_open();

    sys::Sys& m_sys;
    std::string m_path;
    base::UniqueFd m_fd;
    // The timestamp of the last record, kept: a flood writes many lines per second.
    std::int64_t m_stamp_seconds = -1;
    std::string m_stamp;
    // A write stopped inside a record: the next one starts with a newline, so that record's
    // remains cannot run into the next line.
    bool m_torn = false;
    std::uint64_t m_written = 0;
    std::uint64_t m_dropped = 0;
    std::uint64_t m_dropped_lines = 0;
};

} // namespace joblog
