// Tests which stanzas startd parses but cannot carry out on this system, and the reason given.
#include "config/parser.h"
#include "core/unsupported_stanzas.h"

#include <gtest/gtest.h>

namespace {

std::optional<core::Unsupported> of(const std::string& text) {
    auto job = config::parse_job(text, "j.conf");
    EXPECT_TRUE(job.has_value()) << (job ? "" : job.error().to_string());
    return job ? core::unsupported_stanza(*job) : std::nullopt;
}

TEST(UnsupportedStanza, OrdinaryJobCanStart) {
    EXPECT_FALSE(of("exec /bin/true\nnice 5\nlimit nofile 10 10\n").has_value());
}

TEST(UnsupportedStanza, ApparmorLoadIsRefusedForTheSecurityProcess) {
    auto u = of("apparmor load /etc/apparmor.d/usr.sbin.x\nexec x\n");
    ASSERT_TRUE(u.has_value());
    EXPECT_EQ(u->process, core::ProcessType::Security);
    EXPECT_EQ(u->reason,
              "apparmor load /etc/apparmor.d/usr.sbin.x: AppArmor is not supported on this system");
}

TEST(UnsupportedStanza, ApparmorSwitchIsRefusedForTheMainProcess) {
    auto u = of("apparmor switch cups\nexec cupsd\n");
    ASSERT_TRUE(u.has_value());
    EXPECT_EQ(u->process, core::ProcessType::Main);
    EXPECT_EQ(u->reason, "apparmor switch cups: AppArmor is not supported on this system");
}

TEST(UnsupportedStanza, CgroupIsRefusedNamingTheFirstController) {
    auto u = of("cgroup memory mygroup memory.limit_in_bytes 1G\ncgroup cpu\nexec x\n");
    ASSERT_TRUE(u.has_value());
    EXPECT_EQ(u->reason,
              "cgroup memory: cgroup stanzas (cgroup v1 controllers) are not supported on this system");
}

TEST(UnsupportedStanza, AnOverrideCanAddOne) {
    auto job = config::parse_job("exec x\n", "j.conf");
    ASSERT_TRUE(job.has_value());
    ASSERT_TRUE(config::parse_job_text("cgroup cpu\n", "j.override", *job).has_value());
    EXPECT_TRUE(core::unsupported_stanza(*job).has_value());
}

} // namespace
