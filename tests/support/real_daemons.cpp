// Owns the real-daemon test helpers (see real_daemons.h).
#include "support/real_daemons.h"

#include <arpa/inet.h>
#include <fstream>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sstream>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace test_support {

std::string missing_for_daemon_test(const std::vector<std::string>& binaries, bool need_root) {
    for (const std::string& b : binaries) {
        if (::access(b.c_str(), X_OK) != 0) {
            return b + " is not installed (scripts/install-deps installs it)";
        }
    }
    if (need_root && ::geteuid() != 0) {
        return "needs root";
    }
    return {};
}

std::string tcp_exchange(int port, const std::string& request, std::size_t want,
                         std::chrono::milliseconds bound) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return {};
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string reply;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        if (!request.empty()) {
            [[maybe_unused]] ssize_t n = ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
        }
        auto deadline = std::chrono::steady_clock::now() + bound;
        while (reply.size() < want) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                break;
            }
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
                break;
            }
            char buf[512];
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n <= 0) {
                break;
            }
            reply.append(buf, static_cast<std::size_t>(n));
        }
    }
    ::close(fd);
    return reply;
}

bool tcp_answers(int port, const std::string& request, const std::string& needle,
                 std::chrono::milliseconds bound) {
    auto deadline = std::chrono::steady_clock::now() + bound;
    while (std::chrono::steady_clock::now() < deadline) {
        if (tcp_exchange(port, request, 256, std::chrono::milliseconds(500)).find(needle) !=
            std::string::npos) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

std::string cmdline_of(pid_t pid) {
    std::string text = read_file("/proc/" + std::to_string(pid) + "/cmdline");
    for (char& c : text) {
        if (c == '\0') {
            c = ' ';
        }
    }
    return text;
}

long uid_of(pid_t pid) {
    std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
    auto at = status.find("\nUid:");
    return at == std::string::npos ? -1 : std::atol(status.c_str() + at + 5);
}

std::vector<pid_t> with_cmdline(const std::vector<pid_t>& pids, const std::string& needle) {
    std::vector<pid_t> out;
    for (pid_t pid : pids) {
        if (cmdline_of(pid).find(needle) != std::string::npos) {
            out.push_back(pid);
        }
    }
    return out;
}

pid_t read_pid_file(const std::string& path) {
    return static_cast<pid_t>(std::atoi(read_file(path).c_str()));
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
}

std::string forking_daemon(int forks, const std::string& pidfile) {
    std::string py = "import os,time";
    for (int i = 0; i < forks; ++i) {
        py += "; os.fork() and os._exit(0)";
        if (i == 0) {
            py += "; os.setsid()";
        }
    }
    py += "; open('" + pidfile + "','w').write(str(os.getpid())); time.sleep(300)";
    return "exec /usr/bin/python3 -c \"" + py + "\"\n";
}

std::string notifying_daemon(const std::string& before, const std::string& messages) {
    return "exec /usr/bin/python3 -c \"import os,socket,time; a=os.environ['NOTIFY_SOCKET']; "
           "a=chr(0)+a[1:] if a[0]=='@' else a; s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM); " +
           before + "; " + messages + "; time.sleep(300)\"\n";
}

void check_wrong_expect_fails_at_the_timeout(DaemonHarness& h, const std::string& job,
                                             const std::string& must_say) {
    using namespace std::chrono_literals;
    h.write_job("other", "exec sleep 300\n");
    ASSERT_TRUE(h.start_daemon({"--ready-timeout", "2"})) << h.daemon_output();
    auto begun = std::chrono::steady_clock::now();
    CtlResult r;
    std::thread starter([&] { r = h.ctl({"start", job}, 10s); });
    EXPECT_TRUE(DaemonHarness::wait_for(
        [&] {
            return h.ctl({"status", job}).out.find("start/spawned") != std::string::npos;
        },
        2s));
    EXPECT_EQ(h.ctl({"start", "other"}, 2s).status, 0)
        << "startd keeps serving while " << job << " is awaited";
    starter.join();
    EXPECT_LT(std::chrono::steady_clock::now() - begun, 6s);
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find(must_say), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("timed out after 2 s"), std::string::npos) << r.err;
    ASSERT_EQ(h.ctl({"stop", "other"}).status, 0);
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return h.descendants().empty(); }, 3s))
        << "no " << job << " left";
    EXPECT_TRUE(DaemonHarness::wait_for(
        [&] {
            return h.ctl({"status", job}).out == job + " stop/waiting\n";
        },
        2s));
}

std::string postfix_master_cf(int port) {
    std::string master = "127.0.0.1:" + std::to_string(port) + " inet n - n - - smtpd\n";
    for (const char* line : {"pickup unix n - n 60 1 pickup",  "cleanup unix n - n - 0 cleanup",
                             "qmgr unix n - n 300 1 qmgr",     "rewrite unix - - n - - trivial-rewrite",
                             "bounce unix - - n - 0 bounce",   "defer unix - - n - 0 bounce",
                             "trace unix - - n - 0 bounce",    "verify unix - - n - 1 verify",
                             "flush unix n - n 1000? 0 flush", "proxymap unix - - n - - proxymap",
                             "smtp unix - - n - - smtp",       "relay unix - - n - - smtp",
                             "showq unix n - n - - showq",     "error unix - - n - - error",
                             "retry unix - - n - - error",     "discard unix - - n - - discard",
                             "local unix - n n - - local",     "anvil unix - - n - 1 anvil",
                             "scache unix - - n - 1 scache",   "postlog unix-dgram n - n - 1 postlogd"}) {
        master += std::string(line) + "\n";
    }
    return master;
}

} // namespace test_support
