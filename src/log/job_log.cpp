// Owns appending job output to its log file.
#include "log/job_log.h"

#include <algorithm>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>

namespace joblog {

namespace {

// Records are gathered and written this much at a time: few writes for a flood of short lines,
// and no more held at once than this (plus one line).
constexpr std::size_t write_batch = 64 * 1024;

} // namespace

std::string log_file_name(std::string_view job, std::string_view instance) {
    std::string name(job);
    if (!instance.empty()) {
        name += '-';
        name += instance;
    }
    for (char& c : name) {
        if (c == '/') {
            c = '_';
        }
    }
    return name + ".log";
}

std::string timestamp_prefix(std::int64_t unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ ", &tm);
    return buf;
}

std::string drop_notice(std::uint64_t bytes, std::uint64_t lines) {
    return "startd: " + std::to_string(bytes) + " bytes (" + std::to_string(lines) + " line" +
           (lines == 1 ? "" : "s") + ") dropped";
}

bool JobLog::ensure_open() {
    if (m_fd.valid()) {
        return true;
    }
    auto fd = m_sys.open(m_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY | O_NONBLOCK, 0640);
    if (!fd) {
        return false;
    }
    m_fd = std::move(fd).value();
    if (auto st = m_sys.fstat(m_fd.get()); st) {
        m_dev = st->st_dev;
        m_ino = st->st_ino;
        m_size = static_cast<std::uint64_t>(st->st_size);
    }
    return true;
}

void JobLog::check_path(std::int64_t unix_seconds) {
    if (unix_seconds == m_checked_at) {
        return;
    }
    m_checked_at = unix_seconds;
    if (!m_fd.valid()) {
        return; // opened by its path below
    }
    auto st = m_sys.fstatat(AT_FDCWD, m_path.c_str(), 0);
    if (!st || st->st_dev != m_dev || st->st_ino != m_ino) {
        m_fd.reset(); // renamed away or deleted: never written into again
    }
}

void JobLog::rotate() {
    m_fd.reset();
    if (m_rotation.keep == 0) {
        (void)m_sys.unlink(m_path.c_str());
        return;
    }
    for (unsigned i = m_rotation.keep; i > 1; --i) {
        std::string from = m_path + "." + std::to_string(i - 1);
        (void)m_sys.rename(from.c_str(), (m_path + "." + std::to_string(i)).c_str());
    }
    (void)m_sys.rename(m_path.c_str(), (m_path + ".1").c_str());
}

std::size_t JobLog::write_some(std::string_view bytes) {
    std::string_view piece = bytes;
    if (m_rotation.max_size > 0 && m_size + bytes.size() > m_rotation.max_size) {
        // The whole records that still fit; none: rotate first, unless the file is empty (a record
        // longer than the limit goes whole into a file of its own).
        std::size_t room = m_size < m_rotation.max_size ? m_rotation.max_size - m_size : 0;
        std::size_t end = room == 0 ? std::string_view::npos : bytes.rfind('\n', room - 1);
        if (end == std::string_view::npos && m_size > 0) {
            rotate();
            if (!ensure_open()) {
                return 0;
            }
            if (m_size == 0) {
                return write_some(bytes);
            }
            // The file could not be renamed away: written past the limit rather than not at all.
        }
        if (end == std::string_view::npos) {
            end = bytes.find('\n');
        }
        piece = bytes.substr(0, end == std::string_view::npos ? bytes.size() : end + 1);
    }
    auto n = m_sys.write(m_fd.get(), piece.data(), piece.size());
    if (!n) {
        return 0;
    }
    m_size += *n;
    return *n;
}

bool JobLog::report_drops(std::int64_t unix_seconds) {
    std::string record = m_torn ? "\n" : ""; // a torn record's remains end first
    add_record(record, drop_notice(m_unreported_bytes, m_unreported_lines), unix_seconds);
    std::string_view rest = record;
    while (!rest.empty()) {
        std::size_t n = write_some(rest);
        if (n == 0) {
            m_fd.reset();
            return false; // said the next time (the notice itself is not counted as dropped)
        }
        m_written += n;
        rest.remove_prefix(n);
    }
    m_torn = false;
    m_unreported_bytes = 0;
    m_unreported_lines = 0;
    return true;
}

void JobLog::add_record(std::string& out, std::string_view line, std::int64_t unix_seconds) {
    if (unix_seconds != m_stamp_seconds) {
        m_stamp = timestamp_prefix(unix_seconds);
        m_stamp_seconds = unix_seconds;
    }
    out += m_stamp;
    out += line;
    if (line.empty() || line.back() != '\n') {
        out += '\n';
    }
}

void JobLog::write_out(std::string& out, std::int64_t unix_seconds) {
    if (m_tap) {
        m_tap(out);
    }
    check_path(unix_seconds);
    std::string_view rest = out;
    // Earlier drops are said first, once the file takes a line again; if it does not, this batch
    // is dropped too.
    bool failed = m_unreported_bytes > 0 && (!ensure_open() || !report_drops(unix_seconds));
    while (!failed && !rest.empty() && ensure_open()) {
        std::size_t n = 0;
        if (m_torn) {
            if (auto nl = m_sys.write(m_fd.get(), "\n", 1); nl && *nl == 1) {
                m_torn = false; // the newline the torn record lacked
                ++m_size;
                continue;
            }
        } else {
            n = write_some(rest);
        }
        if (n == 0) {
            // Disk full, I/O error, or a file that would block: drop, and open afresh next time
            // (the file may have been removed or its filesystem remounted).
            m_fd.reset();
            break;
        }
        m_written += n;
        rest.remove_prefix(n);
    }
    if (!rest.empty()) {
        // Every record ends with one newline, so the newlines left are the lines lost.
        std::size_t done = out.size() - rest.size();
        m_torn = m_torn || (done > 0 && out[done - 1] != '\n');
        auto lines = static_cast<std::uint64_t>(std::count(rest.begin(), rest.end(), '\n'));
        m_dropped += rest.size();
        m_dropped_lines += lines;
        m_unreported_bytes += rest.size();
        m_unreported_lines += lines;
    }
    out.clear();
}

void JobLog::append(std::string& pending, std::string_view bytes, std::int64_t unix_seconds) {
    std::string out;
    while (!bytes.empty()) {
        std::size_t nl = bytes.find('\n');
        if (nl == std::string_view::npos) {
            std::size_t take = std::min(bytes.size(), max_line - pending.size());
            pending.append(bytes.substr(0, take));
            bytes.remove_prefix(take);
            if (pending.size() == max_line) {
                add_record(out, pending, unix_seconds);
                pending.clear();
            }
        } else if (pending.empty()) {
            add_record(out, bytes.substr(0, nl + 1), unix_seconds);
            bytes.remove_prefix(nl + 1);
        } else {
            pending.append(bytes.substr(0, nl + 1));
            add_record(out, pending, unix_seconds);
            pending.clear();
            bytes.remove_prefix(nl + 1);
        }
        if (out.size() >= write_batch) {
            write_out(out, unix_seconds);
        }
    }
    if (!out.empty()) {
        write_out(out, unix_seconds);
    }
}

void JobLog::flush(std::string& pending, std::int64_t unix_seconds) {
    if (!pending.empty()) {
        std::string out;
        add_record(out, pending, unix_seconds);
        pending.clear();
        write_out(out, unix_seconds);
    }
}

} // namespace joblog
