// Owns the job mark in a process's environment (see job_mark.h).
#include "proc/job_mark.h"

#include <charconv>

namespace proc {

std::string job_mark(pid_t startd, std::uint64_t serial) {
    return std::string(job_mark_variable) + "=" + std::to_string(startd) + "-" + std::to_string(serial);
}

std::uint64_t find_job_mark(std::string_view environ, pid_t startd) {
    const std::string prefix = std::string(job_mark_variable) + "=" + std::to_string(startd) + "-";
    while (!environ.empty()) {
        auto nul = environ.find('\0');
        std::string_view entry = environ.substr(0, nul);
        environ = nul == std::string_view::npos ? std::string_view() : environ.substr(nul + 1);
        if (entry.substr(0, job_mark_variable.size() + 1) != prefix.substr(0, job_mark_variable.size() + 1)) {
            continue; // another variable
        }
        // The process's one STARTD_JOB_ID (startd sets it once): it is ours exactly, or not ours.
        if (entry.substr(0, prefix.size()) != prefix) {
            return 0;
        }
        std::string_view digits = entry.substr(prefix.size());
        std::uint64_t serial = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), serial);
        if (ec != std::errc() || end != digits.data() + digits.size() || serial == 0) {
            return 0;
        }
        return entry == job_mark(startd, serial) ? serial : 0; // "…-07" is not "…-7"
    }
    return 0;
}

} // namespace proc
