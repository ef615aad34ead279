// Tests the control command table over a real Engine on a fake runtime: replies, deferred
// replies for waiting commands, permissions and errors, the log priority.
#include "control/commands.h"

#include <csignal>

#include "control/commands_fixture.h"

namespace {

using nlohmann::json;

TEST_F(CommandsTest, StartRepliesOnlyWhenTheJobIsRunning) {
    define("web", "pre-start exec prep\nexec web\n");
    send("start", {{"job", "web"}});
    EXPECT_TRUE(replies.empty());
    exit_with(pid_of(core::ProcessType::PreStart), 0);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_TRUE(replies[0].ok);
    EXPECT_EQ(replies[0].result["status"]["state"], "running");
    EXPECT_EQ(replies[0].id, 1u);
}

// The waiter answers inside the start call itself when nothing is left to wait for (no hooks, a
// main process spawned at once). clang before 17 compiled the reply built there so that it leaked
// (found by control_fuzz under LeakSanitizer; llvm/llvm-project#51037): under a clang ASan build
// this test fails with a leak report if that code comes back.
TEST_F(CommandsTest, StartStopAndRestartAnsweredByTheirWaitersReplyOnceWithTheStatus) {
    define("web", "exec web\n");
    send("start", {{"job", "web"}});
    ASSERT_EQ(replies.size(), 1u) << "the job is running before start returns: one reply, at once";
    EXPECT_TRUE(replies[0].ok);
    EXPECT_EQ(replies[0].id, 1u);
    EXPECT_EQ(replies[0].result["status"]["state"], "running");

    send("restart", {{"job", "web"}});
    EXPECT_EQ(replies.size(), 1u) << "restart waits for the old main process to end";
    kill_with(pid_of(core::ProcessType::Main), SIGTERM);
    ASSERT_EQ(replies.size(), 2u);
    EXPECT_TRUE(replies[1].ok);
    EXPECT_EQ(replies[1].id, 2u);
    EXPECT_EQ(replies[1].result["status"]["state"], "running");

    send("stop", {{"job", "web"}});
    kill_with(pid_of(core::ProcessType::Main), SIGTERM);
    ASSERT_EQ(replies.size(), 3u);
    EXPECT_TRUE(replies[2].ok);
    EXPECT_EQ(replies[2].id, 3u);
    EXPECT_EQ(replies[2].result["status"]["state"], "waiting");
}

TEST_F(CommandsTest, NoWaitRepliesAtOnceWithTheNewGoal) {
    define("web", "pre-start exec prep\nexec web\n");
    send("start", {{"job", "web"}, {"wait", false}});
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].result["status"]["goal"], "start");
    EXPECT_EQ(replies[0].result["status"]["state"], "starting");
}

TEST_F(CommandsTest, FailedStartRepliesWithJobFailed) {
    define("web", "pre-start exec false\nexec web\n");
    send("start", {{"job", "web"}});
    exit_with(pid_of(core::ProcessType::PreStart), 1);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_FALSE(replies[0].ok);
    EXPECT_EQ(replies[0].error.code, "job-failed");
    EXPECT_EQ(replies[0].error.message, "Job failed to start: web pre-start process terminated with status 1");
}

TEST_F(CommandsTest, ChangingStateNeedsTheOwnerOrRoot) {
    define("web", "exec web\n");
    send("start", {{"job", "web"}}, 1001);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].error.code, "permission-denied");
    EXPECT_EQ(job("web"), nullptr) << "a refused request changes nothing";
    send("start", {{"job", "web"}}, 0);
    EXPECT_TRUE(replies.back().ok);
}

TEST_F(CommandsTest, AnybodyWhoCanConnectMayReadStatus) {
    define("web", "exec web\n");
    send("status", {{"job", "web"}}, 4242);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_TRUE(replies[0].ok);
    EXPECT_EQ(replies[0].result["statuses"][0]["state"], "waiting");
}

TEST_F(CommandsTest, StatusAndListShowTheLogOfAnInstanceThatHasOne) {
    define("web", "exec web\n");
    host.log_status = [](const core::Job& job) -> std::optional<control::LogStatus> {
        return control::LogStatus{"/var/log/startd/" + job.name() + ".log", 4096, 100};
    };
    send("start", {{"job", "web"}}, 0);
    send("status", {{"job", "web"}});
    json log = replies.back().result["statuses"][0]["log"];
    EXPECT_EQ(log, (json{{"path", "/var/log/startd/web.log"}, {"dropped_bytes", 4096}, {"dropped_lines", 100}}));
    send("list", json::object());
    EXPECT_EQ(replies.back().result["jobs"][0]["statuses"][0]["log"], log);
    host.log_status = [](const core::Job&) -> std::optional<control::LogStatus> { return std::nullopt; };
    send("status", {{"job", "web"}});
    EXPECT_FALSE(replies.back().result["statuses"][0].contains("log")) << "console none: no log";
}

TEST_F(CommandsTest, UnknownCommandIsNamed) {
    send("frobnicate", json::object());
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].error.code, "unknown-command");
    EXPECT_EQ(replies[0].error.message, "Unknown command: frobnicate");
}

