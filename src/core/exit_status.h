// Owns ExitStatus: how a process ended, and Upstart's encodings of it (status, or signal << 8).
#pragma once

#include <string>

namespace core {

struct ExitStatus {
    bool signaled = false; // killed by `code`, rather than exited with `code`
    int code = 0;

    static ExitStatus exited(int status) { return {false, status}; }
    static ExitStatus killed(int signum) { return {true, signum}; }

    // Upstart's single-int form: the exit status, or the signal number shifted left by 8.
    int encoded() const { return signaled ? code << 8 : code; }
    bool success() const { return !signaled && code == 0; }
    bool operator==(const ExitStatus&) const = default;
};

// "terminated with status 3" / "killed by TERM signal" (Upstart's log wording).
std::string describe(const ExitStatus& status);

} // namespace core
