// Owns the real-kernel test helpers declared in real_child.h.
#include "support/real_child.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace test_support {

namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? static_cast<int>(left) : 0;
}

} // namespace

sys::SpawnPlan program_plan(std::string file, std::vector<std::string> argv) {
    sys::SpawnPlan plan;
    plan.file = std::move(file);
    plan.argv = std::move(argv);
    plan.envp = {"PATH=/usr/bin:/bin"};
    return plan;
}

sys::SpawnPlan shell_plan(const std::string& script) {
    return program_plan("/bin/sh", {"sh", "-c", script});
}

ChildGuard::~ChildGuard() {
    if (m_pid > 0) {
        ::kill(m_pid, SIGKILL);
        siginfo_t info{};
        while (::waitid(P_PID, static_cast<id_t>(m_pid), &info, WEXITED) < 0 && errno == EINTR) {
        }
    }
}

bool wait_readable(int fd, std::chrono::milliseconds bound) {
    auto deadline = Clock::now() + bound;
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        int n = ::poll(&p, 1, remaining_ms(deadline));
        if (n > 0) {
            return true;
        }
        if (n == 0 || errno != EINTR) {
            return false;
        }
    }
}

std::optional<sys::ChildStatus> wait_exit(int pidfd, std::chrono::milliseconds bound) {
    if (!wait_readable(pidfd, bound)) {
        return std::nullopt;
    }
    siginfo_t info{};
    if (::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), &info, WEXITED) < 0) {
        return std::nullopt;
    }
    return sys::ChildStatus{info.si_pid, info.si_code, info.si_status};
}

std::optional<sys::ChildStatus> wait_exit_pid(pid_t pid, std::chrono::milliseconds bound) {
    auto deadline = Clock::now() + bound;
    while (Clock::now() < deadline) {
        siginfo_t info{};
        if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG) == 0 && info.si_pid == pid) {
            return sys::ChildStatus{info.si_pid, info.si_code, info.si_status};
        }
        std::this_thread::sleep_for(1ms);
    }
    return std::nullopt;
}

std::string read_all(int fd, std::chrono::milliseconds bound) {
    auto deadline = Clock::now() + bound;
    std::string out;
    char buf[4096];
    while (remaining_ms(deadline) > 0 && wait_readable(fd, std::chrono::milliseconds(remaining_ms(deadline)))) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

std::vector<int> open_fds(pid_t pid) {
    std::vector<int> fds;
    std::string dir = "/proc/" + std::to_string(pid) + "/fd";
    if (DIR* d = ::opendir(dir.c_str())) {
        while (dirent* entry = ::readdir(d)) {
            if (entry->d_name[0] != '.') {
                fds.push_back(std::atoi(entry->d_name));
            }
        }
        ::closedir(d);
    }
    std::sort(fds.begin(), fds.end());
    return fds;
}

std::vector<int> open_fds_settled(pid_t pid, const std::vector<int>& want, std::chrono::milliseconds bound) {
    auto deadline = Clock::now() + bound;
    std::vector<int> fds = open_fds(pid);
    while (fds != want && Clock::now() < deadline) {
        std::this_thread::sleep_for(10ms);
        fds = open_fds(pid);
    }
    return fds;
}

long rss_kib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with("VmRSS:")) {
            return std::atol(line.c_str() + 6);
        }
    }
    return -1;
}

TempDir::TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/startd-test-XXXXXX";
    if (char* made = ::mkdtemp(pattern.data())) {
        m_path = made;
    }
}

TempDir::~TempDir() {
    if (!m_path.empty()) {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
}

} // namespace test_support