TEST_F(CommandsTest, MistypedArgumentsAreInvalidArguments) {
    send("start", {{"job", 5}});
    EXPECT_EQ(replies.back().error.code, "invalid-argument");
    send("start", {{"job", "web"}, {"env", {"NOEQUALS"}}});
    EXPECT_EQ(replies.back().error.message, "Env must be KEY=VALUE pairs: 'NOEQUALS'");
    send("stop", json::object());
    EXPECT_EQ(replies.back().error.message, "argument \"job\" is required");
}

TEST_F(CommandsTest, ExplicitInstanceActsOnThatInstance) {
    define("getty", "instance $TTY\nexec getty $TTY\n");
    send("start", {{"job", "getty"}, {"env", {"TTY=tty3"}}});
    send("stop", {{"job", "getty"}, {"instance", "tty3"}, {"wait", false}});
    ASSERT_TRUE(replies.back().ok);
    EXPECT_EQ(replies.back().result["status"]["instance"], "tty3");
    EXPECT_EQ(replies.back().result["status"]["goal"], "stop");
}

TEST_F(CommandsTest, ListShowsEveryClassWithItsInstances) {
    define("a", "exec a\n");
    define("b", "instance $N\nexec b\n");
    send("start", {{"job", "b"}, {"env", {"N=1"}}});
    send("start", {{"job", "b"}, {"env", {"N=2"}}});
    send("list", json::object());
    const json& jobs = replies.back().result["jobs"];
    ASSERT_EQ(jobs.size(), 2u);
    EXPECT_EQ(jobs[0]["job"], "a");
    EXPECT_TRUE(jobs[0]["statuses"].empty());
    EXPECT_EQ(jobs[1]["statuses"].size(), 2u);
}

TEST_F(CommandsTest, ShowConfigRendersConditionsLikeUpstart) {
    define("hal", "emits hal-up\nstart on started dbus and (net-up or wifi-up IFACE=wlan0)\nstop on stopping dbus\n");
    send("show-config", {{"job", "hal"}});
    const json& job = replies.back().result["jobs"][0];
    EXPECT_EQ(job["start_on"], "(started dbus and (net-up or wifi-up IFACE=wlan0))");
    EXPECT_EQ(job["stop_on"], "stopping dbus");
    EXPECT_EQ(job["emits"], json::array({"hal-up"}));
    EXPECT_EQ(job["extensions"], json::array());
}

TEST_F(CommandsTest, ShowConfigListsStartdsOwnStanzas) {
    define("web", "respawn\nrespawn delay 0.5 30\nrespawn healthy 60\nexec web\n");
    send("show-config", {{"job", "web"}});
    EXPECT_EQ(replies.back().result["jobs"][0]["extensions"],
              json::array({"respawn delay 0.5 30", "respawn healthy 60"}));
}

TEST_F(CommandsTest, VersionNamesTheProtocol) {
    send("version", json::object());
    EXPECT_EQ(replies.back().result["version"], "9.9.9");
    EXPECT_EQ(replies.back().result["protocol"], 2) << "the newest version it speaks";
    EXPECT_FALSE(replies.back().result.contains("jobs_dir")); // a host that does not say
}

TEST_F(CommandsTest, VersionSaysWhichJobsDirStartdServesAndItsIdentityWhenItHasOne) {
    host.jobs_dir = "/etc/init";
    host.jobs_dir_identity = [] { return std::optional<std::string>("2049:1234"); };
    send("version", json::object());
    EXPECT_EQ(replies.back().result["jobs_dir"], "/etc/init");
    EXPECT_EQ(replies.back().result["jobs_dir_id"], "2049:1234");
    host.jobs_dir_identity = [] { return std::optional<std::string>(); }; // the dir is gone
    send("version", json::object());
    EXPECT_EQ(replies.back().result["jobs_dir"], "/etc/init");
    EXPECT_FALSE(replies.back().result.contains("jobs_dir_id"));
}

} // namespace

TEST_F(CommandsTest, AnybodyMayReadTheLogPriorityButOnlyTheOwnerOrRootSetIt) {
    std::string priority = "info";
    host.log_priority = [&] { return priority; };
    host.set_log_priority = [&](const std::string& name) -> base::Result<void> {
        if (name != "debug" && name != "warn") {
            return base::Error("unknown log priority '" + name + "'");
        }
        priority = name;
        return {};
    };
    send("log-priority", nlohmann::json::object(), 4242);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].result, (nlohmann::json{{"priority", "info"}}));
    send("set-log-priority", {{"priority", "debug"}}, 4242);
    EXPECT_EQ(replies.back().error.code, "permission-denied");
    EXPECT_EQ(priority, "info");
    send("set-log-priority", {{"priority", "debug"}}, 1000);
    EXPECT_TRUE(replies.back().ok);
    EXPECT_EQ(replies.back().result, (nlohmann::json{{"priority", "debug"}}));
    send("set-log-priority", {{"priority", "loud"}}, 0);
    EXPECT_EQ(replies.back().error.code, "invalid-argument");
    EXPECT_EQ(replies.back().error.message, "unknown log priority 'loud'");
    send("set-log-priority", nlohmann::json::object(), 0);
    EXPECT_EQ(replies.back().error.code, "invalid-argument") << "the priority is required";
    EXPECT_EQ(priority, "debug");
}
