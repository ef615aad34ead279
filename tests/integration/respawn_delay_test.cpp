// Integration: `respawn delay` and `respawn healthy` (startd's extensions) with real processes — a
// crasher's respawns come further and further apart and closer again after a healthy run; 100
// crashers do not all come back at once; status says what is pending, and start cuts it short.
#include "support/daemon_harness.h"

#include <algorithm>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <string>
#include <vector>

namespace {

using test_support::DaemonHarness;
using namespace std::chrono_literals;

// The numbers in `path`, one a line (seconds since the epoch, as `date +%s.%N` writes them).
std::vector<double> times_in(const std::string& path) {
    std::ifstream in(path);
    std::vector<double> out;
    for (double t = 0; in >> t;) {
        out.push_back(t);
    }
    return out;
}

// Scheduling slack a real process adds to a delay on a loaded machine.
constexpr double slack = 1.0;

TEST(Integration, RespawnDelaysGrowToTheMaximumAndAHealthyRunResetsThem) {
    DaemonHarness h;
    std::string starts = h.dir() + "/starts";
    std::string ends = h.dir() + "/ends";
    // Runs 1-4 and 6 crash at once; run 5 lives 1.5 s, longer than `respawn healthy 1`.
    h.write_job("crash", "respawn\nrespawn limit unlimited\nrespawn delay 1 4\nrespawn healthy 1\n"
                         "script\n"
                         "  date +%s.%N >> " +
                             starts +
                             "\n"
                             "  n=$(wc -l < " +
                             starts +
                             ")\n"
                             "  if [ \"$n\" -eq 5 ]; then sleep 1.5; fi\n"
                             "  date +%s.%N >> " +
                             ends +
                             "\n"
                             "  exit 1\n"
                             "end script\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    ASSERT_EQ(h.ctl({"start", "--no-wait", "crash"}).status, 0);
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return times_in(starts).size() >= 6; }, 25s))
        << h.daemon_output();
    h.ctl({"stop", "crash"});
    std::vector<double> s = times_in(starts);
    std::vector<double> e = times_in(ends);
    ASSERT_GE(s.size(), 6u);
    ASSERT_GE(e.size(), 5u);
    // From each crash to the next start: MIN, doubling, capped at MAX, each in [d/2, d].
    const double nominal[] = {1, 2, 4, 4};
    for (std::size_t i = 0; i < 4; ++i) {
        double gap = s[i + 1] - e[i];
        EXPECT_GE(gap, nominal[i] / 2) << "respawn " << i + 1;
        EXPECT_LE(gap, nominal[i] + slack) << "respawn " << i + 1;
    }
    // The healthy run forgave: back to MIN.
    double after_healthy = s[5] - e[4];
    EXPECT_GE(after_healthy, 0.5);
    EXPECT_LE(after_healthy, 1 + slack);
    EXPECT_NE(h.daemon_output().find("respawn delay and limit start afresh"), std::string::npos)
        << h.daemon_output();
}

TEST(Integration, AHundredCrashersWithADelayDoNotRespawnInOneBurst) {
    DaemonHarness h;
    constexpr int jobs = 100;
    for (int i = 0; i < jobs; ++i) {
        std::string log = h.dir() + "/runs-" + std::to_string(i);
        // The first run crashes; the respawn ends normally (`normal exit 0`), and the job rests.
        h.write_job("crash" + std::to_string(i),
                    "start on startup\nrespawn\nrespawn delay 1 1\nnormal exit 0\n"
                    "script\n"
                    "  date +%s.%N >> " +
                        log +
                        "\n"
                        "  [ \"$(wc -l < " +
                        log +
                        ")\" -ge 2 ] && exit 0\n"
                        "  exit 1\n"
                        "end script\n");
    }
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    auto all_respawned = [&] {
        for (int i = 0; i < jobs; ++i) {
            if (times_in(h.dir() + "/runs-" + std::to_string(i)).size() < 2) {
                return false;
            }
        }
        return true;
    };
    ASSERT_TRUE(DaemonHarness::wait_for(all_respawned, 30s)) << h.daemon_output();
    std::vector<double> delays;
    std::vector<double> respawns;
    for (int i = 0; i < jobs; ++i) {
        std::vector<double> t = times_in(h.dir() + "/runs-" + std::to_string(i));
        delays.push_back(t[1] - t[0]);
        respawns.push_back(t[1]);
    }
    std::sort(delays.begin(), delays.end());
    std::sort(respawns.begin(), respawns.end());
    // Each waited at least half the delay, and the delays drawn spread over the half second
    // [0.5, 1] (100 uniform draws span ~0.49 s; lockstep would span nothing).
    EXPECT_GE(delays.front(), 0.5);
    EXPECT_GE(delays.back() - delays.front(), 0.3)
        << "delays from " << delays.front() << " to " << delays.back();
    // No burst: at most a third of them come back within any 50 ms.
    std::size_t densest = 0;
    for (std::size_t i = 0, j = 0; i < respawns.size(); ++i) {
        while (respawns[i] - respawns[j] > 0.05) {
            ++j;
        }
        densest = std::max(densest, i - j + 1);
    }
    EXPECT_LE(densest, static_cast<std::size_t>(jobs / 3))
        << "respawns from " << respawns.front() << " to " << respawns.back();
}

TEST(Integration, StatusShowsAPendingRespawnAndStartCutsItShort) {
    DaemonHarness h;
    std::string starts = h.dir() + "/starts";
    h.write_job("crash", "respawn\nrespawn delay 30 30\n"
                         "script\n"
                         "  date +%s.%N >> " +
                             starts +
                             "\n"
                             "  [ \"$(wc -l < " +
                             starts +
                             ")\" -ge 2 ] && exec sleep 300\n"
                             "  exit 1\n"
                             "end script\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    ASSERT_EQ(h.ctl({"start", "--no-wait", "crash"}).status, 0);
    std::string status;
    ASSERT_TRUE(DaemonHarness::wait_for([&] {
        status = h.ctl({"status", "crash"}).out;
        return status.find("respawning in") != std::string::npos;
    })) << status;
    EXPECT_EQ(status.rfind("crash start/post-stop, respawning in ", 0), 0u) << status;
    EXPECT_NE(status.find(" s (attempt 1)\n"), std::string::npos) << status;
    auto json = h.ctl({"--json", "status", "crash"});
    EXPECT_NE(json.out.find("\"attempt\""), std::string::npos) << json.out;
    EXPECT_NE(json.out.find("\"due_in_ms\""), std::string::npos) << json.out;

    EXPECT_EQ(h.ctl({"show-config", "crash"}).out, "crash\n  respawn delay 30 30\n");

    auto started = h.ctl({"start", "crash"}, 10s);
    EXPECT_EQ(started.status, 0) << started.err;
    EXPECT_EQ(started.out.rfind("crash start/running, process ", 0), 0u) << started.out;
    // `start` answers once the main process runs, which may be before its script's first line:
    // wait for the second start's line, then check there is no third.
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return times_in(starts).size() >= 2; }, 5s));
    EXPECT_EQ(times_in(starts).size(), 2u);
    auto stopped = h.ctl({"stop", "crash"});
    EXPECT_EQ(stopped.out, "crash stop/waiting\n");
}

} // namespace
