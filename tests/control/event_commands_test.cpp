// Tests the emit, usage and environment-table commands: replies, waiting, failures, bad input.
#include "control/commands_fixture.h"

#include <csignal>

namespace {

using nlohmann::json;

TEST_F(CommandsTest, EmitWithoutListenersRepliesAtOnce) {
    send("emit", {{"name", "net-up"}, {"env", {"IFACE=lo"}}});
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_TRUE(replies[0].ok);
    EXPECT_EQ(events, (std::vector<std::string>{"net-up IFACE=lo"}));
}

TEST_F(CommandsTest, EmitWaitsForTheJobsItStarted) {
    define("setup", "task\nstart on go\nexec setup\n");
    send("emit", {{"name", "go"}});
    EXPECT_TRUE(replies.empty());
    exit_with(pid_of(core::ProcessType::Main), 0);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_TRUE(replies[0].ok);
}

TEST_F(CommandsTest, EmitNoWaitRepliesWithTheEventId) {
    define("setup", "task\nstart on go\nexec setup\n");
    send("emit", {{"name", "go"}, {"wait", false}});
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_TRUE(replies[0].ok);
    EXPECT_TRUE(replies[0].result["event"].is_number_unsigned());
}

TEST_F(CommandsTest, EmitReportsWhichJobFailed) {
    define("setup", "task\nstart on go\nexec setup\n");
    send("emit", {{"name", "go"}});
    kill_with(pid_of(core::ProcessType::Main), SIGSEGV);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_FALSE(replies[0].ok);
    EXPECT_EQ(replies[0].error.code, "event-failed");
    EXPECT_EQ(replies[0].error.message, "Event failed: setup main process killed by SEGV signal");
}

TEST_F(CommandsTest, EmitRefusesBadNamesAndEnvironmentWithoutEmitting) {
    send("emit", {{"name", ""}});
    send("emit", {{"name", "a b"}});
    send("emit", {{"name", "x"}, {"env", {"NOEQUALS"}}});
    send("emit", {{"env", json::array()}});
    ASSERT_EQ(replies.size(), 4u);
    EXPECT_EQ(replies[0].error.message, "Name may not be empty string");
    EXPECT_EQ(replies[1].error.message, "Event name may not contain spaces or control characters");
    EXPECT_EQ(replies[2].error.message, "Env must be KEY=VALUE pairs: 'NOEQUALS'");
    EXPECT_EQ(replies[3].error.code, "invalid-argument");
    EXPECT_TRUE(events.empty());
}

TEST_F(CommandsTest, EmitNeedsPermission) {
    send("emit", {{"name", "go"}}, 4242);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].error.code, "permission-denied");
    EXPECT_TRUE(events.empty());
}

TEST_F(CommandsTest, UsageGivesTheStanzaOrUnknownJob) {
    define("getty", "usage \"getty TTY=x\"\nexec getty\n");
    send("usage", {{"job", "getty"}});
    send("usage", {{"job", "nope"}});
    ASSERT_EQ(replies.size(), 2u);
    EXPECT_EQ(replies[0].result["usage"], "getty TTY=x");
    EXPECT_EQ(replies[1].error.code, "unknown-job");
}

TEST_F(CommandsTest, SetGetUnsetResetTheGlobalTable) {
    send("set-env", {{"vars", {"A=1", "B", "C=x=y"}}});
    send("get-env", {{"name", "A"}});
    send("get-env", {{"name", "B"}});
    send("get-env", {{"name", "C"}});
    ASSERT_EQ(replies.size(), 4u);
    EXPECT_EQ(replies[1].result["value"], "1");
    EXPECT_EQ(replies[2].result["value"], "");
    EXPECT_EQ(replies[3].result["value"], "x=y");
    send("set-env", {{"vars", {"A=2"}}, {"retain", true}});
    send("get-env", {{"name", "A"}});
    EXPECT_EQ(replies.back().result["value"], "1");
    send("unset-env", {{"names", {"A", "NOPE"}}});
    EXPECT_EQ(replies.back().error.message, "No such variable: NOPE");
    send("get-env", {{"name", "A"}});
    EXPECT_TRUE(replies.back().ok) << "a refused unset-env must change nothing";
    send("reset-env", json::object());
    send("list-env", json::object());
    EXPECT_EQ(replies.back().result["env"], json({"PATH=/usr/bin:/bin", "TERM=linux"}));
}

