// Tests watching adopted processes (not our children) for their end: through a pidfd, reported
// once from the loop; a process already gone reported from the loop too, never from inside
// watch(); and without pidfds (an old kernel, no descriptor left) a look once a second, which
// takes a pid reused by another process, or a zombie nobody reaps, as the end.
#include "daemon/adopted_processes.h"

#include "fakes/fake_sys.h"
#include "support/fake_proc.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;

class AdoptedProcessesTest : public ::testing::Test {
  protected:
    // Runs a few loop turns (posted work runs at the end of each).
    void turns(int n = 3) {
        for (int i = 0; i < n; ++i) {
            ASSERT_TRUE(loop->run_once(loop::Wait::No));
        }
    }
    // The process's real parent (init, after the predecessor died) reaps it: it is gone.
    void reaped_by_init(pid_t pid) { ASSERT_TRUE(sys.waitid(P_PID, static_cast<id_t>(pid), WEXITED | WNOHANG)); }
    // A process /proc shows started 100 ticks after boot, watched without pidfds (polled).
    pid_t polled_with_stat() {
        sys.set_pidfd_supported(false);
        sys.add_dir("/proc");
        pid_t pid = sys.add_child_process();
        sys.add_file(stat_path(pid), test_support::stat_line(pid, 'S', 100));
        adopted.watch(pid);
        return pid;
    }
    static std::string stat_path(pid_t pid) { return "/proc/" + std::to_string(pid) + "/stat"; }

    fakes::FakeSys sys;
    std::unique_ptr<loop::EventLoop> loop = std::move(loop::EventLoop::create(sys)).value();
    std::vector<pid_t> ended;
    std::vector<std::string> logged;
    daemon_main::AdoptedProcesses adopted{sys, *loop, [this](pid_t pid) { ended.push_back(pid); },
                                          [this](core::LogLevel, std::string_view m) { logged.emplace_back(m); }};
};

TEST_F(AdoptedProcessesTest, APidfdWatchReportsTheEndOnce) {
    pid_t pid = sys.add_child_process();
    adopted.watch(pid);
    EXPECT_TRUE(adopted.watching(pid));
    EXPECT_EQ(adopted.size(), 1u);
    EXPECT_EQ(sys.call_count("pidfd_open"), 1);
    turns();
    EXPECT_TRUE(ended.empty()) << "it runs";

    sys.exit_process(pid, 0);
    turns();
    EXPECT_EQ(ended, (std::vector<pid_t>{pid}));
    EXPECT_FALSE(adopted.watching(pid));
    EXPECT_EQ(adopted.size(), 0u);
    turns();
    EXPECT_EQ(ended.size(), 1u) << "once";
    EXPECT_TRUE(logged.empty());
    EXPECT_EQ(sys.call_count("kill"), 0) << "no polling with a pidfd";
}

TEST_F(AdoptedProcessesTest, AKilledProcessIsReportedToo) {
    pid_t first = sys.add_child_process();
    pid_t second = sys.add_child_process();
    adopted.watch(first);
    adopted.watch(second);
    sys.kill_process(second, SIGKILL);
    turns();
    EXPECT_EQ(ended, (std::vector<pid_t>{second}));
    EXPECT_TRUE(adopted.watching(first));
    sys.kill_process(first, SIGSEGV, true);
    turns();
    EXPECT_EQ(ended, (std::vector<pid_t>{second, first}));
}

TEST_F(AdoptedProcessesTest, TheWatchClosesItsPidfd) {
    std::size_t open_before = sys.open_fds().size();
    pid_t pid = sys.add_child_process();
    adopted.watch(pid);
    EXPECT_EQ(sys.open_fds().size(), open_before + 1);
    sys.exit_process(pid, 0);
    turns();
    EXPECT_EQ(sys.open_fds().size(), open_before);
}

TEST_F(AdoptedProcessesTest, AProcessGoneAtPidfdOpenIsReportedFromTheLoop) {
    pid_t pid = 31337; // not in the fake's table: pidfd_open fails with ESRCH
    adopted.watch(pid);
    EXPECT_TRUE(ended.empty()) << "not from inside watch()";
    EXPECT_TRUE(adopted.watching(pid));
    turns(1);
    EXPECT_EQ(ended, (std::vector<pid_t>{pid}));
    EXPECT_FALSE(adopted.watching(pid));
    turns();
    EXPECT_EQ(ended.size(), 1u);
    EXPECT_TRUE(logged.empty()) << "an ordinary end, not a fallback";
}

