// Tests parsing sd_notify datagrams.
#include "proc/notify_message.h"

#include <gtest/gtest.h>

namespace {

TEST(NotifyMessage, ReadsReadyMainPidStatusAndStopping) {
    auto m = proc::parse_notify_message("READY=1\nSTATUS=Ready to accept connections\nMAINPID=4321\n");
    EXPECT_TRUE(m.ready);
    EXPECT_FALSE(m.stopping);
    EXPECT_EQ(m.main_pid, 4321);
    EXPECT_EQ(m.status, "Ready to accept connections");
    EXPECT_TRUE(m.problems.empty());
    EXPECT_TRUE(proc::parse_notify_message("STOPPING=1").stopping);
}

TEST(NotifyMessage, StatusMayContainEqualsSignsAndIsBounded) {
    EXPECT_EQ(proc::parse_notify_message("STATUS=a=b").status, "a=b");
    EXPECT_EQ(proc::parse_notify_message("STATUS=" + std::string(2000, 'x')).status->size(), 512u);
}

TEST(NotifyMessage, UnknownKeysAndJunkAreIgnoredBadValuesReported) {
    auto m = proc::parse_notify_message("WATCHDOG=1\nFDSTORE=1\ngarbage\n\nREADY=0\nMAINPID=12x\nMAINPID=-3");
    EXPECT_FALSE(m.ready);
    EXPECT_FALSE(m.main_pid);
    EXPECT_EQ(m.problems.size(), 3u);
    EXPECT_TRUE(proc::parse_notify_message("").problems.empty());
}

} // namespace
