// Owns the helpers for tests that run real children on the real kernel: bounded waits, cleanup
// by pid, and the descriptors a process holds. Nothing here waits without a bound, and no child outlives its
// test.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "sys/sys.h"

namespace test_support {

using namespace std::chrono_literals;

// The bound used by every real-kernel wait in the tests: generous for a loaded CI machine,
// short enough that a hang fails fast.
inline constexpr std::chrono::milliseconds real_bound = 5s;

// A plan that runs `file` with `argv` and a minimal environment (PATH=/usr/bin:/bin).
sys::SpawnPlan program_plan(std::string file, std::vector<std::string> argv);
// A plan that runs `script` with /bin/sh -c.
sys::SpawnPlan shell_plan(const std::string& script);

// Owns a real child for the length of a test: SIGKILLs and reaps it on destruction unless the
// test reaped it already (mark with reaped()).
class ChildGuard {
public:
    explicit ChildGuard(pid_t pid) : m_pid(pid) {}
    ChildGuard(const ChildGuard&) = delete;
    ChildGuard& operator=(const ChildGuard&) = delete;
    ~ChildGuard();

    void reaped() { m_pid = -1; }

private:
    pid_t m_pid;
};

// Waits until `fd` is readable, at most `bound`. True if it became readable.
bool wait_readable(int fd, std::chrono::milliseconds bound = real_bound);

// Waits (bounded) for the child behind `pidfd` to terminate, then reaps it.
// nullopt if it did not terminate in time (it is left to the caller's ChildGuard).
std::optional<sys::ChildStatus> wait_exit(int pidfd, std::chrono::milliseconds bound = real_bound);

// Same, for a child without a pidfd: polls waitid(P_PID, WNOHANG) every millisecond, bounded.
std::optional<sys::ChildStatus> wait_exit_pid(pid_t pid, std::chrono::milliseconds bound = real_bound);

// Reads `fd` until end-of-file, waiting at most `bound` in total.
std::string read_all(int fd, std::chrono::milliseconds bound = real_bound);

// The descriptors `pid` holds now, ascending, as /proc/PID/fd lists them (empty once it is gone).
std::vector<int> open_fds(pid_t pid);
// open_fds(pid) once it is `want`, polled every 10 ms for at most `bound`; else the last
// reading. Right after an exec the dynamic loader holds a library open for a moment.
std::vector<int> open_fds_settled(pid_t pid, const std::vector<int>& want,
                                  std::chrono::milliseconds bound = real_bound);

// The resident set size of `pid` in KiB (VmRSS in /proc/PID/status), or -1.
long rss_kib(pid_t pid);

// A fresh private directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
public:
    TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir();

    const std::string& path() const { return m_path; }
    std::string operator/(const std::string& name) const { return m_path + "/" + name; }

private:
    std::string m_path;
};

} // namespace test_support
