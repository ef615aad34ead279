// Tests building a SpawnPlan from a job: environment layering, credentials by name at spawn
// time, directory defaults, limits and the clear refusals for unsupported stanzas.
#include "proc/spawn_plan.h"

#include <gtest/gtest.h>

#include "config/parser.h"

namespace {

using core::ProcessType;

std::shared_ptr<const core::JobClass> job_class(const std::string& text) {
    auto job = config::parse_job(text, "t.conf");
    EXPECT_TRUE(job.has_value()) << (job ? "" : job.error().to_string());
    job->name = "t";
    return std::make_shared<core::JobClass>(std::move(job).value());
}

proc::PlanContext ctx(proc::Mode mode = proc::Mode::System) {
    proc::PlanContext c;
    c.mode = mode;
    c.running_as_root = true;
    c.stdio = {10, 11, 12};
    return c;
}

TEST(ProcessEnvironment, InstanceEnvThenStopEnvForStopHooksThenUpstartVariables) {
    core::Job job(job_class("exec x\n"), "tty1");
    job.env.edit() = {"PATH=/bin", "A=1"};
    job.stop_env = {"A=2", "UPSTART_STOP_EVENTS=runlevel"};
    EXPECT_EQ(proc::process_environment(job, ProcessType::Main, {}),
              (core::Environ{"PATH=/bin", "A=1", "UPSTART_JOB=t", "UPSTART_INSTANCE=tty1"}));
    EXPECT_EQ(proc::process_environment(job, ProcessType::PostStop, {"STARTD_CONFIG=/etc/startd"}),
              (core::Environ{"PATH=/bin", "A=2", "UPSTART_STOP_EVENTS=runlevel", "STARTD_CONFIG=/etc/startd",
                             "UPSTART_JOB=t", "UPSTART_INSTANCE=tty1"}));
}

TEST(BuildSpawnPlan, CarriesCommandLimitsUmaskNiceOomAndStdio) {
    core::Job job(job_class("exec /bin/sleep 5\numask 027\nnice 5\noom score -500\nlimit nofile 100 200\n"), "");
    auto plan = proc::build_spawn_plan(sys::real_sys(), job, ProcessType::Main, ctx());
    ASSERT_TRUE(plan.has_value()) << plan.error().message();
    EXPECT_EQ(plan->file, "/bin/sleep");
    EXPECT_EQ(plan->argv, (std::vector<std::string>{"/bin/sleep", "5"}));
    EXPECT_EQ(plan->umask, 027u);
    EXPECT_EQ(plan->nice, 5);
    EXPECT_EQ(plan->oom_score_adj, -500);
    ASSERT_EQ(plan->rlimits.size(), 1u);
    EXPECT_EQ(plan->rlimits[0].soft, 100u);
    EXPECT_TRUE(plan->new_session);
    ASSERT_EQ(plan->fds.size(), 3u);
    EXPECT_EQ(plan->fds[1].from, 11);
    EXPECT_EQ(plan->fds[1].to, 1);
}

TEST(BuildSpawnPlan, JobsGetTheDaemonsNofileLimitUnlessTheirOwnLimitSaysOtherwise) {
    proc::PlanContext c = ctx();
    c.nofile = sys::ResourceLimit{RLIMIT_NOFILE, 1024, 524288};
    core::Job plain(job_class("exec x\nlimit core 0 0\n"), "");
    auto plan = proc::build_spawn_plan(sys::real_sys(), plain, ProcessType::Main, c);
    ASSERT_TRUE(plan.has_value()) << plan.error().message();
    ASSERT_EQ(plan->rlimits.size(), 2u);
    EXPECT_EQ(plan->rlimits[1].resource, RLIMIT_NOFILE);
    EXPECT_EQ(plan->rlimits[1].soft, 1024u);
    EXPECT_EQ(plan->rlimits[1].hard, 524288u);
    core::Job own(job_class("exec x\nlimit nofile 100 200\n"), "");
    plan = proc::build_spawn_plan(sys::real_sys(), own, ProcessType::Main, c);
    ASSERT_TRUE(plan.has_value());
    ASSERT_EQ(plan->rlimits.size(), 1u);
    EXPECT_EQ(plan->rlimits[0].soft, 100u);
    EXPECT_TRUE(proc::build_spawn_plan(sys::real_sys(), plain, ProcessType::Main, ctx())->rlimits.size() == 1u)
        << "no daemon limit: the inherited one stays";
}

TEST(BuildSpawnPlan, SystemJobsRunInRootDirectoryUserJobsKeepTheirs) {
    core::Job job(job_class("exec x\n"), "");
    EXPECT_EQ(proc::build_spawn_plan(sys::real_sys(), job, ProcessType::Main, ctx())->cwd, "/");
    EXPECT_FALSE(proc::build_spawn_plan(sys::real_sys(), job, ProcessType::Main, ctx(proc::Mode::User))->cwd);
    core::Job with_chdir(job_class("exec x\nchdir /srv\n"), "");
    EXPECT_EQ(proc::build_spawn_plan(sys::real_sys(), with_chdir, ProcessType::Main, ctx(proc::Mode::User))->cwd, "/srv");
}

TEST(BuildSpawnPlan, SetuidResolvesTheUserAndItsPrimaryGroupAtSpawnTime) {
    core::Job job(job_class("exec x\nsetuid root\n"), "");
    auto plan = proc::build_spawn_plan(sys::real_sys(), job, ProcessType::Main, ctx());
    ASSERT_TRUE(plan.has_value()) << plan.error().message();
    EXPECT_EQ(plan->uid, 0u);
    EXPECT_EQ(plan->gid, 0u);
    EXPECT_TRUE(plan->groups.has_value());
}

TEST(BuildSpawnPlan, UnknownUserOrGroupIsNamedInTheError) {
    core::Job user(job_class("exec x\nsetuid no-such-user-startd\n"), "");
    auto a = proc::build_spawn_plan(sys::real_sys(), user, ProcessType::Main, ctx());
    ASSERT_FALSE(a.has_value());
    EXPECT_EQ(a.error().message(), "Invalid setuid user name does not exist: no-such-user-startd");
    core::Job group(job_class("exec x\nsetgid no-such-group-startd\n"), "");
    auto b = proc::build_spawn_plan(sys::real_sys(), group, ProcessType::Main, ctx());
    ASSERT_FALSE(b.has_value());
    EXPECT_EQ(b.error().message(), "Invalid setgid group name does not exist: no-such-group-startd");
}

TEST(BuildSpawnPlan, UnprivilegedStartdDoesNotChangeIdentity) {
    core::Job job(job_class("exec x\nsetuid root\n"), "");
    proc::PlanContext c = ctx(proc::Mode::User);
    c.running_as_root = false;
    auto plan = proc::build_spawn_plan(sys::real_sys(), job, ProcessType::Main, c);
    ASSERT_TRUE(plan.has_value());
    EXPECT_FALSE(plan->uid.has_value());
}

TEST(BuildSpawnPlan, UnsupportedSecurityStanzasFailClearly) {
    core::Job aa(job_class("exec x\napparmor switch myprofile\n"), "");
    auto a = proc::build_spawn_plan(sys::real_sys(), aa, ProcessType::Main, ctx());
    ASSERT_FALSE(a.has_value());
    EXPECT_NE(a.error().message().find("apparmor switch myprofile"), std::string::npos);
    core::Job cg(job_class("exec x\ncgroup memory\n"), "");
    auto c = proc::build_spawn_plan(sys::real_sys(), cg, ProcessType::Main, ctx());
    ASSERT_FALSE(c.has_value());
    EXPECT_NE(c.error().message().find("cgroup memory"), std::string::npos);
}

} // namespace

