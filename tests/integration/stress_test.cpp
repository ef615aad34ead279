// Integration under load: hundreds of jobs at once with no zombie left, a flood of control
// requests (garbage included) with startd still answering, and startd as PID 1 in a container.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <random>
#include <thread>

#include "control/framing.h"
#include "control/protocol.h"
#include "support/daemon_harness.h"
#include "support/real_daemons.h"

namespace {

using test_support::DaemonHarness;
using namespace std::chrono_literals;

TEST(IntegrationStress, TwoHundredJobsStartAndStopConcurrentlyLeavingNoZombie) {
    DaemonHarness h;
    constexpr int n = 200;
    for (int i = 0; i < n; ++i) {
        h.write_job("svc" + std::to_string(i), "exec sleep 300\n");
    }
    ASSERT_TRUE(h.start_daemon());
    for (int i = 0; i < n; ++i) {
        ASSERT_EQ(h.ctl({"start", "--no-wait", "svc" + std::to_string(i)}).status, 0);
    }
    std::vector<pid_t> pids;
    ASSERT_TRUE(DaemonHarness::wait_for([&] {
        auto list = h.ctl({"list"});
        pids.clear();
        std::size_t pos = 0;
        while ((pos = list.out.find("start/running, process ", pos)) != std::string::npos) {
            pids.push_back(DaemonHarness::pid_in(list.out.substr(pos)));
            ++pos;
        }
        return pids.size() == n;
    }, 30s)) << pids.size() << " running";
    for (int i = 0; i < n; ++i) {
        ASSERT_EQ(h.ctl({"stop", "--no-wait", "svc" + std::to_string(i)}).status, 0);
    }
    EXPECT_TRUE(DaemonHarness::wait_for([&] {
        for (pid_t p : pids) {
            if (DaemonHarness::process_exists(p)) {
                return false;
            }
        }
        return true;
    }, 30s));
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return h.zombie_children().empty(); }, 5s))
        << h.zombie_children().size() << " zombies";
    EXPECT_EQ(h.ctl({"status", "svc7"}).out, "svc7 stop/waiting\n");
}

// SIGTERM stops hundreds of jobs in one round: their kills go out as one batch, for which startd
// reads the process tree once (a scan of /proc rather than a walk per job). A job whose main
// process has a child in a session of its own (out of the job's process group) must still have
// that child stopped, and nothing may be left behind.
TEST(IntegrationStress, SigtermStopsTwoHundredJobsAndTheChildOneOfThemMovedOutOfItsGroup) {
    DaemonHarness h;
    constexpr int n = 200;
    for (int i = 0; i < n; ++i) {
        h.write_job("svc" + std::to_string(i), "start on startup\nexec sleep 300\n");
    }
    // The subshell is not a group leader, so setsid(1) calls setsid() itself without forking:
    // `sleep 301` runs in a new session as the child of the job's main process.
    h.write_job("escaper",
                "start on startup\nscript\n  (exec setsid sleep 301) &\n  exec sleep 300\nend script\n");
    ASSERT_TRUE(h.start_daemon());
    std::vector<pid_t> all;
    pid_t escaped = 0;
    ASSERT_TRUE(DaemonHarness::wait_for(
        [&] {
            all = h.descendants();
            auto outside = test_support::with_cmdline(all, "sleep 301");
            escaped = outside.empty() ? 0 : outside.front();
            return escaped != 0 && test_support::with_cmdline(all, "sleep 300").size() == n + 1;
        },
        30s))
        << all.size() << " processes";
    ASSERT_EQ(::getsid(escaped), escaped) << "the child leads a session of its own";
    EXPECT_EQ(h.stop_daemon(), 0);
    EXPECT_FALSE(DaemonHarness::process_exists(escaped)) << "the child that left the group was not stopped";
    for (pid_t p : all) {
        EXPECT_FALSE(DaemonHarness::process_exists(p)) << "process " << p << " outlived startd";
    }
}

