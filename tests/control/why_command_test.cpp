// Tests the `why` command's reply: the trees with matched operands, the events with when they
// were last emitted, and the notes for the three questions operators ask most: a job waiting
// for half of an `and`, a job added after the event it starts on, a job stopped by its respawn
// limit.
#include "control/commands_fixture.h"

#include <gtest/gtest.h>

namespace {

using nlohmann::json;

class WhyCommandTest : public CommandsTest {
  protected:
    json why(const std::string& job) {
        send("why", {{"job", job}});
        EXPECT_TRUE(replies.back().ok) << replies.back().error.message;
        return replies.back().result;
    }
    static bool has_note(const json& reply, const std::string& part) {
        for (const json& n : reply["notes"]) {
            if (n.get<std::string>().find(part) != std::string::npos) {
                return true;
            }
        }
        return false;
    }
};

TEST_F(WhyCommandTest, AJobWaitingForHalfOfAnAndShowsWhichHalfMatched) {
    define("web", "start on (net-up and db-ready)\nexec /bin/web\n");
    engine.emit("net-up", {"IFACE=eth0"}, {});
    json r = why("web");
    EXPECT_EQ(r["status"]["state"], "waiting");
    const json& tree = r["start_on"];
    EXPECT_EQ(tree["op"], "and");
    EXPECT_EQ(tree["matched"], false);
    ASSERT_EQ(tree["operands"].size(), 2u);
    EXPECT_EQ(tree["operands"][0]["event"], "net-up");
    EXPECT_EQ(tree["operands"][0]["matched"], true);
    EXPECT_EQ(tree["operands"][0]["by"]["env"], json::array({"IFACE=eth0"}));
    EXPECT_TRUE(tree["operands"][0]["by"]["at_ms"].is_number_integer());
    EXPECT_EQ(tree["operands"][1]["event"], "db-ready");
    EXPECT_EQ(tree["operands"][1]["matched"], false);
    EXPECT_TRUE(has_note(r, "waits for `db-ready`, not emitted since startd started"));
    EXPECT_FALSE(has_note(r, "net-up"));
    ASSERT_EQ(r["events"].size(), 2u);
    EXPECT_EQ(r["events"][0]["name"], "net-up");
    EXPECT_EQ(r["events"][0]["count"], 1);
    EXPECT_TRUE(r["events"][1]["last_emitted_ms"].is_null());
}

TEST_F(WhyCommandTest, AJobAddedAfterItsEventSaysToStartItByHand) {
    engine.emit("startup", {}, {});
    runtime.advance(std::chrono::hours(3));
    define("web", "start on startup\nexec /bin/web\n");
    json r = why("web");
    EXPECT_EQ(r["events"][0]["before_load"], true);
    EXPECT_TRUE(
        has_note(r, "`startup` was emitted 3 h ago, before this job was added: run `startctl start web`"))
        << r["notes"].dump();
}

TEST_F(WhyCommandTest, AJobStoppedByItsRespawnLimitSaysSo) {
    define("crash", "start on startup\nrespawn\nrespawn limit 2 5\nexec /bin/crash\n");
    engine.emit("startup", {}, {});
    for (int i = 0; i < 3 && job("crash") != nullptr; ++i) {
        exit_with(pid_of(core::ProcessType::Main), 1);
    }
    json r = why("crash");
    EXPECT_EQ(r["status"]["stopped"]["cause"], "failed");
    EXPECT_EQ(r["status"]["last_exit"]["status"], 1);
    EXPECT_TRUE(has_note(r, "it failed: crash main process respawning too fast"));
    EXPECT_TRUE(has_note(r, "respawned more than 2 times within 5 s (`respawn limit`)"));
    EXPECT_TRUE(has_note(r, "the job ran and has stopped since"));
}

TEST_F(WhyCommandTest, ARunningJobSaysWhatStartedItAndAJobEventNamesTheOtherJob) {
    define("db", "start on startup\nexec /bin/db\n");
    define("api", "start on started db and net-up\nexec /bin/api\n");
    engine.emit("startup", {}, {});
    json api = why("api");
    EXPECT_TRUE(has_note(api, "waits for `net-up`"));
    EXPECT_FALSE(has_note(api, "started db`"));
    json db = why("db");
    EXPECT_TRUE(has_note(db, "it is running; started by startup")) << db["notes"].dump();
}

TEST_F(WhyCommandTest, AManualJobSaysOnlyACommandStartsIt) {
    define("tool", "manual\nexec /bin/tool\n");
    json r = why("tool");
    EXPECT_TRUE(r["start_on"].is_null());
    EXPECT_TRUE(has_note(r, "only `startctl start tool` starts it"));
}

TEST_F(WhyCommandTest, AnUnknownJobIsAnError) {
    send("why", {{"job", "nope"}});
    EXPECT_FALSE(replies.back().ok);
    EXPECT_EQ(replies.back().error.code, "unknown-job");
}

TEST_F(WhyCommandTest, StatusGivesTheDetailsOfAJobThatIsGone) {
    define("web", "exec /bin/web\n");
    start("web");
    stop("web");
    exit_with(pid_of(core::ProcessType::Main), 0);
    send("status", {{"job", "web"}});
    ASSERT_TRUE(replies.back().ok);
    const json& s = replies.back().result["statuses"][0];
    EXPECT_EQ(s["stopped"]["cause"], "command");
    EXPECT_EQ(s["stopped"]["text"], "stopped by startctl");
    EXPECT_EQ(s["last_exit"]["process"], "main");
    EXPECT_TRUE(s.contains("since_ms"));
}

TEST_F(WhyCommandTest, TheTimelineListsEveryStateChange) {
    define("setup", "task\nstart on startup\nexec /bin/setup\n");
    engine.emit("startup", {}, {});
    runtime.advance(std::chrono::milliseconds(250));
    exit_with(pid_of(core::ProcessType::Main), 0);
    send("timeline", json::object());
    ASSERT_TRUE(replies.back().ok);
    const json& r = replies.back().result;
    ASSERT_EQ(r["transitions"].size(), 10u);
    EXPECT_EQ(r["transitions"][0]["state"], "starting");
    EXPECT_EQ(r["transitions"][9]["state"], "waiting");
    EXPECT_EQ(r["transitions"][9]["t_ms"].get<std::int64_t>() -
                  r["transitions"][0]["t_ms"].get<std::int64_t>(),
              250);
    EXPECT_EQ(r["start_on"]["setup"], "startup");
    send("timeline", {{"since_s", "x"}});
    EXPECT_FALSE(replies.back().ok);
}

} // namespace