namespace {

TEST(BuildSpawnPlan, ExpectForkAndDaemonTraceOnlyTheMainProcess) {
    for (const char* expect : {"fork", "daemon"}) {
        core::Job job(job_class(std::string("expect ") + expect + "\nexec /usr/sbin/d\npre-start exec /bin/true\n"), "");
        auto main = proc::build_spawn_plan(sys::real_sys(), job, ProcessType::Main, ctx());
        ASSERT_TRUE(main.has_value()) << main.error().message();
        EXPECT_TRUE(main->ptrace_traceme) << expect;
        auto pre = proc::build_spawn_plan(sys::real_sys(), job, ProcessType::PreStart, ctx());
        ASSERT_TRUE(pre.has_value());
        EXPECT_FALSE(pre->ptrace_traceme) << "pre-start is never traced";
    }
}

TEST(BuildSpawnPlan, ExpectStopNotifyAndNoneAreNotTraced) {
    for (const char* text : {"expect stop\nexec /d\n", "expect notify\nexec /d\n", "exec /d\n"}) {
        core::Job job(job_class(text), "");
        auto plan = proc::build_spawn_plan(sys::real_sys(), job, ProcessType::Main, ctx());
        ASSERT_TRUE(plan.has_value());
        EXPECT_FALSE(plan->ptrace_traceme) << text;
    }
}

} // namespace