TEST_F(AdoptedProcessesTest, WithoutPidfdsTheProcessIsLookedForOnceASecond) {
    sys.set_pidfd_supported(false); // pidfd_open: ENOSYS
    pid_t pid = sys.add_child_process();
    adopted.watch(pid);
    EXPECT_TRUE(adopted.watching(pid));
    ASSERT_EQ(logged.size(), 1u);
    EXPECT_NE(logged[0].find("once a second"), std::string::npos) << logged[0];
    EXPECT_NE(logged[0].find(std::to_string(pid)), std::string::npos) << logged[0];

    turns();
    EXPECT_EQ(sys.call_count("kill"), 0) << "not before a second has passed";
    sys.advance(1s);
    turns();
    EXPECT_EQ(sys.call_count("kill"), 1);
    EXPECT_TRUE(ended.empty());
    sys.advance(500ms);
    turns();
    EXPECT_EQ(sys.call_count("kill"), 1);

    sys.exit_process(pid, 0);
    reaped_by_init(pid);
    sys.advance(500ms);
    turns();
    EXPECT_EQ(sys.call_count("kill"), 2);
    EXPECT_EQ(ended, (std::vector<pid_t>{pid}));
    EXPECT_FALSE(adopted.watching(pid));

    sys.advance(5s);
    turns();
    EXPECT_EQ(sys.call_count("kill"), 2) << "nothing left to look for: the timer rests";
    EXPECT_EQ(ended.size(), 1u);
    for (const auto& s : sys.signals_sent()) {
        EXPECT_EQ(s.sig, 0) << "only looked for, never signalled";
    }
}

// kill(pid, 0) succeeds for whatever process holds the pid now: the start time /proc gave at
// watch() tells the adopted process from a stranger that was given its pid.
TEST_F(AdoptedProcessesTest, PollingTakesAReusedPidAsTheEnd) {
    pid_t pid = polled_with_stat();
    sys.advance(1s);
    turns();
    EXPECT_TRUE(ended.empty()) << "same pid, same start time: still the adopted process";
    sys.add_file(stat_path(pid), test_support::stat_line(pid, 'S', 900)); // ended; its pid given to a new process
    sys.advance(1s);
    turns();
    EXPECT_EQ(ended, (std::vector<pid_t>{pid}));
    EXPECT_FALSE(adopted.watching(pid));
}

// A process whose new parent does not reap it (a container's PID 1 that never waits) stays a
// zombie: it has ended all the same.
TEST_F(AdoptedProcessesTest, PollingTakesAZombieAsTheEnd) {
    pid_t pid = polled_with_stat();
    sys.add_file(stat_path(pid), test_support::stat_line(pid, 'Z', 100));
    sys.advance(1s);
    turns();
    EXPECT_EQ(ended, (std::vector<pid_t>{pid}));
}

TEST_F(AdoptedProcessesTest, OutOfDescriptorsFallsBackToPollingToo) {
    pid_t polled = sys.add_child_process();
    pid_t watched = sys.add_child_process();
    sys.fail_next("pidfd_open", EMFILE);
    adopted.watch(polled);
    adopted.watch(watched);
    EXPECT_EQ(adopted.size(), 2u);
    ASSERT_EQ(logged.size(), 1u);
    EXPECT_NE(logged[0].find(std::to_string(polled)), std::string::npos) << logged[0];

    sys.exit_process(polled, 0);
    reaped_by_init(polled);
    turns();
    EXPECT_TRUE(ended.empty()) << "polled: found at the next look";
    sys.advance(1s);
    turns();
    EXPECT_EQ(ended, (std::vector<pid_t>{polled}));
    EXPECT_TRUE(adopted.watching(watched));
}

TEST_F(AdoptedProcessesTest, WatchingTwiceIsANoOp) {
    pid_t pid = sys.add_child_process();
    adopted.watch(pid);
    adopted.watch(pid);
    EXPECT_EQ(sys.call_count("pidfd_open"), 1);
    EXPECT_EQ(adopted.size(), 1u);
    sys.exit_process(pid, 0);
    turns();
    EXPECT_EQ(ended, (std::vector<pid_t>{pid}));

    adopted.watch(31337); // gone: reported from the loop, once, however often watched
    adopted.watch(31337);
    turns();
    EXPECT_EQ(ended, (std::vector<pid_t>{pid, 31337}));

    sys.set_pidfd_supported(false);
    pid_t polled = sys.add_child_process();
    adopted.watch(polled);
    adopted.watch(polled);
    EXPECT_EQ(adopted.size(), 1u);
    EXPECT_EQ(logged.size(), 1u);
    sys.exit_process(polled, 0);
    reaped_by_init(polled);
    sys.advance(1s);
    turns();
    EXPECT_EQ(ended, (std::vector<pid_t>{pid, 31337, polled}));
}

TEST_F(AdoptedProcessesTest, DestroyingItWithWatchesLeftRemovesThemFromTheLoop) {
    auto own = std::make_unique<daemon_main::AdoptedProcesses>(
        sys, *loop, [this](pid_t pid) { ended.push_back(pid); }, [](core::LogLevel, std::string_view) {});
    pid_t pid = sys.add_child_process();
    own->watch(pid);
    own.reset();
    sys.exit_process(pid, 0);
    turns();
    EXPECT_TRUE(ended.empty());
}

} // namespace