// A task that leaves a daemon behind (it forks, the daemon leaves the session, the task
// exits): startd adopts it as a subreaper. A shutdown stops it after every job has stopped —
// with KILL after the 5 s timeout, since this one ignores TERM.
TEST(IntegrationStress, SigtermEndsWithTheDaemonsJobsLeftBehindEvenOneIgnoringTerm) {
    DaemonHarness h;
    h.write_job("leaver", "start on startup\ntask\nscript\n"
                          "  (setsid sh -c 'trap \"\" TERM; exec sleep 302' &)\nend script\n");
    h.write_job("web", "start on startup\nexec sleep 300\n");
    ASSERT_TRUE(h.start_daemon());
    pid_t left = 0;
    // The task first (the subshell that forked the daemon, whose command line names "sleep 302"
    // too, is gone once the task has ended), then the daemon it left.
    ASSERT_TRUE(DaemonHarness::wait_for([&] {
        if (h.ctl({"status", "leaver"}).out.find("stop/waiting") == std::string::npos) {
            return false;
        }
        auto found = test_support::with_cmdline(h.descendants(), "sleep 302");
        left = found.empty() ? 0 : found.front();
        return left != 0;
    })) << h.daemon_output();
    EXPECT_EQ(h.stop_daemon(), 0) << h.daemon_output();
    EXPECT_FALSE(DaemonHarness::process_exists(left)) << "the daemon the task left behind outlived startd";
    std::string out = h.daemon_output();
    EXPECT_NE(out.find("they left behind: " + std::to_string(left)), std::string::npos) << out;
    EXPECT_NE(out.find("outlived TERM; sending KILL"), std::string::npos) << out;
}

// Sends raw bytes over one connection and reads whatever comes back (bounded).
int raw_connect(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    path.copy(a.sun_path, path.size());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Issue 12 (soak): crashers that respawn without limit, all started in one round, exit as fast
// as startd respawns them. Reaping used to loop until no child was left, respawning each one
// on the way, and a respawned crasher had exited again before the loop ended: startd reaped and
// respawned for ever, and neither a control request nor SIGTERM was ever read. Child exits are
// one source of work among others: a bounded batch per loop turn.
TEST(IntegrationStress, CrashersRespawningWithoutLimitLeaveStartdAnsweringAndSigtermEndsIt) {
    DaemonHarness h;
    constexpr int jobs = 300;
    constexpr int crashers = 20;
    for (int i = 0; i < jobs; ++i) {
        h.write_job("svc" + std::to_string(i), "exec sleep 300\n");
    }
    for (int i = 0; i < crashers; ++i) {
        h.write_job("crash" + std::to_string(i),
                    "start on startup\nrespawn\nrespawn limit unlimited\nexec /bin/false\n");
    }
    ASSERT_TRUE(h.start_daemon());
    // Let the respawn loop run for a while (the old reaper never came back from it).
    std::this_thread::sleep_for(1s);
    for (int round = 0; round < 3; ++round) {
        auto version = h.ctl({"version"}, 10s);
        ASSERT_EQ(version.status, 0) << "no answer to version (round " << round << "): " << version.err;
    }
    EXPECT_EQ(h.stop_daemon(10s), 0) << "SIGTERM did not end startd within 10 s";
}

TEST(IntegrationStress, TenThousandRequestsWithGarbageLeaveStartdAnswering) {
    DaemonHarness h;
    h.write_job("web", "exec sleep 300\n");
    ASSERT_TRUE(h.start_daemon());
    std::mt19937 rng(42);
    int sent = 0;
    for (int conn = 0; conn < 100 && sent < 10000; ++conn) {
        int fd = raw_connect(h.socket());
        ASSERT_GE(fd, 0);
        std::string batch;
        for (int i = 0; i < 100; ++i, ++sent) {
            switch (i % 5) {
            case 0: {
                control::Request r;
                r.id = static_cast<std::uint64_t>(sent);
                r.command = "status";
                r.args = {{"job", "web"}};
                batch += control::encode_frame(control::encode_request(r));
                break;
            }
            case 1:
                batch += control::encode_frame("{not json");
                break;
            case 2:
                batch += control::encode_frame(R"({"v":1,"id":3,"cmd":"start","args":{"job":["x"]}})");
                break;
            case 3: {
                std::string junk(64, '\0');
                for (char& c : junk) {
                    c = static_cast<char>(rng());
                }
                batch += control::encode_frame(junk);
                break;
            }
            default:
                batch += control::encode_frame(R"({"v":99,"cmd":"list"})");
            }
        }
        if (conn % 10 == 9) {
            batch += std::string("\xff\xff\xff\xff", 4); // an impossible length: refused, connection closed
        }
        ssize_t w = ::send(fd, batch.data(), batch.size(), MSG_NOSIGNAL);
        EXPECT_EQ(w, static_cast<ssize_t>(batch.size()));
        // Read the replies (at least one per request) so the server never blocks on us.
        control::FrameDecoder dec(control::max_response_payload);
        int replies = 0;
        int expected = conn % 10 == 9 ? 101 : 100; // plus the too-large refusal
        char buf[65536];
        auto deadline = std::chrono::steady_clock::now() + 10s;
        while (replies < expected && std::chrono::steady_clock::now() < deadline) {
            ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) {
                break;
            }
            dec.feed(std::string_view(buf, static_cast<std::size_t>(n)));
            while (dec.next()) {
                ++replies;
            }
        }
        EXPECT_EQ(replies, expected) << "connection " << conn;
        ::close(fd);
    }
    EXPECT_EQ(sent, 10000);
    auto status = h.ctl({"status", "web"});
    EXPECT_EQ(status.status, 0);
    EXPECT_EQ(status.out, "web stop/waiting\n");
    EXPECT_EQ(h.ctl({"start", "web"}).status, 0) << "still fully working after the flood";
}

