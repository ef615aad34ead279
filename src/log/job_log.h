// Owns JobLog: `console log` output of one job instance appended to LOGDIR/JOB[-INSTANCE].log,
// line by line with a UTC timestamp, never blocking and never failing the job: output that
// cannot be written (disk full, I/O error, directory missing) is dropped and counted for `status`,
// and said in the log once writing works again. Rotation: the file is reopened by its path when
// asked (logrotate's mv + SIGHUP) and when it was renamed or deleted (checked at most once a
// second), and, with a size limit, rotated to FILE.1 … FILE.K at a line boundary. A tap sees every
// batch of records (log followers), whether or not the file takes it.
// Not here: reading the job's pipes and deciding when a log is closed (daemon/log_pipes.h).
#pragma once

#include "base/unique_fd.h"
#include "sys/sys.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace joblog {

// "web.log", "getty-tty1.log", "net_dhcp-eth0.log": every '/' in job or instance becomes '_'.
std::string log_file_name(std::string_view job, std::string_view instance);

// "2026-11-25T02:30:01Z " for a time in seconds since the epoch.
std::string timestamp_prefix(std::int64_t unix_seconds);

// Size-based rotation (startd --log-max-size, --log-keep).
struct Rotation {
    std::uint64_t max_size = 0; // a file past this many bytes is rotated; 0: never by size
    unsigned keep = 0;          // rotated files kept: FILE.1 (the newest) … FILE.keep
};

// "startd: 1234 bytes (5 lines) dropped", the record written once a log takes lines again.
std::string drop_notice(std::uint64_t bytes, std::uint64_t lines);

class JobLog {
  public:
    // A line longer than this is written in pieces rather than held in memory.
    static constexpr std::size_t max_line = 64 * 1024;
    // Sees each batch of whole records (timestamped lines) before it is written.
    using Tap = std::function<void(std::string_view records)>;

    JobLog(sys::Sys& sys, std::string path, Rotation rotation = {})
        : m_sys(sys), m_path(std::move(path)), m_rotation(rotation) {}

    // Adds bytes one writer (a pipe) produced. `pending` is that writer's unfinished last line:
    // each writer has its own, so two processes of a job never mix their halves of lines.
    // Complete lines are written at once, each with a timestamp, in as few writes as can be.
    void append(std::string& pending, std::string_view bytes, std::int64_t unix_seconds);
    // Writes the writer's unfinished line (its process ended without a final newline).
    void flush(std::string& pending, std::int64_t unix_seconds);
    // Closes the file; the next line opens it again by its path (and so reopens a rotated log).
    void close() { m_fd.reset(); }
    void set_tap(Tap tap) { m_tap = std::move(tap); }

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
    void write_out(std::string& out, std::int64_t unix_seconds);
    // Writes what it can of `bytes`, rotating by size before a record that would not fit.
    // Returns how much was written; less means the file failed.
    std::size_t write_some(std::string_view bytes);
    bool ensure_open();
    // The file at the path is not the one open (renamed or deleted): closed, to be reopened.
    void check_path(std::int64_t unix_seconds);
    // FILE → FILE.1 → … → FILE.keep; the next write opens a new FILE.
    void rotate();
    // Writes the drop notice; false if the file failed.
    bool report_drops(std::int64_t unix_seconds);

    sys::Sys& m_sys;
    std::string m_path;
    Rotation m_rotation;
    Tap m_tap;
    base::UniqueFd m_fd;
    dev_t m_dev = 0; // the open file's identity and size
    ino_t m_ino = 0;
    std::uint64_t m_size = 0;
    std::int64_t m_checked_at = 0; // when check_path last looked
    // Dropped since the last notice, to be said in the log once writing works again.
    std::uint64_t m_unreported_bytes = 0;
    std::uint64_t m_unreported_lines = 0;
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
