// Owns ExitStatus: how a process ended, and Upstart's encodings of it (status, or signal << 8).
#pragma once

#include <string>

namespace core {

struct ExitStatus {
    bool signaled = false; // killed by `code`, rather than exited with `code`
    int code = 0;
    // The process was not startd's child (adopted after startd restarted): it is known to have
    // ended, not how. Taken as a normal end (status 0): a hook lets its job move on, a task is
    // done, a respawning service comes back, as after any end of its main process.
    bool unknown = false;

    static ExitStatus exited(int status) { return {false, status, false}; }
    static ExitStatus killed(int signum) { return {true, signum, false}; }
    static ExitStatus ended_unknown() { return {false, 0, true}; }

    // Upstart's single-int form: the exit status, or the signal number shifted left by 8.
    int encoded() const { return signaled ? code << 8 : code; }
    bool success() const { return !signaled && code == 0; }
    bool operator==(const ExitStatus&) const = default;
};

// "terminated with status 3" / "killed by TERM signal" (Upstart's log wording).
std::string describe(const ExitStatus& status);

} // namespace core
