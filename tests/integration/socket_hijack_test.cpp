// Tests, with the real startd and startctl, that a local user cannot hijack a user-mode control
// socket (issue 12, item 7): a runtime dir someone else prepared is refused by both, and startctl
// checks who serves the socket (SO_PEERCRED) before it sends a byte.
#include "support/daemon_harness.h"
#include "support/real_child.h"

#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using test_support::CtlResult;
using test_support::DaemonHarness;

constexpr uid_t nobody = 65534;

// A fake startd: a child that listens on `path` (as `uid` when set: it drops to it before
// listen(), so SO_PEERCRED names that uid), accepts one connection if one comes within two
// seconds, reads its first bytes (or end of file), and reports how many bytes it received.
class FakeServer {
  public:
    FakeServer(const std::string& path, std::optional<uid_t> uid) {
        int ready[2];
        int report[2];
        if (::pipe2(ready, O_CLOEXEC) != 0 || ::pipe2(report, O_CLOEXEC) != 0) {
            return;
        }
        m_pid = ::fork();
        if (m_pid == 0) {
            serve(path, uid, ready[1], report[1]); // never returns
        }
        ::close(ready[1]);
        ::close(report[1]);
        m_report = report[0];
        char c = 0;
        m_listening = test_support::wait_readable(ready[0]) && ::read(ready[0], &c, 1) == 1 && c == 'L';
        ::close(ready[0]);
    }
    ~FakeServer() {
        if (m_report >= 0) {
            ::close(m_report);
        }
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
    }
    FakeServer(const FakeServer&) = delete;
    FakeServer& operator=(const FakeServer&) = delete;

    bool listening() const { return m_listening; }
    // Bytes the server received from its one client (-1: it never reported).
    long received() {
        long n = -1;
        if (!test_support::wait_readable(m_report) || ::read(m_report, &n, sizeof n) != sizeof n) {
            return -1;
        }
        return n;
    }

  private:
    [[noreturn]] static void serve(const std::string& path, std::optional<uid_t> uid, int ready, int report) {
        if (uid && (::setgid(*uid) != 0 || ::setuid(*uid) != 0)) {
            ::_exit(2);
        }
        int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
        if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(s, 4) != 0) {
            ::_exit(3);
        }
        [[maybe_unused]] ssize_t w = ::write(ready, "L", 1);
        long total = 0;
        pollfd p{s, POLLIN, 0};
        if (::poll(&p, 1, 2000) == 1) {
            int c = ::accept4(s, nullptr, nullptr, SOCK_CLOEXEC);
            char buf[4096];
            pollfd q{c, POLLIN, 0};
            while (c >= 0 && ::poll(&q, 1, 1000) == 1) {
                ssize_t n = ::read(c, buf, sizeof buf);
                if (n <= 0) {
                    break;
                }
                total += n;
                break; // got the request: hang up without replying
            }
        }
        [[maybe_unused]] ssize_t r = ::write(report, &total, sizeof total);
        ::_exit(0);
    }

    pid_t m_pid = -1;
    int m_report = -1;
    bool m_listening = false;
};

// The environment of a user session without XDG_RUNTIME_DIR's usual /run/user/UID: the runtime
// dir is DIR/xdg/startd, which an attacker can prepare just as they can /tmp/startd-UID.
std::vector<std::string> session_env(const DaemonHarness& h) {
    return {"XDG_RUNTIME_DIR=" + h.dir() + "/xdg",
            "HOME=" + h.dir() + "/home",
            "XDG_CONFIG_HOME=" + h.dir() + "/config",
            "XDG_STATE_HOME=" + h.dir() + "/state",
            "STARTD_SOCKET=",
            "STARTD_CONFIG="};
}

void plant_runtime_dir(const DaemonHarness& h, uid_t owner, mode_t mode) {
    std::string xdg = h.dir() + "/xdg";
    ASSERT_EQ(::mkdir(xdg.c_str(), 0700), 0);
    ASSERT_EQ(::mkdir((xdg + "/startd").c_str(), 0700), 0);
    ASSERT_EQ(::chown((xdg + "/startd").c_str(), owner, owner), 0);
    ASSERT_EQ(::chmod((xdg + "/startd").c_str(), mode), 0);
}

