// Integration: jobs on a clock with the real startd and real processes — a `timer every 1s`
// task runs once a second, and a firing while the previous run still goes is skipped.
#include "support/daemon_harness.h"

#include <algorithm>
#include <gtest/gtest.h>

namespace {

using test_support::DaemonHarness;
using test_support::read_file;
using namespace std::chrono_literals;

std::size_t lines(const std::string& path) {
    std::string text = read_file(path);
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(IntegrationTimers, AOneSecondTimerRunsItsJobFiveTimesInFiveSeconds) {
    DaemonHarness h;
    std::string runs = h.dir() + "/runs";
    h.write_job("tick", "task\ntimer every 1s\nexec sh -c 'echo \"$TIMER $TIMER_FIRED\" >> " + runs + "'\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    auto started = std::chrono::steady_clock::now();
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return lines(runs) >= 5; }, 8s))
        << read_file(runs) << h.daemon_output();
    auto took = std::chrono::steady_clock::now() - started;
    EXPECT_GE(took, 4s) << "five firings of a one-second timer take at least four seconds";
    EXPECT_LT(took, 7s);
    std::string text = read_file(runs);
    EXPECT_EQ(text.rfind("every 1s ", 0), 0u) << text;
    EXPECT_EQ(h.stop_daemon(), 0);
}

TEST(IntegrationTimers, AFiringWhileTheTaskStillRunsIsSkipped) {
    DaemonHarness h;
    std::string runs = h.dir() + "/runs";
    h.write_job("slow", "task\ntimer every 1s\nexec sh -c 'echo run >> " + runs + "; sleep 2.5'\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return lines(runs) >= 2; }, 8s)) << h.daemon_output();
    // Started at 1 s, still running at 2 and 3 s, started again at 4 s: never two at once.
    EXPECT_TRUE(DaemonHarness::wait_for(
        [&] {
            return h.daemon_output().find("slow: timer fired while still running; skipped") !=
                   std::string::npos;
        },
        2s))
        << h.daemon_output();
    EXPECT_EQ(h.stop_daemon(), 0);
}

} // namespace
