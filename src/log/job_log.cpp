// Owns appending job output to its log file.
#include "log/job_log.h"

#include <algorithm>
#include <ctime>
#include <fcntl.h>

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

bool JobLog::ensure_open() {
    if (m_fd.valid()) {
        return true;
    }
    auto fd = m_sys.open(m_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY | O_NONBLOCK, 0640);
    if (!fd) {
        return false;
    }
    m_fd = std::move(fd).value();
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

void JobLog::write_out(std::string& out) {
    std::string_view rest = out;
    while (!rest.empty() && ensure_open()) {
        auto n =
            m_torn ? m_sys.write(m_fd.get(), "\n", 1) : m_sys.write(m_fd.get(), rest.data(), rest.size());
        if (!n || *n == 0) {
            // Disk full, I/O error, or a file that would block: drop, and open afresh next time
            // (the file may have been removed or its filesystem remounted).
            m_fd.reset();
            break;
        }
        if (m_torn) {
            m_torn = false; // the newline the torn record lacked
            continue;
        }
        m_written += *n;
        rest.remove_prefix(*n);
    }
    if (!rest.empty()) {
        // Every record ends with one newline, so the newlines left are the lines lost.
        std::size_t done = out.size() - rest.size();
        m_torn = m_torn || (done > 0 && out[done - 1] != '\n');
        m_dropped += rest.size();
        m_dropped_lines += static_cast<std::uint64_t>(std::count(rest.begin(), rest.end(), '\n'));
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
            write_out(out);
        }
    }
    if (!out.empty()) {
        write_out(out);
    }
}

void JobLog::flush(std::string& pending, std::int64_t unix_seconds) {
    if (!pending.empty()) {
        std::string out;
        add_record(out, pending, unix_seconds);
        pending.clear();
        write_out(out);
    }
}

} // namespace joblog
