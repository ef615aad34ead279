// Owns appending job output to its log file.
#include "log/job_log.h"

#include <fcntl.h>

#include <ctime>

namespace joblog {

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

void JobLog::write_line(std::string_view line, std::int64_t unix_seconds) {
    std::string record = timestamp_prefix(unix_seconds);
    record.append(line);
    if (record.back() != '\n') {
        record += '\n';
    }
    if (!ensure_open()) {
        m_dropped += line.size();
        return;
    }
    auto n = m_sys.write(m_fd.get(), record.data(), record.size());
    if (!n || *n < record.size()) {
        // Disk full or I/O error: count what was lost and try a fresh open next time (the file
        // may have been removed or its filesystem remounted).
        std::size_t wrote = n ? *n : 0;
        m_dropped += record.size() - wrote;
        m_written += wrote;
        m_fd.reset();
        return;
    }
    m_written += *n;
}

void JobLog::append(std::string_view bytes, std::int64_t unix_seconds) {
    while (!bytes.empty()) {
        std::size_t nl = bytes.find('\n');
        if (nl == std::string_view::npos) {
            m_partial.append(bytes);
            if (m_partial.size() >= max_line) {
                write_line(m_partial, unix_seconds);
                m_partial.clear();
            }
            return;
        }
        if (m_partial.empty()) {
            write_line(bytes.substr(0, nl + 1), unix_seconds);
        } else {
            m_partial.append(bytes.substr(0, nl + 1));
            write_line(m_partial, unix_seconds);
            m_partial.clear();
        }
        bytes.remove_prefix(nl + 1);
    }
}

void JobLog::flush(std::int64_t unix_seconds) {
    if (!m_partial.empty()) {
        write_line(m_partial, unix_seconds);
        m_partial.clear();
    }
}

} // namespace joblog
