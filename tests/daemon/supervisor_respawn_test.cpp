// Tests the Supervisor's respawn timers over the fake kernel (`respawn delay`): a crashed job
// waits out its delay on the loop's clock before its main process is spawned again, status over
// the socket says so, a stop cancels the timer, a timer that cannot be armed respawns at once
// rather than never, and the state journal records the pending respawn.
#include "daemon/supervisor_fixture.h"

#include <cerrno>

namespace {

using namespace std::chrono_literals;
using core::JobState;

constexpr const char* crasher = "respawn\nrespawn delay 2 2\nexec /bin/crash\n";

TEST_F(SupervisorTest, ACrashedJobWaitsOutItsDelayOnTheLoopsClockThenRespawns) {
    write_job("crash", crasher);
    ASSERT_TRUE(boot());
    ASSERT_TRUE(request("start", {{"job", "crash"}}));
    pid_t first = main_pid("crash");
    ASSERT_GT(first, 0);
    sys.exit_process(first, 1);
    settle();
    ASSERT_NE(job("crash"), nullptr);
    EXPECT_TRUE(job("crash")->waiting_out_delay());
    std::size_t spawned = sys.spawned().size();

    sys.advance(999ms); // the delay is within [1 s, 2 s]
    settle();
    EXPECT_EQ(job("crash")->state, JobState::PostStop);
    EXPECT_EQ(sys.spawned().size(), spawned);
    sys.advance(1001ms);
    settle();
    EXPECT_EQ(job("crash")->state, JobState::Running);
    EXPECT_EQ(sys.spawned().size(), spawned + 1);
    EXPECT_NE(main_pid("crash"), first);
    EXPECT_EQ(zombies(), 0U);
}

TEST_F(SupervisorTest, StatusOverTheSocketCarriesThePendingRespawn) {
    write_job("crash", crasher);
    ASSERT_TRUE(boot());
    ASSERT_TRUE(request("start", {{"job", "crash"}}));
    sys.exit_process(main_pid("crash"), 1);
    settle();
    auto reply = request("status", {{"job", "crash"}});
    ASSERT_TRUE(reply && reply->ok) << (reply ? reply->error.message : "no reply");
    const nlohmann::json& status = reply->result["statuses"][0];
    EXPECT_EQ(status["state"], "post-stop");
    ASSERT_TRUE(status.contains("respawn")) << status.dump();
    EXPECT_EQ(status["respawn"]["attempt"], 1);
    EXPECT_GE(status["respawn"]["delay_ms"].get<long>(), 1000);
    EXPECT_LE(status["respawn"]["delay_ms"].get<long>(), 2000);
    EXPECT_LE(status["respawn"]["due_in_ms"].get<long>(), status["respawn"]["delay_ms"].get<long>());
}

TEST_F(SupervisorTest, StopDuringTheDelayCancelsTheRespawnTimer) {
    write_job("crash", crasher);
    ASSERT_TRUE(boot());
    ASSERT_TRUE(request("start", {{"job", "crash"}}));
    sys.exit_process(main_pid("crash"), 1);
    settle();
    auto stopped = request("stop", {{"job", "crash"}});
    ASSERT_TRUE(stopped && stopped->ok) << (stopped ? stopped->error.message : "no reply");
    EXPECT_EQ(job("crash"), nullptr);
    std::size_t spawned = sys.spawned().size();
    sys.advance(5s);
    settle();
    EXPECT_EQ(sys.spawned().size(), spawned);
    EXPECT_EQ(job("crash"), nullptr);
}

TEST_F(SupervisorTest, StartDuringTheDelayAnswersOnceTheJobRunsAgain) {
    write_job("crash", crasher);
    ASSERT_TRUE(boot());
    ASSERT_TRUE(request("start", {{"job", "crash"}}));
    sys.exit_process(main_pid("crash"), 1);
    settle();
    auto started = request("start", {{"job", "crash"}});
    ASSERT_TRUE(started && started->ok) << (started ? started->error.message : "no reply");
    EXPECT_EQ(started->result["status"]["state"], "running");
    EXPECT_EQ(job("crash")->state, JobState::Running);
}

TEST_F(SupervisorTest, ARespawnTimerThatCannotBeArmedRespawnsAtOnceRatherThanNever) {
    write_job("crash", crasher);
    ASSERT_TRUE(boot());
    ASSERT_TRUE(request("start", {{"job", "crash"}}));
    std::size_t spawned = sys.spawned().size();
    sys.fail_next("timerfd_settime", ENOMEM);
    sys.exit_process(main_pid("crash"), 1);
    settle();
    EXPECT_EQ(job("crash")->state, JobState::Running);
    EXPECT_EQ(sys.spawned().size(), spawned + 1);
}

TEST_F(SupervisorTest, TheJournalRecordsAPendingRespawn) {
    write_job("crash", crasher);
    ASSERT_TRUE(boot());
    ASSERT_TRUE(request("start", {{"job", "crash"}}));
    sys.exit_process(main_pid("crash"), 1);
    settle();
    auto journal = sys.file_content(journal_path);
    ASSERT_TRUE(journal.has_value());
    std::string last; // the last job record
    for (std::size_t at = 0, end; at < journal->size(); at = end + 1) {
        end = journal->find('\n', at);
        end = end == std::string::npos ? journal->size() : end;
        std::string line = journal->substr(at, end - at);
        if (line.find("\"kind\":\"job\"") != std::string::npos) {
            last = line;
        }
    }
    EXPECT_NE(last.find("\"state\":\"post-stop\""), std::string::npos) << last;
    EXPECT_NE(last.find("\"backoff\":[1,"), std::string::npos) << last;
}

} // namespace
