// Owns launching, finding and stopping an instance's startd (instance_daemon.h).
#include "cli/instance_daemon.h"

#include "cli/client.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sys/epoll.h>

namespace cli {

namespace {

// Waits until `fd` is readable or `deadline` passes; false on timeout.
base::Result<bool> wait_readable(sys::Sys& sys, int fd, sys::TimePoint deadline) {
    auto ep = sys.epoll_create1(0);
    if (!ep) {
        return ep.error();
    }
    if (auto added = sys.epoll_ctl(ep->get(), EPOLL_CTL_ADD, fd, EPOLLIN, 0); !added) {
        return added.error();
    }
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - sys.now());
        if (left.count() <= 0) {
            return false;
        }
        std::array<epoll_event, 1> events{};
        auto n = sys.epoll_wait(ep->get(), events, static_cast<int>(left.count()) + 1);
        if (!n) {
            if (n.error().code() == EINTR) {
                continue;
            }
            return n.error();
        }
        if (*n > 0) {
            return true;
        }
    }
}

std::string seconds(std::chrono::milliseconds d) {
    return std::to_string(d.count() / 1000) +
           (d.count() % 1000 != 0 ? "." + std::to_string(d.count() % 1000 / 100) : "") + " s";
}

} // namespace

std::vector<std::string> daemon_environment(char** environ_now) {
    std::vector<std::string> env;
    for (char** e = environ_now; e != nullptr && *e != nullptr; ++e) {
        std::string_view kv = *e;
        std::string_view name = kv.substr(0, kv.find('='));
        if (name == "NOTIFY_SOCKET" || name == "STARTD_CONFIG" || name == "STARTD_SOCKET" ||
            name == "STARTD_MODE" || name.starts_with("UPSTART_")) {
            continue;
        }
        env.emplace_back(kv);
    }
    return env;
}

base::Result<pid_t> launch_daemon(sys::Sys& sys, const DaemonLaunch& launch,
                                  std::chrono::milliseconds bound) {
    auto log = sys.open(launch.log_file.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0600);
    if (!log) {
        return base::Error("cannot open " + launch.log_file + ": " + log.error().message());
    }
    auto null = sys.open("/dev/null", O_RDONLY);
    if (!null) {
        return base::Error("cannot open /dev/null: " + null.error().message());
    }
    auto ready = sys.pipe2(O_CLOEXEC | O_NONBLOCK);
    if (!ready) {
        return base::Error("cannot make the readiness pipe: " + ready.error().message());
    }
    sys::SpawnPlan plan;
    plan.file = launch.program;
    plan.argv = launch.argv;
    plan.argv.insert(plan.argv.end(), {"--ready-fd", "3"});
    plan.envp = launch.envp;
    plan.fds = {{null->get(), 0}, {log->get(), 1}, {log->get(), 2}, {ready->second.get(), 3}};
    plan.new_session = true; // not in startctl's session: a terminal hang-up must not reach it
    auto spawned = sys.spawn(plan);
    if (!spawned) {
        return base::Error("cannot run " + launch.program + ": " + spawned.error().message());
    }
    pid_t pid = spawned->pid;
    ready->second.reset(); // ours: end of file once startd exits or closes its copy
    sys::TimePoint deadline = sys.now() + bound;
    std::string got;
    for (;;) {
        auto readable = wait_readable(sys, ready->first.get(), deadline);
        if (!readable) {
            return base::Error("cannot wait for startd (pid " + std::to_string(pid) +
                               "): " + readable.error().message());
        }
        if (!*readable) {
            (void)sys.kill(pid, SIGTERM);
            return base::Error("startd (pid " + std::to_string(pid) + ") was not ready within " +
                               seconds(bound) + "; it was sent SIGTERM (see " + launch.log_file + ")");
        }
        char buf[64];
        auto n = sys.read(ready->first.get(), buf, sizeof buf);
        if (!n && n.error().code() == EAGAIN) {
            continue;
        }
        if (n && *n > 0) {
            got.append(buf, *n);
            if (got.find('\n') != std::string::npos) {
                return pid;
            }
            continue;
        }
        // End of file without the line: it exited (or closed the descriptor) before it was ready.
        if (spawned->pidfd.valid()) {
            (void)wait_readable(sys, spawned->pidfd.get(),
                                std::min(deadline, sys.now() + std::chrono::seconds(5)));
        }
        auto status = sys.waitid(P_PID, static_cast<id_t>(pid), WEXITED | WNOHANG);
        if (status && status->pid == 0) {
            (void)sys.kill(pid, SIGTERM);
            return base::Error(
                "startd (pid " + std::to_string(pid) +
                ") closed its readiness descriptor without saying it was ready; it was sent SIGTERM "
                "(see " +
                launch.log_file + ")");
        }
        std::string how = !status            ? "exited"
                          : status->exited() ? "exited with status " + std::to_string(status->status)
                                             : "was killed by signal " + std::to_string(status->status);
        return base::Error("startd " + how + " before it was ready (see " + launch.log_file + ")");
    }
}

base::Result<std::optional<pid_t>> serving_pid(sys::Sys& sys, const std::string& socket) {
    auto client = Client::connect(sys, socket);
    if (!client) {
        int code = client.error().code();
        if (code == ENOENT || code == ECONNREFUSED) {
            return std::optional<pid_t>();
        }
        return client.error();
    }
    return std::optional<pid_t>(client->peer_pid());
}

base::Result<void> stop_daemon(sys::Sys& sys, pid_t pid, std::chrono::milliseconds bound) {
    auto pidfd = sys.pidfd_open(pid);
    if (!pidfd) {
        if (pidfd.error().code() == ESRCH) {
            return {}; // gone already
        }
        return base::Error("cannot watch startd (pid " + std::to_string(pid) +
                           "): " + pidfd.error().message());
    }
    if (auto sent = sys.kill(pid, SIGTERM); !sent && sent.error().code() != ESRCH) {
        return base::Error("cannot stop startd (pid " + std::to_string(pid) + "): " + sent.error().message());
    }
    auto exited = wait_readable(sys, pidfd->get(), sys.now() + bound);
    if (!exited) {
        return base::Error("cannot wait for startd (pid " + std::to_string(pid) +
                           "): " + exited.error().message());
    }
    if (!*exited) {
        return base::Error("startd (pid " + std::to_string(pid) + ") did not exit within " + seconds(bound) +
                           " of SIGTERM (its jobs may still be stopping)");
    }
    return {};
}

} // namespace cli
