// Tests the list of startd-only stanzas --check reports.
#include "config/parser.h"
#include "core/extension_stanzas.h"

#include <gtest/gtest.h>

namespace {

std::vector<std::string> extensions_of(std::string_view text) {
    auto job = config::parse_job(text, "test.conf");
    EXPECT_TRUE(job.has_value()) << (job ? "" : job.error().to_string());
    return job ? core::extension_stanzas(*job) : std::vector<std::string>{};
}

TEST(ExtensionStanzas, TimersAreStartdsOwn) {
    EXPECT_EQ(extensions_of("timer cron 0 3 * * *\ntimer every 5m\ntimer missed catch-up\nexec x\n"),
              (std::vector<std::string>{"timer cron 0 3 * * *", "timer every 5m", "timer missed catch-up"}));
    EXPECT_EQ(extensions_of("expect notify\nexec x\n"), (std::vector<std::string>{"expect notify"}));
    EXPECT_TRUE(extensions_of("start on startup\nexec x\n").empty());
    EXPECT_TRUE(extensions_of("timer missed skip\nexec x\n").empty()); // the default, said aloud
}

} // namespace
