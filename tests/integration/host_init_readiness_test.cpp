// Integration: the real startd tells the init that started it when it is ready — READY=1 on a
// real AF_UNIX datagram socket named by NOTIFY_SOCKET (a path or an abstract name, as systemd
// gives it) and a newline on `--ready-fd N` (s6, dinit) — only once its jobs are loaded and its
// socket answers, without handing either to its jobs.
#include "support/daemon_harness.h"

#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

using test_support::CtlResult;
using test_support::DaemonHarness;

// A datagram socket bound at `address` ("/path" or "@abstract"); -1 on failure.
int bind_notify_socket(const std::string& address) {
    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, address.data(), address.size());
    if (address.front() == '@') {
        addr.sun_path[0] = '\0';
    }
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.size() +
                                      (address.front() == '@' ? 0 : 1));
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0) {
        ADD_FAILURE() << "cannot bind " << address << ": " << std::strerror(errno);
        return -1;
    }
    return fd;
}

// What arrives on fd within `ms` (one read), or "" if nothing does; "EOF" at end of file.
std::string read_within(int fd, int ms) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, ms) != 1) {
        return "";
    }
    char buf[512];
    ssize_t n = ::read(fd, buf, sizeof buf);
    return n == 0 ? "EOF" : n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
}

// The job writes its environment where the test can read it, then stays running.
void write_env_job(DaemonHarness& h) {
    h.write_job("envdump", "start on startup\nexec sh -c 'env > " + h.dir() + "/job.env; exec sleep 60'\n");
}

TEST(IntegrationHostInitReadiness, ReadyGoesToAPathNotifySocketOnceTheJobsAreLoadedAndTheSocketServes) {
    DaemonHarness h;
    write_env_job(h);
    int notify = bind_notify_socket(h.dir() + "/notify");
    ASSERT_GE(notify, 0);
    h.launch_daemon({}, {}, {"NOTIFY_SOCKET=" + h.dir() + "/notify"});
    std::string message = read_within(notify, 10000);
    ::close(notify);
    ASSERT_EQ(message, "READY=1\nMAINPID=" + std::to_string(h.daemon_pid()) + "\n") << h.daemon_output();
    // Ready means ready: the first request after READY=1 is answered, and the jobs are there.
    CtlResult list = h.ctl({"list"});
    EXPECT_EQ(list.status, 0) << list.err;
    EXPECT_NE(list.out.find("envdump"), std::string::npos) << list.out;
    ASSERT_TRUE(DaemonHarness::wait_for([&] {
        return test_support::read_file(h.dir() + "/job.env").find("UPSTART_JOB=") != std::string::npos;
    }));
    EXPECT_EQ(test_support::read_file(h.dir() + "/job.env").find("NOTIFY_SOCKET"), std::string::npos)
        << "startd's own NOTIFY_SOCKET reached a job";
    EXPECT_EQ(h.daemon_output().find("warning"), std::string::npos) << h.daemon_output();
    EXPECT_EQ(h.stop_daemon(), 0);
}

TEST(IntegrationHostInitReadiness, AnAbstractNotifySocketAndAReadyFdBothHearOnce) {
    DaemonHarness h;
    write_env_job(h);
    std::string name = "@startd-it-notify-" + std::to_string(::getpid());
    int notify = bind_notify_socket(name);
    ASSERT_GE(notify, 0);
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0); // inherited by startd, which must write and close its copy
    ASSERT_TRUE(h.start_daemon({"--ready-fd=" + std::to_string(pipe_fds[1])}, {}, {"NOTIFY_SOCKET=" + name}))
        << h.daemon_output();
    ::close(pipe_fds[1]);
    EXPECT_EQ(read_within(notify, 10000).rfind("READY=1\n", 0), 0u);
    EXPECT_EQ(read_within(notify, 200), "") << "READY=1 is sent once";
    ::close(notify);
    EXPECT_EQ(read_within(pipe_fds[0], 10000), "\n");
    // End of file while the job (spawned after the descriptor was taken) still runs: startd
    // closed its copy and the job never had one.
    ASSERT_TRUE(
        DaemonHarness::wait_for([&] { return !test_support::read_file(h.dir() + "/job.env").empty(); }));
    EXPECT_EQ(read_within(pipe_fds[0], 10000), "EOF");
    ::close(pipe_fds[0]);
    EXPECT_EQ(h.ctl({"status", "envdump"}).out.find("start/running"), 8u);
    EXPECT_EQ(h.stop_daemon(), 0);
}

TEST(IntegrationHostInitReadiness, AReadyFdThatIsNotOpenIsAUsageError) {
    DaemonHarness h;
    CtlResult r = h.run({STARTD_BINARY, "--user", "--jobs-dir", h.jobs_dir(), "--socket", h.dir() + "/s",
                         "--ready-fd", "987"},
                        {});
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("--ready-fd 987"), std::string::npos) << r.err;
    CtlResult std_stream = h.run({STARTD_BINARY, "--user", "--ready-fd=1"}, {});
    EXPECT_EQ(std_stream.status, 2);
    EXPECT_NE(std_stream.err.find("above 2"), std::string::npos) << std_stream.err;
}

} // namespace
