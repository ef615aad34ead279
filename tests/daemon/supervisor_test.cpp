// Tests the Supervisor over the fake kernel: spawning and reaping, kill timers, console-log
// pipes, spawn steps and system calls that fail, thread creation that fails, and shutdown.
#include "daemon/supervisor_fixture.h"

#include <cerrno>

namespace {

using namespace std::chrono_literals;
using core::JobState;

TEST_F(SupervisorTest, StartSpawnsTheMainProcessAndItsExitIsReaped) {
    write_job("web", "exec /bin/web\n");
    ASSERT_TRUE(boot());
    auto reply = request("start", {{"job", "web"}});
    ASSERT_TRUE(reply && reply->ok) << (reply ? reply->error.message : "no reply");
    pid_t pid = main_pid("web");
    ASSERT_GT(pid, 0);
    EXPECT_EQ(job("web")->state, JobState::Running);
    EXPECT_EQ(sys.process(pid).plan.file, "/bin/web");

    sys.exit_process(pid, 0);
    settle();
    EXPECT_EQ(job("web"), nullptr) << "a main process that ends ends the job";
    EXPECT_EQ(zombies(), 0U);
}

TEST_F(SupervisorTest, StopSendsTheKillSignalThenKillOnceTheKillTimeoutPasses) {
    write_job("web", "kill timeout 5\nexec /bin/web\n");
    ASSERT_TRUE(boot());
    ASSERT_TRUE(request("start", {{"job", "web"}}));
    pid_t pid = main_pid("web");
    ignores_term.insert(pid);
    auto stopping = request("stop", {{"job", "web"}, {"wait", false}});
    ASSERT_TRUE(stopping && stopping->ok);
    EXPECT_EQ(job("web")->state, JobState::Killed);
    EXPECT_EQ(sys.signals_sent().back().sig, SIGTERM);

    sys.advance(4s);
    settle();
    EXPECT_EQ(job("web")->state, JobState::Killed) << "not before the kill timeout";
    sys.advance(1s);
    settle();
    EXPECT_EQ(sys.signals_sent().back().sig, SIGKILL);
    EXPECT_EQ(job("web"), nullptr);
    EXPECT_EQ(zombies(), 0U);
}

TEST_F(SupervisorTest, AKillTimerThatCannotBeArmedSendsKillAtOnceRatherThanWaitForever) {
    write_job("web", "kill timeout 5\nexec /bin/web\n");
    ASSERT_TRUE(boot());
    ASSERT_TRUE(request("start", {{"job", "web"}}));
    ignores_term.insert(main_pid("web"));
    sys.fail_next("timerfd_settime", ENOMEM);
    ASSERT_TRUE(request("stop", {{"job", "web"}, {"wait", false}}));
    settle();
    EXPECT_EQ(sys.signals_sent().back().sig, SIGKILL);
    EXPECT_EQ(job("web"), nullptr);
}

TEST_F(SupervisorTest, ConsoleLogOutputLandsInTheJobsLogFileAndThePipeClosesWithTheJob) {
    write_job("web", "exec /bin/web\n");
    ASSERT_TRUE(boot());
    std::size_t baseline = sys.open_fds().size();
    ASSERT_TRUE(request("start", {{"job", "web"}}));
    pid_t pid = main_pid("web");
    ASSERT_TRUE(sys.write_as_child(pid, 1, "hello from web\n"));
    settle();
    auto log = sys.file_content(std::string(log_dir) + "/web.log");
    ASSERT_TRUE(log.has_value());
    EXPECT_NE(log->find("hello from web"), std::string::npos) << *log;

    sys.exit_process(pid, 0);
    settle();
    EXPECT_EQ(job("web"), nullptr);
    // The pipe is gone with its writer; what remains is the log file, opened once for the job.
    EXPECT_LE(sys.open_fds().size(), baseline + 1);
}

TEST_F(SupervisorTest, AFailingSpawnStepFailsTheJobWithTheStepAndErrnoInTheReplyAndStatus) {
    write_job("web", "exec /bin/web\n");
    ASSERT_TRUE(boot());
    sys.fail_spawn_at(sys::SpawnStage::Setuid, EPERM);
    auto reply = request("start", {{"job", "web"}});
    ASSERT_TRUE(reply.has_value());
    EXPECT_FALSE(reply->ok);
    EXPECT_NE(reply->error.message.find("setuid failed"), std::string::npos) << reply->error.message;
    auto status = request("status", {{"job", "web"}});
    ASSERT_TRUE(status && status->ok);
    EXPECT_NE(status->result["statuses"][0].value("failure", "").find("setuid failed"), std::string::npos)
        << status->result.dump();

    auto again = request("start", {{"job", "web"}});
    ASSERT_TRUE(again && again->ok) << "the next start, with the step healthy, runs";
    EXPECT_EQ(status_failure("web"), "") << "a new start clears the old failure";
}

TEST_F(SupervisorTest, ALogPipeThatCannotBeCreatedFailsTheStartWithTheReasonAndALaterStartRuns) {
    // Its output would be lost: the start fails, saying why, rather than run with it in /dev/null.
    write_job("web", "exec /bin/web\n");
    ASSERT_TRUE(boot());
    std::size_t spawns = sys.spawn_attempts().size();
    sys.fail_next("pipe2", EMFILE);
    auto reply = request("start", {{"job", "web"}});
    ASSERT_TRUE(reply.has_value()) << "the failed start is answered";
    EXPECT_FALSE(reply->ok);
    EXPECT_NE(reply->error.message.find("cannot create its log pipe"), std::string::npos)
        << reply->error.message;
    EXPECT_NE(reply->error.message.find("(startd is out of file descriptors)"), std::string::npos)
        << reply->error.message;
    EXPECT_EQ(sys.spawn_attempts().size(), spawns) << "nothing was spawned";
    EXPECT_EQ(main_pid("web"), 0);
    std::string failure = status_failure("web");
    EXPECT_NE(failure.find("cannot create its log pipe"), std::string::npos) << failure;
    EXPECT_NE(failure.find("(startd is out of file descriptors)"), std::string::npos) << failure;

    auto again = request("start", {{"job", "web"}});
    ASSERT_TRUE(again.has_value()) << "startd keeps answering";
    EXPECT_TRUE(again->ok) << again->error.message;
    EXPECT_EQ(job("web")->state, JobState::Running);
    EXPECT_GT(main_pid("web"), 0);
    EXPECT_EQ(status_failure("web"), "") << "the start after the fault clears the failure";
}

TEST_F(SupervisorTest, ASpawnThatFailsForWantOfProcessesFailsOnlyThatJob) {
    write_job("a", "start on go\nexec /bin/a\n");
    write_job("b", "start on go\nexec /bin/b\n");
    ASSERT_TRUE(boot());
    sys.fail_next("spawn", EAGAIN);
    auto reply = request("emit", {{"name", "go"}, {"wait", false}});
    ASSERT_TRUE(reply && reply->ok) << (reply ? reply->error.message : "no reply");
    int running = (main_pid("a") > 0 ? 1 : 0) + (main_pid("b") > 0 ? 1 : 0);
    EXPECT_EQ(running, 1);
    std::string failure = status_failure("a") + status_failure("b");
    EXPECT_NE(failure.find("Resource temporarily unavailable"), std::string::npos) << failure;
}

TEST_F(SupervisorTest, AThreadThatCannotBeCreatedFailsTheBatchAndStartdKeepsAnsweringAndStopping) {
    // Issue 12 item 3: under RLIMIT_NPROC the batch spawn's worker thread cannot be created.
    for (const char* name : {"a", "b", "c", "d"}) {
        write_job(name, "start on go\nexec /bin/" + std::string(name) + "\n");
    }
    write_job("later", "exec /bin/later\n");
    ASSERT_TRUE(boot());
    sys.fail_next("spawn_many", EAGAIN);
    auto emitted = request("emit", {{"name", "go"}});
    ASSERT_TRUE(emitted.has_value()) << "the emit is answered";
    EXPECT_FALSE(emitted->ok);
    for (const char* name : {"a", "b", "c", "d"}) {
        EXPECT_NE(status_failure(name).find("Resource temporarily unavailable"), std::string::npos)
            << name << ": " << status_failure(name);
    }
    auto started = request("start", {{"job", "later"}});
    ASSERT_TRUE(started.has_value()) << "a later start is answered";
    EXPECT_TRUE(started->ok) << started->error.message;
    EXPECT_GT(main_pid("later"), 0);

    sys.raise_signal(SIGTERM);
    settle();
    EXPECT_TRUE(running_processes().empty());
    EXPECT_TRUE(supervisor->engine().all_stopped());
    EXPECT_TRUE(loop->run().has_value()) << "the shutdown ended the loop";
}

// Known bug, found by the random fault test: IoRegistry::watch cannot report that epoll refused
// the fd, so the server keeps a connection nobody watches (unserved, its fd held for good). The
// fix needs the server to learn of it (control/server.cpp, being reworked for issue 12 item 4);
// a retry in Supervisor::watch alone left the loop busy. Enable once fixed.
TEST_F(SupervisorTest, AConnectionWhoseWatchCannotBeAddedIsWatchedOnALaterTurn) {
    write_job("web", "exec /bin/web\n");
    ASSERT_TRUE(boot());
    std::size_t before = sys.open_fds().size();
    // The accept works; adding the new connection to epoll fails once (ENOMEM).
    sys.fail_next("epoll_ctl", ENOMEM);
    auto reply = request("status", {{"job", "web"}});
    ASSERT_TRUE(reply.has_value()) << "the request is served once the watch can be added";
    EXPECT_TRUE(reply->ok);
    settle();
    EXPECT_EQ(sys.open_fds().size(), before) << "the connection is closed once the client has gone";
}

TEST_F(SupervisorTest, SigtermStopsEveryJobReapsThemAndEndsTheLoop) {
    write_job("web", "start on startup\nexec /bin/web\n");
    write_job("db", "start on startup\nkill timeout 3\nexec /bin/db\n");
    write_job("once", "start on startup\ntask\nexec /bin/once\n");
    ASSERT_TRUE(boot());
    ASSERT_EQ(running_processes().size(), 3U);
    ignores_term.insert(main_pid("db"));
    sys.exit_process(main_pid("once"), 0);

    sys.raise_signal(SIGTERM);
    settle();
    EXPECT_TRUE(supervisor->shutting_down());
    EXPECT_EQ(running_processes().size(), 1U) << "db ignores TERM";
    sys.advance(3s);
    settle();
    EXPECT_TRUE(running_processes().empty());
    EXPECT_EQ(zombies(), 0U);
    EXPECT_TRUE(supervisor->engine().all_stopped());
    EXPECT_TRUE(loop->run().has_value()) << "the shutdown ended the loop";
}

} // namespace