TEST_F(CommandsTest, SetEnvRefusesBadNamesAndChangesNothing) {
    send("set-env", {{"vars", {"GOOD=1", "BAD-NAME=2"}}});
    EXPECT_EQ(replies.back().error.message, "Invalid variable name: 'BAD-NAME'");
    send("get-env", {{"name", "GOOD"}});
    EXPECT_EQ(replies.back().error.code, "no-such-variable");
    send("set-env", {{"vars", json::array()}});
    EXPECT_EQ(replies.back().error.code, "invalid-argument");
}

TEST_F(CommandsTest, InstanceTableIsSeparateFromTheGlobalOne) {
    define("web", "env MODE=prod\nexec web\n");
    start("web");
    send("set-env", {{"vars", {"LOCAL=1"}}, {"job", "web"}, {"instance", ""}});
    send("get-env", {{"name", "LOCAL"}, {"job", "web"}, {"instance", ""}});
    EXPECT_EQ(replies.back().result["value"], "1");
    send("get-env", {{"name", "LOCAL"}});
    EXPECT_EQ(replies.back().error.code, "no-such-variable");
    send("set-env", {{"vars", {"G=1"}}, {"job", "web"}, {"instance", ""}, {"global", true}});
    send("get-env", {{"name", "G"}});
    EXPECT_EQ(replies.back().result["value"], "1");
    send("reset-env", {{"job", "web"}, {"instance", ""}});
    send("get-env", {{"name", "LOCAL"}, {"job", "web"}, {"instance", ""}});
    EXPECT_EQ(replies.back().error.code, "no-such-variable");
    send("get-env", {{"name", "MODE"}, {"job", "web"}, {"instance", ""}});
    EXPECT_EQ(replies.back().result["value"], "prod");
    send("list-env", {{"job", "db"}, {"instance", ""}});
    EXPECT_EQ(replies.back().error.message, "Unknown instance: db");
}

TEST_F(CommandsTest, InstancesWithEqualTablesShareOneUntilOneOfThemIsChanged) {
    define("getty", "instance $TTY\nexec getty\n");
    start("getty", {"TTY=tty1"});
    define("web", "exec web\n");
    define("db", "exec db\n");
    start("web");
    start("db");
    const core::Job* web = job("web");
    const core::Job* db = job("db");
    ASSERT_TRUE(web && db);
    EXPECT_EQ(&web->env.get(), &db->env.get()) << "one table for two jobs with the same environment";
    EXPECT_TRUE(web->env.shared());
    EXPECT_NE(&job("getty", "tty1")->env.get(), &web->env.get()) << "TTY=tty1 makes getty's table its own";

    send("set-env", {{"vars", {"LOCAL=1"}}, {"job", "web"}, {"instance", ""}});
    ASSERT_TRUE(replies.back().ok);
    EXPECT_NE(&web->env.get(), &db->env.get());
    send("get-env", {{"name", "LOCAL"}, {"job", "web"}, {"instance", ""}});
    EXPECT_EQ(replies.back().result["value"], "1");
    send("get-env", {{"name", "LOCAL"}, {"job", "db"}, {"instance", ""}});
    EXPECT_EQ(replies.back().error.code, "no-such-variable") << "db's table must not change with web's";
    send("list-env", {{"job", "db"}, {"instance", ""}});
    EXPECT_EQ(replies.back().result["env"], (nlohmann::json{"PATH=/usr/bin:/bin", "TERM=linux"}));
}

TEST_F(CommandsTest, ReadingTheTableIsOpenToAllChangingItIsNot) {
    send("list-env", json::object(), 4242);
    EXPECT_TRUE(replies.back().ok);
    send("set-env", {{"vars", {"A=1"}}}, 4242);
    EXPECT_EQ(replies.back().error.code, "permission-denied");
}

} // namespace
