// Tests check-config's reachability analysis.
#include "daemon/config_check.h"

#include <gtest/gtest.h>

#include "config/parser.h"

namespace {

std::vector<core::JobClass> jobs_of(std::vector<std::pair<std::string, std::string>> defs) {
    std::vector<core::JobClass> out;
    for (auto& [name, text] : defs) {
        auto job = config::parse_job(text, name);
        EXPECT_TRUE(job.has_value()) << (job ? "" : job.error().to_string());
        job->name = name;
        out.push_back(std::move(job).value());
    }
    return out;
}

std::vector<std::string> check(const std::vector<core::JobClass>& jobs) {
    std::vector<const core::JobClass*> ptrs;
    for (const auto& j : jobs) {
        ptrs.push_back(&j);
    }
    return daemon_main::check_reachability(ptrs);
}

TEST(CheckReachability, EventsEmittedByAJobOrByStartdAreKnown) {
    auto jobs = jobs_of({{"net", "emits net-device-up\nexec netd\n"},
                         {"web", "start on net-device-up IFACE=eth0 or startup\nstop on stopping net\n"}});
    EXPECT_TRUE(check(jobs).empty());
}

TEST(CheckReachability, UnknownEventAndUnknownJobAreReportedUnderTheJob) {
    auto jobs = jobs_of({{"web", "start on filesystem and started dbus\nstop on runlevel [016]\n"}});
    EXPECT_EQ(check(jobs), (std::vector<std::string>{"web", "  start on: unknown event filesystem\n  start on: unknown job dbus",
                                                     "  stop on: unknown event runlevel"}));
}

TEST(CheckReachability, AnOrWithOneReachableBranchIsFine) {
    auto jobs = jobs_of({{"web", "start on startup or never-emitted\n"}});
    EXPECT_TRUE(check(jobs).empty());
}

TEST(CheckReachability, EmitsGlobsCoverEventsAndTheirFailedForms) {
    auto jobs = jobs_of({{"bridge", "emits net-*\n"}, {"web", "start on net-up or net-up/failed\n"}});
    EXPECT_TRUE(check(jobs).empty());
}

} // namespace
