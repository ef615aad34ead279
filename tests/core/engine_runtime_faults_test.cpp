// Tests what the engine does when a JobRuntime call throws (a thread or an allocation that cannot
// be had): only the jobs that call was for fail, with the reason in their status, and the engine
// keeps working — later commands, events and a shutdown all go through.
#include "engine_fixture.h"

#include <cerrno>
#include <csignal>

namespace {

using core::JobState;

class EngineRuntimeFaultsTest : public EngineTest {};

TEST_F(EngineRuntimeFaultsTest, AThrowingSpawnBatchFailsItsJobsAndTheEngineKeepsPolling) {
    for (const char* name : {"a", "b", "c", "d"}) {
        define(name, "start on go\nexec /bin/" + std::string(name) + "\n");
    }
    define("later", "exec /bin/later\n");
    runtime.throw_next("spawn_batch", EAGAIN);
    engine.emit("go", {});
    for (const char* name : {"a", "b", "c", "d"}) {
        const core::Job* j = job(name);
        // A failed job winds down to waiting and is destroyed; its failure was announced.
        EXPECT_EQ(j, nullptr) << name << " is still " << core::to_string(j->state);
    }
    ASSERT_EQ(events_starting_with("stopped JOB=a").size(), 1U);
    EXPECT_NE(events_starting_with("stopped JOB=a")[0].find("RESULT=failed"), std::string::npos);
    EXPECT_TRUE(runtime.logged("Resource temporarily unavailable")) << "the reason is logged";

    // The engine is not stuck "polling": a later start spawns at once, and a stop ends it.
    start("later");
    EXPECT_EQ(state("later"), JobState::Running);
    stop("later");
    ASSERT_EQ(runtime.signals.size(), 1U);
    kill_with(runtime.signals[0].pid, SIGTERM);
    EXPECT_EQ(job("later"), nullptr);
}

TEST_F(EngineRuntimeFaultsTest, AThrowingSpawnFailsThatJobWithTheReasonInItsStatus) {
    define("web", "pre-start exec /bin/prep\nexec /bin/web\n");
    runtime.throw_next("spawn", ENOMEM);
    std::optional<core::JobOutcome> outcome;
    auto r = engine.start("web", {}, [&](const core::JobOutcome& o) { outcome = o; });
    ASSERT_TRUE(r.has_value());
    ASSERT_TRUE(outcome.has_value());
    EXPECT_TRUE(outcome->failed);
    EXPECT_NE(outcome->message.find("Cannot allocate memory"), std::string::npos) << outcome->message;
    EXPECT_EQ(job("web"), nullptr);
    start("web"); // and again, with the runtime healthy
    exit_with(pid_of(core::ProcessType::PreStart), 0);
    EXPECT_EQ(state("web"), JobState::Running);
}

TEST_F(EngineRuntimeFaultsTest, AThrowingSignalBatchStillLetsTheJobsStop) {
    define("a", "exec /bin/a\n");
    define("b", "exec /bin/b\n");
    start("a");
    start("b");
    runtime.throw_next("signal_groups", ENOMEM);
    engine.stop_all();
    // Not signalled, but not forgotten either: each waits for its kill timeout, then gets KILL.
    EXPECT_TRUE(runtime.logged("Cannot allocate memory"));
    for (const char* name : {"a", "b"}) {
        ASSERT_NE(job(name), nullptr);
        EXPECT_EQ(state(name), JobState::Killed);
    }
    EXPECT_TRUE(runtime.signals.empty());
    runtime.advance(core::Seconds(5));
    ASSERT_EQ(runtime.signals.size(), 2U);
    for (const auto& s : runtime.signals) {
        EXPECT_EQ(s.sig, SIGKILL);
        kill_with(s.pid, SIGKILL);
    }
    EXPECT_TRUE(engine.all_stopped());
}

TEST_F(EngineRuntimeFaultsTest, AThrowingReloadSignalIsAnErrorReply) {
    define("web", "exec /bin/web\n");
    start("web");
    runtime.throw_next("signal_process", ENOMEM);
    auto r = engine.reload("web", {});
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("Cannot allocate memory"), std::string::npos) << r.error().message;
}

} // namespace