TEST(IntegrationSocketHijack, UserStartdRefusesARuntimeDirOwnedByAnotherUser) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "needs root to create a directory owned by another uid";
    }
    DaemonHarness h;
    plant_runtime_dir(h, nobody, 0777);
    CtlResult r = h.run({STARTD_BINARY, "--user"}, session_env(h), std::chrono::seconds(10));
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find("startd: refusing to use runtime directory " + h.dir() +
                         "/xdg/startd: it is owned by uid 65534, not by you (uid 0)"),
              std::string::npos)
        << r.err;
    struct stat st {};
    ASSERT_EQ(::lstat((h.dir() + "/xdg/startd/control").c_str(), &st), -1) << "startd made its socket there";
}

TEST(IntegrationSocketHijack, UserStartdRefusesItsOwnRuntimeDirOpenToEveryone) {
    DaemonHarness h;
    plant_runtime_dir(h, ::geteuid(), 0777);
    CtlResult r = h.run({STARTD_BINARY, "--user"}, session_env(h), std::chrono::seconds(10));
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find("/xdg/startd: its mode is 0777, not 0700"), std::string::npos) << r.err;
}

TEST(IntegrationSocketHijack, StartctlDoesNotConnectThroughAnUnsafeRuntimeDir) {
    DaemonHarness h;
    plant_runtime_dir(h, ::geteuid(), 0777);
    // Whoever planted the directory serves a socket in it (as our own uid here, so that only the
    // directory check can stop startctl).
    FakeServer server(h.dir() + "/xdg/startd/control", std::nullopt);
    ASSERT_TRUE(server.listening());
    CtlResult r = h.run({STARTCTL_BINARY, "--user", "set-env", "DB_PASSWORD=hunter2"}, session_env(h),
                        std::chrono::seconds(10));
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find("refusing to use runtime directory " + h.dir() + "/xdg/startd: its mode is 0777"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(server.received(), 0);
}

TEST(IntegrationSocketHijack, StartctlRefusesASocketServedByAnotherUidBeforeSendingAnything) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "needs root to run the fake server as another uid";
    }
    DaemonHarness h;
    test_support::TempDir open_dir; // somewhere uid 65534 can create its socket
    ASSERT_EQ(::chmod(open_dir.path().c_str(), 0777), 0);
    std::string path = open_dir / "control";
    FakeServer server(path, nobody);
    ASSERT_TRUE(server.listening());
    CtlResult r = h.run({STARTCTL_BINARY, "--socket", path, "set-env", "DB_PASSWORD=hunter2"}, {},
                        std::chrono::seconds(10));
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find("Refusing to talk to startd at " + path + ": it is served by uid 65534"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(server.received(), 0);
}

TEST(IntegrationSocketHijack, TheFakeServerDoesRecordWhatAnAcceptedClientSends) {
    // The control for the test above: served by our own uid, startctl sends its request.
    DaemonHarness h;
    std::string path = h.dir() + "/control";
    FakeServer server(path, std::nullopt);
    ASSERT_TRUE(server.listening());
    CtlResult r = h.run({STARTCTL_BINARY, "--socket", path, "version"}, {}, std::chrono::seconds(10));
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("startd closed the connection before replying"), std::string::npos) << r.err;
    EXPECT_GT(server.received(), 0);
}

TEST(IntegrationSocketHijack, UserStartdCreatesAPrivateRuntimeDirAndStartctlUsesIt) {
    DaemonHarness h;
    ASSERT_EQ(::mkdir((h.dir() + "/xdg").c_str(), 0700), 0);
    auto env = session_env(h);
    // Launched through the harness's runner in the background: startd stays up until stopped.
    pid_t pid = ::fork();
    if (pid == 0) {
        for (const std::string& kv : env) {
            ::putenv(const_cast<char*>(kv.c_str()));
        }
        int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0);
        ::dup2(null, 1);
        ::dup2(null, 2);
        ::execl(STARTD_BINARY, STARTD_BINARY, "--user", static_cast<char*>(nullptr));
        ::_exit(127);
    }
    test_support::ChildGuard guard(pid);
    bool up = DaemonHarness::wait_for([&] {
        return h.run({STARTCTL_BINARY, "--user", "version"}, env, std::chrono::seconds(5)).status == 0;
    });
    ASSERT_TRUE(up);
    struct stat st {};
    ASSERT_EQ(::lstat((h.dir() + "/xdg/startd").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    EXPECT_EQ(st.st_uid, ::geteuid());
    ::kill(pid, SIGTERM);
    auto status = test_support::wait_exit_pid(pid);
    ASSERT_TRUE(status.has_value());
    guard.reaped();
}

} // namespace