TEST(IntegrationContainer, AsPid1ItReapsOrphansAndSigtermStopsEverything) {
    if (::geteuid() != 0 || ::access("/usr/bin/unshare", X_OK) != 0) {
        GTEST_SKIP() << "needs root and unshare(1) for a PID namespace";
    }
    DaemonHarness h;
    // A task whose children outlive it: they are reparented to PID 1, which must reap them.
    h.write_job("orphans", "task\nexec sh -c 'sleep 0.3 & sleep 0.3 & exit 0'\n");
    h.write_job("svc", "exec sleep 300\n");
    ASSERT_TRUE(h.start_daemon({"--debug"}, {"/usr/bin/unshare", "--pid", "--fork", "--mount-proc"}))
        << h.daemon_output();
    pid_t startd = h.daemon_child();
    ASSERT_GT(startd, 0) << "startd runs as the child of unshare";
    auto version = h.ctl({"status", "svc"});
    EXPECT_EQ(version.out, "svc stop/waiting\n");
    ASSERT_EQ(h.ctl({"start", "orphans"}).status, 0);
    pid_t svc = DaemonHarness::pid_in(h.ctl({"start", "svc"}).out);
    ASSERT_GT(svc, 0) << "pids inside the namespace are small, but present";
    // The orphans end after 0.3 s; PID 1 reaps them, leaving no zombie.
    std::this_thread::sleep_for(600ms);
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return DaemonHarness::zombie_children_of(startd).empty(); }, 5s));
    EXPECT_NE(h.daemon_output().find("reaped orphan"), std::string::npos) << h.daemon_output();
    // SIGTERM to PID 1 is an orderly shutdown: jobs stopped, exit status 0 (passed on by unshare).
    ::kill(startd, SIGTERM);
    EXPECT_EQ(h.wait_daemon(15s), 0);
}

} // namespace
