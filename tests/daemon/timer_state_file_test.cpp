// Tests the timer state file: its text round trip, strict reading, and the atomic write through
// the fake kernel (the directory made, the file replaced whole, nothing left beside it).
#include "daemon/timer_state_file.h"
#include "fakes/fake_sys.h"

#include <gtest/gtest.h>

namespace {

using core::TimerState;

TEST(TimerStateFile, RoundTripKeepsTheLastFirings) {
    std::vector<TimerState> states = {{"backup", "cron 0 3 * * *", 1780282800, 0},
                                      {"net/sync", "every 5m", 17, 0}};
    std::string text = daemon_main::encode_timer_state(states);
    EXPECT_EQ(text, "{\"timers\":[{\"job\":\"backup\",\"last\":1780282800,\"timer\":\"cron 0 3 * * *\"},"
                    "{\"job\":\"net/sync\",\"last\":17,\"timer\":\"every 5m\"}],\"version\":1}\n");
    auto back = daemon_main::decode_timer_state(text);
    ASSERT_TRUE(back.has_value()) << back.error().message();
    EXPECT_EQ(*back, states);
}

TEST(TimerStateFile, AnythingElseIsAnError) {
    auto error_of = [](std::string_view text) {
        auto r = daemon_main::decode_timer_state(text);
        return r ? std::string("(read)") : r.error().message();
    };
    EXPECT_EQ(error_of(""), "not a JSON object");
    EXPECT_EQ(error_of("{\"version\":1,\"timers\":[{\"job\":\"a\",\"timer\":\"every 1s\",\"last\":"),
              "not a JSON object"); // cut short
    EXPECT_EQ(error_of("{\"version\":2,\"timers\":[]}"), "not a timer state file of version 1");
    EXPECT_EQ(error_of("{\"version\":1}"), "no \"timers\" list");
    EXPECT_EQ(error_of("{\"version\":1,\"timers\":[{\"job\":\"a\",\"timer\":\"every 1s\",\"last\":\"x\"}]}"),
              "a timer entry is not {\"job\":TEXT,\"timer\":TEXT,\"last\":SECONDS}");
    EXPECT_EQ(
        error_of("{\"version\":1,\"timers\":[{\"job\":\"a\",\"timer\":\"every 1s\",\"last\":1,\"x\":1}]}"),
        "a timer entry is not {\"job\":TEXT,\"timer\":TEXT,\"last\":SECONDS}");
    EXPECT_EQ(error_of("{\"version\":1,\"timers\":[]}"), "(read)");
}

TEST(TimerStateFile, WritesWholeIntoADirectoryItMakes) {
    fakes::FakeSys sys;
    const std::string path = "/var/lib/startd/timers";
    auto none = daemon_main::read_timer_state(sys, path);
    ASSERT_TRUE(none.has_value());
    EXPECT_TRUE(none->empty()); // no file yet: nothing missed
    ASSERT_TRUE(daemon_main::write_timer_state(sys, path, {{"a", "every 1s", 5, 0}}));
    ASSERT_TRUE(daemon_main::write_timer_state(sys, path, {{"a", "every 1s", 6, 0}}));
    auto read = daemon_main::read_timer_state(sys, path);
    ASSERT_TRUE(read.has_value()) << read.error().message();
    EXPECT_EQ(*read, (std::vector<TimerState>{{"a", "every 1s", 6, 0}}));
    EXPECT_FALSE(sys.exists(path + ".new"));
}

} // namespace
