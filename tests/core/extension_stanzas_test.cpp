// Tests the list of startd-only stanzas a class uses (what `startd --check` reports) and their
// spelling in seconds.
#include "config/parser.h"
#include "core/extension_stanzas.h"

#include <gtest/gtest.h>

namespace {

std::vector<std::string> extensions_of(std::string_view text) {
    auto job = config::parse_job(text, "test.conf");
    EXPECT_TRUE(job.has_value()) << (job ? "" : job.error().to_string());
    return job ? core::extension_stanzas(*job) : std::vector<std::string>{"unparsed"};
}

TEST(ExtensionStanzas, AnUpstartJobHasNone) {
    EXPECT_TRUE(extensions_of("respawn\nrespawn limit 3 60\nexec /bin/sleep 100\n").empty());
}

TEST(ExtensionStanzas, RespawnDelayAndHealthyAreListedAsWritten) {
    EXPECT_EQ(extensions_of("respawn\nrespawn healthy 30\nrespawn delay 1 60\nexec x\n"),
              (std::vector<std::string>{"respawn delay 1 60", "respawn healthy 30"}));
    EXPECT_EQ(extensions_of("respawn delay 0.5 2.25\n"),
              (std::vector<std::string>{"respawn delay 0.5 2.25"}));
}

TEST(ExtensionStanzas, ExpectNotifyIsOneButUpstartsExpectTypesAreNot) {
    EXPECT_EQ(extensions_of("expect notify\nexec x\n"), (std::vector<std::string>{"expect notify"}));
    for (const char* expect : {"stop", "fork", "daemon", "none"}) {
        EXPECT_TRUE(extensions_of(std::string("expect ") + expect + "\nexec x\n").empty()) << expect;
    }
}

TEST(SecondsText, WholeSecondsHaveNoPointAndFractionsNoTrailingZeros) {
    EXPECT_EQ(core::seconds_text(0), "0");
    EXPECT_EQ(core::seconds_text(60'000), "60");
    EXPECT_EQ(core::seconds_text(500), "0.5");
    EXPECT_EQ(core::seconds_text(1250), "1.25");
    EXPECT_EQ(core::seconds_text(2005), "2.005");
    EXPECT_EQ(core::seconds_text(86'400'000), "86400");
}

TEST(ExtensionStanzas, TimersAreStartdsOwn) {
    EXPECT_EQ(extensions_of("timer cron 0 3 * * *\ntimer every 5m\ntimer missed catch-up\nexec x\n"),
              (std::vector<std::string>{"timer cron 0 3 * * *", "timer every 5m", "timer missed catch-up"}));
    EXPECT_EQ(extensions_of("expect notify\nexec x\n"), (std::vector<std::string>{"expect notify"}));
    EXPECT_TRUE(extensions_of("start on startup\nexec x\n").empty());
    EXPECT_TRUE(extensions_of("timer missed skip\nexec x\n").empty()); // the default, said aloud
}

} // namespace
