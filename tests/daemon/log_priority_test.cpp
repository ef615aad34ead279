// Tests LogPriority: Upstart's names, and which levels each priority keeps.
#include "daemon/log_priority.h"

#include <gtest/gtest.h>

namespace {

using core::LogLevel;
using daemon_main::keeps;
using daemon_main::LogPriority;
using daemon_main::parse_log_priority;

TEST(LogPriorityTest, UpstartsNamesParseAndPrintBack) {
    for (const char* name : {"debug", "info", "message", "warn", "error", "fatal"}) {
        auto p = parse_log_priority(name);
        ASSERT_TRUE(p.has_value()) << name;
        EXPECT_EQ(daemon_main::to_string(*p), name);
    }
    EXPECT_EQ(parse_log_priority("warning"), LogPriority::Warn);
    EXPECT_EQ(parse_log_priority("Info"), std::nullopt);
    EXPECT_EQ(parse_log_priority(""), std::nullopt);
    EXPECT_EQ(parse_log_priority("verbose"), std::nullopt);
}

TEST(LogPriorityTest, APriorityKeepsItsLevelAndAbove) {
    EXPECT_TRUE(keeps(LogPriority::Debug, LogLevel::Debug));
    EXPECT_FALSE(keeps(LogPriority::Info, LogLevel::Debug));
    EXPECT_TRUE(keeps(LogPriority::Info, LogLevel::Info));
    // startd logs nothing between info and warn: `message` keeps what `warn` keeps.
    EXPECT_FALSE(keeps(LogPriority::Message, LogLevel::Info));
    EXPECT_TRUE(keeps(LogPriority::Message, LogLevel::Warning));
    EXPECT_FALSE(keeps(LogPriority::Warn, LogLevel::Info));
    EXPECT_TRUE(keeps(LogPriority::Warn, LogLevel::Warning));
    EXPECT_FALSE(keeps(LogPriority::Error, LogLevel::Warning));
    EXPECT_TRUE(keeps(LogPriority::Error, LogLevel::Error));
    EXPECT_FALSE(keeps(LogPriority::Fatal, LogLevel::Error));
}

} // namespace
