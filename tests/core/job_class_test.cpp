// Tests core::JobClass's defaults and the name tables of its enums and `limit` resources.
#include "core/job_class.h"

#include <gtest/gtest.h>

#include <sys/resource.h>

namespace {

using core::ConsoleType;
using core::ExpectType;
using core::ProcessType;

TEST(ProcessTypeNames, EveryTypeRoundTripsThroughItsUpstartName) {
    for (std::size_t i = 0; i < core::process_type_count; ++i) {
        auto type = static_cast<ProcessType>(i);
        EXPECT_EQ(core::process_type_from_string(core::to_string(type)), type) << core::to_string(type);
    }
}

TEST(ProcessTypeNames, UseUpstartsHyphenatedSpellings) {
    EXPECT_EQ(core::to_string(ProcessType::Main), "main");
    EXPECT_EQ(core::to_string(ProcessType::PreStart), "pre-start");
    EXPECT_EQ(core::to_string(ProcessType::PostStart), "post-start");
    EXPECT_EQ(core::to_string(ProcessType::PreStop), "pre-stop");
    EXPECT_EQ(core::to_string(ProcessType::PostStop), "post-stop");
    EXPECT_EQ(core::to_string(ProcessType::Security), "security");
}

TEST(ProcessTypeNames, UnknownOrMisspelledNamesAreRejected) {
    EXPECT_EQ(core::process_type_from_string("prestart"), std::nullopt);
    EXPECT_EQ(core::process_type_from_string("Main"), std::nullopt);
    EXPECT_EQ(core::process_type_from_string(""), std::nullopt);
}

TEST(ExpectTypeNames, EveryTypeRoundTripsThroughItsName) {
    for (ExpectType type : {ExpectType::None, ExpectType::Stop, ExpectType::Daemon, ExpectType::Fork,
                            ExpectType::Notify}) {
        EXPECT_EQ(core::expect_type_from_string(core::to_string(type)), type) << core::to_string(type);
    }
    EXPECT_EQ(core::to_string(ExpectType::Fork), "fork");
    EXPECT_EQ(core::to_string(ExpectType::Daemon), "daemon");
    EXPECT_EQ(core::expect_type_from_string("FORK"), std::nullopt);
    EXPECT_EQ(core::expect_type_from_string("forks"), std::nullopt);
}

TEST(ConsoleTypeNames, EveryTypeRoundTripsThroughItsName) {
    for (ConsoleType type : {ConsoleType::None, ConsoleType::Output, ConsoleType::Owner, ConsoleType::Log}) {
        EXPECT_EQ(core::console_type_from_string(core::to_string(type)), type) << core::to_string(type);
    }
    EXPECT_EQ(core::to_string(ConsoleType::Log), "log");
    EXPECT_EQ(core::to_string(ConsoleType::Owner), "owner");
    EXPECT_EQ(core::console_type_from_string("Log"), std::nullopt);
    EXPECT_EQ(core::console_type_from_string(""), std::nullopt);
}

TEST(LimitResourceNames, AllFourteenUpstartResourcesMapToTheirRlimit) {
    const std::pair<const char*, int> expected[] = {
        {"as", RLIMIT_AS},           {"core", RLIMIT_CORE},     {"cpu", RLIMIT_CPU},
        {"data", RLIMIT_DATA},       {"fsize", RLIMIT_FSIZE},   {"memlock", RLIMIT_MEMLOCK},
        {"msgqueue", RLIMIT_MSGQUEUE}, {"nice", RLIMIT_NICE},   {"nofile", RLIMIT_NOFILE},
        {"nproc", RLIMIT_NPROC},     {"rss", RLIMIT_RSS},       {"rtprio", RLIMIT_RTPRIO},
        {"sigpending", RLIMIT_SIGPENDING}, {"stack", RLIMIT_STACK},
    };
    for (const auto& [name, resource] : expected) {
        EXPECT_EQ(core::limit_resource_from_string(name), resource) << name;
        EXPECT_EQ(core::limit_resource_name(resource), name) << name;
    }
}

TEST(LimitResourceNames, UnknownNamesAndResourcesAreRejected) {
    EXPECT_EQ(core::limit_resource_from_string("NOFILE"), std::nullopt);
    EXPECT_EQ(core::limit_resource_from_string("rttime"), std::nullopt);
    EXPECT_EQ(core::limit_resource_from_string(""), std::nullopt);
    EXPECT_EQ(core::limit_resource_name(-1), "unknown");
    EXPECT_EQ(core::limit_resource_name(1000), "unknown");
}

TEST(JobClassDefaults, AreUpstarts) {
    core::JobClass job;
    EXPECT_EQ(job.kill_timeout, 5u);
    EXPECT_EQ(job.kill_signal, SIGTERM);
    EXPECT_EQ(job.reload_signal, SIGHUP);
    EXPECT_EQ(job.respawn_limit, 10u);
    EXPECT_EQ(job.respawn_interval, 5u);
    EXPECT_FALSE(job.respawn);
    EXPECT_FALSE(job.task);
    EXPECT_FALSE(job.manual);
    EXPECT_EQ(job.umask, static_cast<mode_t>(022));
    EXPECT_EQ(job.console, ConsoleType::Log);
    EXPECT_EQ(job.expect, ExpectType::None);
    EXPECT_EQ(job.instance, "");
    EXPECT_EQ(job.nice, std::nullopt);
    EXPECT_EQ(job.oom_score, std::nullopt);
    EXPECT_FALSE(job.start_on.has_value());
    EXPECT_FALSE(job.stop_on.has_value());
    for (std::size_t i = 0; i < core::process_type_count; ++i) {
        EXPECT_EQ(job.process(static_cast<ProcessType>(i)), nullptr);
    }
}

TEST(JobClassProcess, AccessorReachesTheSlotOfItsType) {
    core::JobClass job;
    job.set_process(ProcessType::PostStop, core::Process{"echo bye\n", 7, true});
    ASSERT_NE(job.process(ProcessType::PostStop), nullptr);
    EXPECT_EQ(job.process(ProcessType::PostStop)->command, "echo bye\n");
    EXPECT_EQ(job.process(ProcessType::PostStop)->line, 7);
    EXPECT_EQ(job.process(ProcessType::Main), nullptr);
    EXPECT_EQ(job.process(ProcessType::PreStop), nullptr);
}

TEST(JobClassProcess, ALaterStanzaReplacesTheProcessOfItsTypeOnly) {
    core::JobClass job;
    job.set_process(ProcessType::Main, core::Process{"/bin/a", 1, false});
    job.set_process(ProcessType::PreStart, core::Process{"echo pre\n", 2, true});
    job.set_process(ProcessType::Main, core::Process{"/bin/b", 5, false});
    EXPECT_EQ(*job.process(ProcessType::Main), (core::Process{"/bin/b", 5, false}));
    EXPECT_EQ(*job.process(ProcessType::PreStart), (core::Process{"echo pre\n", 2, true}));
    EXPECT_EQ(job.process(ProcessType::PostStop), nullptr);
}

TEST(JobClassProcess, EqualityIgnoresTheOrderProcessesWereDefinedIn) {
    core::JobClass a;
    a.set_process(ProcessType::Main, core::Process{"/bin/a", 1, false});
    a.set_process(ProcessType::PostStop, core::Process{"echo bye\n", 2, true});
    core::JobClass b;
    b.set_process(ProcessType::PostStop, core::Process{"echo bye\n", 2, true});
    b.set_process(ProcessType::Main, core::Process{"/bin/a", 1, false});
    EXPECT_EQ(a, b);
    b.set_process(ProcessType::Main, core::Process{"/bin/other", 1, false});
    EXPECT_NE(a, b);
    core::JobClass c;
    c.set_process(ProcessType::Main, core::Process{"/bin/a", 1, false});
    EXPECT_NE(a, c) << "a missing post-stop differs";
}

TEST(JobClassEquality, ComparesEveryField) {
    core::JobClass a;
    core::JobClass b;
    EXPECT_EQ(a, b);
    b.env.edit().push_back("A=1");
    EXPECT_NE(a, b);
}

} // namespace
