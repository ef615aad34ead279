// Tests what is-enabled answers from a job's .conf and .override texts: enabled, disabled by the
// override's `manual`, static when nothing would start it on events; an override startd ignores
// (it does not parse) ignored here too; a .conf that does not parse refused.
#include "config/enablement.h"

#include <gtest/gtest.h>

namespace {

using config::Enablement;

Enablement state_of(const std::string& conf, std::optional<std::string> override_text) {
    auto report = config::enablement(conf, "web.conf", override_text, "web.override");
    EXPECT_TRUE(report.has_value()) << (report ? "" : report.error().message());
    return report ? report->state : Enablement::Static;
}

constexpr const char* started = "start on startup\nexec sleep 1\n";
constexpr const char* no_start_on = "exec sleep 1\n";

TEST(Enablement, AJobWithStartOnAndNoOverrideIsEnabled) {
    EXPECT_EQ(state_of(started, std::nullopt), Enablement::Enabled);
    EXPECT_EQ(state_of(started, "env X=1\n"), Enablement::Enabled);
}

TEST(Enablement, ManualInTheOverrideDisablesIt) {
    EXPECT_EQ(state_of(started, "manual\n"), Enablement::Disabled);
    EXPECT_EQ(state_of(started, "env X=1\nmanual # off\n"), Enablement::Disabled);
}

TEST(Enablement, AStartOnAfterTheManualWins) {
    EXPECT_EQ(state_of(started, "manual\nstart on net-up\n"), Enablement::Enabled);
}

TEST(Enablement, AStartOnBeforeTheManualInTheOverrideIsWhatEnableWouldBringBack) {
    EXPECT_EQ(state_of(no_start_on, "start on net-up\nmanual\n"), Enablement::Disabled);
}

TEST(Enablement, AJobWithoutStartOnOrWithManualInItsConfIsStatic) {
    EXPECT_EQ(state_of(no_start_on, std::nullopt), Enablement::Static);
    EXPECT_EQ(state_of("start on startup\nmanual\nexec sleep 1\n", std::nullopt), Enablement::Static);
    EXPECT_EQ(state_of(no_start_on, "manual\n"), Enablement::Static); // the override's manual changes nothing
}

TEST(Enablement, AnOverrideAddingStartOnToAStaticConfEnablesIt) {
    EXPECT_EQ(state_of(no_start_on, "start on startup\n"), Enablement::Enabled);
}

TEST(Enablement, AnOverrideThatDoesNotParseIsIgnoredAsStartdIgnoresIt) {
    auto report =
        config::enablement(started, "web.conf", std::string("manual\nfrobnicate\n"), "web.override");
    ASSERT_TRUE(report.has_value());
    EXPECT_EQ(report->state, Enablement::Enabled);
    ASSERT_TRUE(report->override_error.has_value());
    EXPECT_NE(report->override_error->find("web.override:2:1"), std::string::npos) << *report->override_error;
}

TEST(Enablement, AConfThatDoesNotParseIsAnError) {
    auto report = config::enablement("start on\n", "web.conf", std::nullopt, "web.override");
    ASSERT_FALSE(report.has_value());
    EXPECT_NE(report.error().message().find("web.conf:1"), std::string::npos) << report.error().message();
}

TEST(Enablement, NamesItsStatesAsIsEnabledPrintsThem) {
    EXPECT_EQ(config::to_string(Enablement::Enabled), "enabled");
    EXPECT_EQ(config::to_string(Enablement::Disabled), "disabled");
    EXPECT_EQ(config::to_string(Enablement::Static), "static");
}

} // namespace
