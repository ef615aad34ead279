// Tests the streaming commands over a real Engine on a fake runtime: `log` sends the tail, then
// ends or follows; only the privileged may read logs or monitor; a version 1 request of a
// streaming command is refused by name; `log-reopen` reopens.
#include "commands_fixture.h"
#include "support/recording_stream.h"

#include <gtest/gtest.h>

namespace {

using nlohmann::json;

class LogCommandsTest : public CommandsTest {
  protected:
    LogCommandsTest() {
        host.log_path = [](const std::string& job, const std::string& instance) {
            return "/log/" + job + (instance.empty() ? "" : "-" + instance) + ".log";
        };
        host.read_log = [this](const std::string& path,
                               std::optional<std::size_t> lines) -> base::Result<std::string> {
            read_path = path;
            read_lines = lines;
            return tail;
        };
        host.follow_log = [this](const std::string& path, control::StreamPtr s) {
            followed_path = path;
            followers.push_back(std::move(s));
        };
        host.reopen_logs = [this] { ++reopened; };
        host.monitor = [this](control::StreamPtr s) { followers.push_back(std::move(s)); };
    }

    void stream(const std::string& cmd, json args, uid_t uid = 1000, int version = 2) {
        control::Request req;
        req.version = version;
        req.id = ++m_id;
        req.command = cmd;
        req.args = std::move(args);
        control::dispatch(
            host, req, uid, [this](control::Response r) { replies.push_back(std::move(r)); },
            [this]() -> control::StreamPtr { return opened; });
    }

    std::shared_ptr<test_support::RecordingStream> opened = std::make_shared<test_support::RecordingStream>();
    std::string tail = "2026-12-08T00:00:00Z a\n2026-12-08T00:00:00Z b\n";
    std::string read_path;
    std::optional<std::size_t> read_lines;
    std::string followed_path;
    std::vector<control::StreamPtr> followers;
    int reopened = 0;
};

TEST_F(LogCommandsTest, LogSendsTheTailThenEnds) {
    define("web", "exec web\n");
    stream("log", {{"job", "web"}, {"lines", 2}});
    EXPECT_TRUE(replies.empty()) << "the reply is the stream's";
    EXPECT_EQ(read_path, "/log/web.log");
    EXPECT_EQ(read_lines, std::optional<std::size_t>(2));
    ASSERT_EQ(opened->items.size(), 1u);
    EXPECT_EQ(opened->items[0]["data"], tail);
    EXPECT_TRUE(opened->finished);
    EXPECT_EQ(opened->final_reply.result["path"], "/log/web.log");
    EXPECT_TRUE(followers.empty());
}

TEST_F(LogCommandsTest, LogFollowKeepsTheStreamOpenForTheDaemon) {
    define("getty", "instance $TTY\nexec getty\n");
    stream("log", {{"job", "getty"}, {"env", {"TTY=tty1"}}, {"follow", true}});
    EXPECT_EQ(followed_path, "/log/getty-tty1.log");
    ASSERT_EQ(followers.size(), 1u);
    EXPECT_FALSE(opened->finished);
}

TEST_F(LogCommandsTest, ALargeTailIsCutIntoItemsAtLineEnds) {
    define("web", "exec web\n");
    tail.clear();
    for (int i = 0; tail.size() < 200000; ++i) {
        tail += "line " + std::to_string(i) + "\n";
    }
    stream("log", {{"job", "web"}});
    ASSERT_GE(opened->items.size(), 4u);
    std::string joined;
    for (const json& item : opened->items) {
        std::string data = item["data"];
        EXPECT_EQ(data.back(), '\n');
        EXPECT_LE(data.size(), 64u << 10);
        joined += data;
    }
    EXPECT_EQ(joined, tail);
}

TEST_F(LogCommandsTest, OnlyThePrivilegedMayReadLogsOrMonitor) {
    define("web", "exec web\n");
    stream("log", {{"job", "web"}}, 4242);
    stream("monitor", json::object(), 4242);
    ASSERT_EQ(replies.size(), 2u);
    EXPECT_EQ(replies[0].error.code, "permission-denied");
    EXPECT_EQ(replies[1].error.code, "permission-denied");
    EXPECT_TRUE(opened->items.empty());
    stream("log", {{"job", "web"}}, 0);
    EXPECT_TRUE(opened->finished) << "root may";
}

TEST_F(LogCommandsTest, AVersionOneRequestOfAStreamingCommandIsRefusedByName) {
    define("web", "exec web\n");
    stream("log", {{"job", "web"}}, 1000, 1);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].error.code, "unsupported-version");
    EXPECT_NE(replies[0].error.message.find("version 2"), std::string::npos);
}

TEST_F(LogCommandsTest, BadArgumentsAndJobsThatDoNotLogAreClearErrors) {
    define("web", "exec web\n");
    define("quiet", "console none\nexec quiet\n");
    stream("log", {{"job", "web"}, {"lines", -1}});
    stream("log", {{"job", "nope"}});
    stream("log", {{"job", "quiet"}});
    ASSERT_EQ(replies.size(), 3u);
    EXPECT_EQ(replies[0].error.code, "invalid-argument");
    EXPECT_EQ(replies[1].error.code, "unknown-job");
    EXPECT_EQ(replies[2].error.message, "quiet does not log its output (console none)");
}

TEST_F(LogCommandsTest, LogReopenReopensAndMonitorSubscribes) {
    send("log-reopen", json::object());
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_TRUE(replies[0].ok);
    EXPECT_EQ(reopened, 1);
    stream("monitor", json::object());
    EXPECT_EQ(followers.size(), 1u);
}

} // namespace
