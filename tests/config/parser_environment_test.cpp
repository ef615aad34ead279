// Tests the stanzas that shape a process's environment through config::parse_job: env, console,
// umask, nice, oom, limit, apparmor and cgroup (src/config/stanzas_environment.cpp).
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <string>

#include "config/parser.h"
#include "config/parse_helpers.h"

namespace {

using config_test::parse_ok;
using config_test::error_of;

using core::CgroupSetting;
using core::JobClass;
using core::ResourceLimit;

// ---- env ------------------------------------------------------------------------------------

TEST(EnvStanza, StoresKeyEqualsValue) { EXPECT_EQ(parse_ok("env FOO=bar\n").env, (std::vector<std::string>{"FOO=bar"})); }

TEST(EnvStanza, StoresABareKey) { EXPECT_EQ(parse_ok("env PATH\n").env, (std::vector<std::string>{"PATH"})); }

TEST(EnvStanza, RepeatedStanzasAccumulateInOrder) {
    EXPECT_EQ(parse_ok("env A=1\nenv B=2\nenv A=3\n").env, (std::vector<std::string>{"A=1", "B=2", "A=3"}));
}

TEST(EnvStanza, QuotedValueKeepsItsSpacesWithoutTheQuotes) {
    EXPECT_EQ(parse_ok("env MSG=\"hello  world\"\n").env, (std::vector<std::string>{"MSG=hello  world"}));
    EXPECT_EQ(parse_ok("env 'MSG=a b'\n").env, (std::vector<std::string>{"MSG=a b"}));
}

TEST(EnvStanza, ValuesAreLiteralDollarSignsIncluded) {
    EXPECT_EQ(parse_ok("env P=$HOME/bin:${PATH}\n").env, (std::vector<std::string>{"P=$HOME/bin:${PATH}"}));
}

TEST(EnvStanza, EmptyValueIsKept) { EXPECT_EQ(parse_ok("env EMPTY=\n").env, (std::vector<std::string>{"EMPTY="})); }

TEST(EnvStanza, MissingArgumentIsExpectedToken) { EXPECT_EQ(error_of("env\n"), "1:4 Expected token"); }

TEST(EnvStanza, SecondArgumentIsUnexpectedToken) { EXPECT_EQ(error_of("env A=1 B=2\n"), "1:9 Unexpected token"); }

TEST(EnvStanza, UnquotedSpaceInValueIsUnexpectedToken) {
    EXPECT_EQ(error_of("env MSG=hello world\n"), "1:15 Unexpected token");
}

// ---- console --------------------------------------------------------------------------------

TEST(ConsoleStanza, SetsEachMode) {
    EXPECT_EQ(parse_ok("console none\n").console, core::ConsoleType::None);
    EXPECT_EQ(parse_ok("console output\n").console, core::ConsoleType::Output);
    EXPECT_EQ(parse_ok("console owner\n").console, core::ConsoleType::Owner);
    EXPECT_EQ(parse_ok("console log\n").console, core::ConsoleType::Log);
}

TEST(ConsoleStanza, RepeatedTheLastOneWins) {
    EXPECT_EQ(parse_ok("console owner\nconsole none\n").console, core::ConsoleType::None);
}

TEST(ConsoleStanza, UnknownModeIsUnknownStanza) { EXPECT_EQ(error_of("console tty\n"), "1:9 Unknown stanza"); }

TEST(ConsoleStanza, MissingModeIsExpectedToken) { EXPECT_EQ(error_of("console\n"), "1:8 Expected token"); }

TEST(ConsoleStanza, ExtraArgumentIsUnexpectedToken) { EXPECT_EQ(error_of("console log x\n"), "1:13 Unexpected token"); }

// ---- umask ----------------------------------------------------------------------------------

TEST(UmaskStanza, ParsesOctal) {
    EXPECT_EQ(parse_ok("umask 0077\n").umask, static_cast<mode_t>(077));
    EXPECT_EQ(parse_ok("umask 022\n").umask, static_cast<mode_t>(022));
    EXPECT_EQ(parse_ok("umask 0\n").umask, static_cast<mode_t>(0));
    EXPECT_EQ(parse_ok("umask 777\n").umask, static_cast<mode_t>(0777));
}

TEST(UmaskStanza, RepeatedTheLastOneWins) { EXPECT_EQ(parse_ok("umask 077\numask 002\n").umask, static_cast<mode_t>(02)); }

TEST(UmaskStanza, BadValueIsIllegalFileCreationMask) {
    for (const char* value : {"999", "8", "1000", "-1", "abc", "02a", "0x12"}) {
        EXPECT_EQ(error_of(std::string("umask ") + value + "\n"),
                  "1:7 Illegal file creation mask, expected octal integer")
            << value;
    }
}

TEST(UmaskStanza, MissingValueIsExpectedToken) { EXPECT_EQ(error_of("umask\n"), "1:6 Expected token"); }

TEST(UmaskStanza, ExtraArgumentIsUnexpectedToken) { EXPECT_EQ(error_of("umask 022 033\n"), "1:11 Unexpected token"); }

// ---- nice -----------------------------------------------------------------------------------

TEST(NiceStanza, ParsesPositiveNegativeAndTheRangeEnds) {
    EXPECT_EQ(parse_ok("nice 10\n").nice, 10);
    EXPECT_EQ(parse_ok("nice -10\n").nice, -10);
    EXPECT_EQ(parse_ok("nice -20\n").nice, -20);
    EXPECT_EQ(parse_ok("nice 19\n").nice, 19);
}

TEST(NiceStanza, RepeatedTheLastOneWins) { EXPECT_EQ(parse_ok("nice 1\nnice 2\n").nice, 2); }

TEST(NiceStanza, OutOfRangeOrNonIntegerIsIllegalNice) {
    for (const char* value : {"20", "-21", "abc", "1.5", "5x", "99999999999999999999"}) {
        EXPECT_EQ(error_of(std::string("nice ") + value + "\n"), "1:6 Illegal nice value, expected -20 to 19")
            << value;
    }
}

TEST(NiceStanza, MissingValueIsExpectedToken) { EXPECT_EQ(error_of("nice\n"), "1:5 Expected token"); }

// ---- oom ------------------------------------------------------------------------------------

TEST(OomStanza, ScoreStoresTheScore) {
    EXPECT_EQ(parse_ok("oom score 100\n").oom_score, 100);
    EXPECT_EQ(parse_ok("oom score -500\n").oom_score, -500);
    EXPECT_EQ(parse_ok("oom score 1000\n").oom_score, 1000);
    EXPECT_EQ(parse_ok("oom score -1000\n").oom_score, -1000);
}

TEST(OomStanza, ScoreNeverIsMinusOneThousand) { EXPECT_EQ(parse_ok("oom score never\n").oom_score, -1000); }

TEST(OomStanza, LegacyAdjustmentIsScaledToAScore) {
    EXPECT_EQ(parse_ok("oom 15\n").oom_score, 1000);
    EXPECT_EQ(parse_ok("oom 5\n").oom_score, 333);
    EXPECT_EQ(parse_ok("oom 0\n").oom_score, 0);
    EXPECT_EQ(parse_ok("oom -5\n").oom_score, -294);
    EXPECT_EQ(parse_ok("oom -16\n").oom_score, -941);
    EXPECT_EQ(parse_ok("oom -17\n").oom_score, -1000);
}

TEST(OomStanza, LegacyNeverIsMinusOneThousand) { EXPECT_EQ(parse_ok("oom never\n").oom_score, -1000); }

TEST(OomStanza, OomAndOomScoreOverrideEachOtherLastWins) {
    EXPECT_EQ(parse_ok("oom 15\noom score 10\n").oom_score, 10);
    EXPECT_EQ(parse_ok("oom score 10\noom never\n").oom_score, -1000);
    EXPECT_EQ(parse_ok("oom score 1\noom score 2\n").oom_score, 2);
}

TEST(OomStanza, LegacyOutOfRangeIsIllegalOomAdjustment) {
    for (const char* value : {"16", "-18", "abc", "1.5", "Never"}) {
        EXPECT_EQ(error_of(std::string("oom ") + value + "\n"),
                  "1:5 Illegal oom adjustment, expected -16 to 15 or 'never'")
            << value;
    }
}

TEST(OomStanza, ScoreOutOfRangeIsIllegalOomScoreAdjustment) {
    for (const char* value : {"1001", "-1001", "abc", "5x"}) {
        EXPECT_EQ(error_of(std::string("oom score ") + value + "\n"),
                  "1:11 Illegal oom score adjustment, expected -999 to 1000 or 'never'")
            << value;
    }
}

TEST(OomStanza, MissingValuesAreExpectedToken) {
    EXPECT_EQ(error_of("oom\n"), "1:4 Expected token");
    EXPECT_EQ(error_of("oom score\n"), "1:10 Expected token");
}

TEST(OomStanza, ExtraArgumentIsUnexpectedToken) {
    EXPECT_EQ(error_of("oom 5 6\n"), "1:7 Unexpected token");
    EXPECT_EQ(error_of("oom score 5 6\n"), "1:13 Unexpected token");
    EXPECT_EQ(error_of("oom never 6\n"), "1:11 Unexpected token");
}

// ---- limit ----------------------------------------------------------------------------------

TEST(LimitStanza, AcceptsEachOfTheFourteenResources) {
    const std::pair<const char*, int> resources[] = {
        {"as", RLIMIT_AS},       {"core", RLIMIT_CORE},         {"cpu", RLIMIT_CPU},       {"data", RLIMIT_DATA},
        {"fsize", RLIMIT_FSIZE}, {"memlock", RLIMIT_MEMLOCK},   {"msgqueue", RLIMIT_MSGQUEUE},
        {"nice", RLIMIT_NICE},   {"nofile", RLIMIT_NOFILE},     {"nproc", RLIMIT_NPROC},   {"rss", RLIMIT_RSS},
        {"rtprio", RLIMIT_RTPRIO}, {"sigpending", RLIMIT_SIGPENDING}, {"stack", RLIMIT_STACK},
    };
    for (const auto& [name, resource] : resources) {
        JobClass job = parse_ok(std::string("limit ") + name + " 10 20\n");
        ASSERT_EQ(job.limits.size(), 1u) << name;
        EXPECT_EQ(job.limits[0].first, resource) << name;
        EXPECT_EQ(job.limits[0].second, (ResourceLimit{10, 20})) << name;
    }
}

TEST(LimitStanza, DifferentResourcesAccumulateInOrder) {
    JobClass job = parse_ok("limit nofile 1024 4096\nlimit core unlimited unlimited\n");
    ASSERT_EQ(job.limits.size(), 2u);
    EXPECT_EQ(job.limits[0].first, RLIMIT_NOFILE);
    EXPECT_EQ(job.limits[0].second, (ResourceLimit{1024, 4096}));
    EXPECT_EQ(job.limits[1].first, RLIMIT_CORE);
    EXPECT_EQ(job.limits[1].second, (ResourceLimit{RLIM_INFINITY, RLIM_INFINITY}));
}

TEST(LimitStanza, SameResourceTwiceTheLastOneWins) {
    JobClass job = parse_ok("limit nofile 1 2\nlimit nofile 3 4\n");
    ASSERT_EQ(job.limits.size(), 1u);
    EXPECT_EQ(job.limits[0].second, (ResourceLimit{3, 4}));
}

TEST(LimitStanza, UnlimitedMayBeSoftOrHardAlone) {
    EXPECT_EQ(parse_ok("limit cpu unlimited 10\n").limits.at(0).second, (ResourceLimit{RLIM_INFINITY, 10}));
    EXPECT_EQ(parse_ok("limit cpu 10 unlimited\n").limits.at(0).second, (ResourceLimit{10, RLIM_INFINITY}));
}

TEST(LimitStanza, MinusOneMeansUnlimitedAsStrtoulReadsIt) {
    EXPECT_EQ(parse_ok("limit nofile -1 5\n").limits.at(0).second, (ResourceLimit{RLIM_INFINITY, 5}));
}

TEST(LimitStanza, LargestValueIsAccepted) {
    EXPECT_EQ(parse_ok("limit fsize 18446744073709551615 0\n").limits.at(0).second, (ResourceLimit{RLIM_INFINITY, 0}));
}

TEST(LimitStanza, MissingValuesAreExpectedToken) {
    EXPECT_EQ(error_of("limit\n"), "1:6 Expected token");
    EXPECT_EQ(error_of("limit nofile\n"), "1:13 Expected token");
    EXPECT_EQ(error_of("limit nofile 10\n"), "1:16 Expected token");
}

TEST(LimitStanza, UnknownResourceIsUnknownStanza) {
    EXPECT_EQ(error_of("limit files 1 2\n"), "1:7 Unknown stanza");
    EXPECT_EQ(error_of("limit NOFILE 1 2\n"), "1:7 Unknown stanza");
}

TEST(LimitStanza, BadValueIsIllegalLimit) {
    for (const char* value : {"abc", "1.5", "10k", "18446744073709551616", "Unlimited"}) {
        EXPECT_EQ(error_of(std::string("limit nofile ") + value + " 5\n"),
                  "1:14 Illegal limit, expected 'unlimited' or integer")
            << value;
        EXPECT_EQ(error_of(std::string("limit nofile 5 ") + value + "\n"),
                  "1:16 Illegal limit, expected 'unlimited' or integer")
            << value;
    }
}

TEST(LimitStanza, ExtraArgumentIsUnexpectedToken) { EXPECT_EQ(error_of("limit nofile 1 2 3\n"), "1:18 Unexpected token"); }

// ---- apparmor -------------------------------------------------------------------------------

TEST(ApparmorStanza, LoadStoresTheProfilePath) {
    EXPECT_EQ(parse_ok("apparmor load /etc/apparmor.d/usr.sbin.foo\n").apparmor_load, "/etc/apparmor.d/usr.sbin.foo");
}

TEST(ApparmorStanza, RepeatedLoadTheLastOneWins) {
    EXPECT_EQ(parse_ok("apparmor load /a\napparmor load /b\n").apparmor_load, "/b");
}

TEST(ApparmorStanza, SwitchStoresTheProfileNameVerbatim) {
    EXPECT_EQ(parse_ok("apparmor switch /usr/bin/$JOB\n").apparmor_switch, "/usr/bin/$JOB");
    EXPECT_EQ(parse_ok("apparmor switch a\napparmor switch b\n").apparmor_switch, "b");
}

TEST(ApparmorStanza, LoadAndSwitchAreIndependent) {
    JobClass job = parse_ok("apparmor load /p\napparmor switch q\n");
    EXPECT_EQ(job.apparmor_load, "/p");
    EXPECT_EQ(job.apparmor_switch, "q");
}

TEST(ApparmorStanza, MissingSubKeywordIsExpectedToken) { EXPECT_EQ(error_of("apparmor\n"), "1:9 Expected token"); }

TEST(ApparmorStanza, UnknownSubKeywordIsUnknownStanza) {
    EXPECT_EQ(error_of("apparmor unload /p\n"), "1:10 Unknown stanza");
}

TEST(ApparmorStanza, MissingProfileIsExpectedToken) {
    EXPECT_EQ(error_of("apparmor load\n"), "1:14 Expected token");
    EXPECT_EQ(error_of("apparmor switch\n"), "1:16 Expected token");
}

TEST(ApparmorStanza, ExtraArgumentIsUnexpectedToken) {
    EXPECT_EQ(error_of("apparmor load /a /b\n"), "1:18 Unexpected token");
}

// ---- cgroup ---------------------------------------------------------------------------------

TEST(CgroupStanza, WithoutArgumentsIsExpectedToken) { EXPECT_EQ(error_of("cgroup\n"), "1:7 Expected token"); }

TEST(CgroupStanza, ControllerAlonePlacesTheJobInItsDefaultGroup) {
    EXPECT_EQ(parse_ok("cgroup memory\n").cgroups, (std::vector<CgroupSetting>{{"memory", "", "", ""}}));
}

TEST(CgroupStanza, ControllerAndNameNameTheGroup) {
    EXPECT_EQ(parse_ok("cgroup cpu mygroup\n").cgroups, (std::vector<CgroupSetting>{{"cpu", "mygroup", "", ""}}));
}

TEST(CgroupStanza, ThreeArgumentsAreControllerKeyAndValue) {
    EXPECT_EQ(parse_ok("cgroup memory memory.limit_in_bytes 1000000\n").cgroups,
              (std::vector<CgroupSetting>{{"memory", "", "memory.limit_in_bytes", "1000000"}}));
}

TEST(CgroupStanza, FourArgumentsAreControllerNameKeyAndValue) {
    EXPECT_EQ(parse_ok("cgroup cpu grp cpu.shares 512\n").cgroups,
              (std::vector<CgroupSetting>{{"cpu", "grp", "cpu.shares", "512"}}));
}

TEST(CgroupStanza, QuotedNamesAndVariablesAreKept) {
    EXPECT_EQ(parse_ok("cgroup cpu \"my group\"\n").cgroups.at(0).name, "my group");
    EXPECT_EQ(parse_ok("cgroup cpu $UPSTART_CGROUP\n").cgroups.at(0).name, "$UPSTART_CGROUP");
}

TEST(CgroupStanza, RepeatedIdenticalStanzaIsStoredOnce) {
    EXPECT_EQ(parse_ok("cgroup memory\ncgroup memory\n").cgroups.size(), 1u);
    EXPECT_EQ(parse_ok("cgroup cpu grp\ncgroup cpu grp\n").cgroups.size(), 1u);
}

TEST(CgroupStanza, SeveralNamesAndKeysPerControllerAccumulate) {
    JobClass job = parse_ok("cgroup cpu a\ncgroup cpu b\ncgroup cpu a cpu.shares 1\ncgroup cpu a cpu.cfs 2\n");
    EXPECT_EQ(job.cgroups, (std::vector<CgroupSetting>{{"cpu", "a", "", ""},
                                                       {"cpu", "b", "", ""},
                                                       {"cpu", "a", "cpu.shares", "1"},
                                                       {"cpu", "a", "cpu.cfs", "2"}}));
}

TEST(CgroupStanza, SameKeyAgainReplacesTheValue) {
    EXPECT_EQ(parse_ok("cgroup cpu a cpu.shares 1\ncgroup cpu a cpu.shares 9\n").cgroups,
              (std::vector<CgroupSetting>{{"cpu", "a", "cpu.shares", "9"}}));
}

TEST(CgroupStanza, FiveArgumentsAreUnexpectedToken) {
    EXPECT_EQ(error_of("cgroup cpu a k v extra\n"), "1:18 Unexpected token");
}

} // namespace
