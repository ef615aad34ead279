// Tests the process and lifecycle stanzas through config::parse_job: exec, script, the four
// hooks, respawn, normal exit, expect, kill and reload (src/config/stanzas_lifecycle.cpp).
#include <gtest/gtest.h>

#include <climits>
#include <csignal>
#include <string>

#include "config/parser.h"
#include "config/parse_helpers.h"

namespace {

using config_test::parse_ok;
using config_test::error_of;

using core::JobClass;
using core::NormalExit;
using core::ProcessType;

// ---- exec and script ------------------------------------------------------------------------

TEST(ExecStanza, StoresTheRawCommandWithQuotesIntact) {
    JobClass job = parse_ok("exec /sbin/daemon -d \"foo\"\n");
    ASSERT_TRUE(job.process(ProcessType::Main) != nullptr);
    EXPECT_EQ(*job.process(ProcessType::Main), (core::Process{"/sbin/daemon -d \"foo\"", 1, false}));
}

TEST(ExecStanza, RecordsTheLineItStartedOn) {
    EXPECT_EQ(parse_ok("\n\n  exec /bin/true\n").process(ProcessType::Main)->line, 3);
}

TEST(ExecStanza, RepeatedTheLastOneWins) {
    EXPECT_EQ(parse_ok("exec /bin/a\nexec /bin/b\n").process(ProcessType::Main)->command, "/bin/b");
}

TEST(ExecStanza, AfterScriptReplacesIt) {
    JobClass job = parse_ok("script\n  echo\nend script\nexec /bin/b\n");
    EXPECT_EQ(*job.process(ProcessType::Main), (core::Process{"/bin/b", 4, false}));
}

TEST(ExecStanza, CommentEndsTheCommand) {
    EXPECT_EQ(parse_ok("exec /bin/foo -x \"#1\" # run it\n").process(ProcessType::Main)->command,
              "/bin/foo -x \"#1\"");
}

TEST(ExecStanza, ContinuationLinesJoinWithOneSpace) {
    JobClass job = parse_ok("exec /bin/foo \\\n    --bar \\\n    --baz\ntask\n");
    EXPECT_EQ(job.process(ProcessType::Main)->command, "/bin/foo --bar --baz");
    EXPECT_TRUE(job.task);
}

TEST(ExecStanza, WithoutACommandIsExpectedToken) {
    EXPECT_EQ(error_of("exec\n"), "1:5 Expected token");
    EXPECT_EQ(error_of("exec    # nothing\n"), "1:9 Expected token");
}

TEST(ExecStanza, UnterminatedQuoteIsReportedAtTheQuote) {
    EXPECT_EQ(error_of("exec echo \"abc\n"), "1:11 Unterminated quoted string");
}

TEST(ScriptStanza, StoresTheBodyWithoutCommonIndentation) {
    JobClass job = parse_ok("script\n    echo a\n      echo b\nend script\n");
    EXPECT_EQ(*job.process(ProcessType::Main), (core::Process{"echo a\n  echo b\n", 1, true}));
}

TEST(ScriptStanza, RepeatedTheLastOneWins) {
    JobClass job = parse_ok("script\n  one\nend script\nscript\n  two\nend script\n");
    EXPECT_EQ(*job.process(ProcessType::Main), (core::Process{"two\n", 4, true}));
}

TEST(ScriptStanza, AfterExecReplacesIt) {
    JobClass job = parse_ok("exec /bin/a\nscript\n  two\nend script\n");
    EXPECT_TRUE(job.process(ProcessType::Main)->script);
    EXPECT_EQ(job.process(ProcessType::Main)->command, "two\n");
}

TEST(ScriptStanza, WordAfterScriptIsUnexpectedTokenAtThatWord) {
    EXPECT_EQ(error_of("script foo\n  true\nend script\n"), "1:8 Unexpected token");
}

TEST(ScriptStanza, CommentAfterScriptIsFine) {
    EXPECT_EQ(parse_ok("script # main\n  true\nend script\n").process(ProcessType::Main)->command, "true\n");
}

TEST(ScriptStanza, MissingEndScriptIsUnterminatedBlockAtTheOpeningLine) {
    EXPECT_EQ(error_of("description x\nscript\n  echo a\n"), "2:1 Unterminated block");
}

TEST(ScriptStanza, StanzasAfterTheBlockAreParsed) {
    JobClass job = parse_ok("script\n  exec foo\n  task\nend script\ntask\n");
    EXPECT_TRUE(job.task);
    EXPECT_EQ(job.process(ProcessType::Main)->command, "exec foo\ntask\n");
}

// ---- pre-start, post-start, pre-stop, post-stop ---------------------------------------------

struct Hook {
    const char* name;
    ProcessType type;
    const char* test_name;
};

class HookStanza : public ::testing::TestWithParam<Hook> {
protected:
    std::string name() const { return GetParam().name; }
    const core::Process* process(const JobClass& job) const { return job.process(GetParam().type); }
    int col(std::size_t offset_after_name) const { return static_cast<int>(name().size() + offset_after_name); }
};

TEST_P(HookStanza, ExecFormStoresTheRawCommand) {
    JobClass job = parse_ok(name() + " exec /bin/hook \"arg\"\n");
    ASSERT_TRUE(process(job) != nullptr);
    EXPECT_EQ(*process(job), (core::Process{"/bin/hook \"arg\"", 1, false}));
    EXPECT_FALSE(job.process(ProcessType::Main) != nullptr);
}

TEST_P(HookStanza, RepeatedExecTheLastOneWins) {
    EXPECT_EQ(process(parse_ok(name() + " exec /bin/a\n" + name() + " exec /bin/b\n"))->command, "/bin/b");
}

TEST_P(HookStanza, ScriptFormStoresTheBody) {
    JobClass job = parse_ok("\n" + name() + " script\n  echo hook\nend script\n");
    EXPECT_EQ(*process(job), (core::Process{"echo hook\n", 2, true}));
}

TEST_P(HookStanza, RepeatedScriptTheLastOneWins) {
    JobClass job = parse_ok(name() + " script\n  a\nend script\n" + name() + " script\n  b\nend script\n");
    EXPECT_EQ(process(job)->command, "b\n");
}

TEST_P(HookStanza, ScriptAfterExecAndExecAfterScriptReplace) {
    JobClass script_last = parse_ok(name() + " exec /bin/a\n" + name() + " script\n  b\nend script\n");
    EXPECT_TRUE(process(script_last)->script);
    JobClass exec_last = parse_ok(name() + " script\n  b\nend script\n" + name() + " exec /bin/a\n");
    EXPECT_FALSE(process(exec_last)->script);
    EXPECT_EQ(process(exec_last)->command, "/bin/a");
}

TEST_P(HookStanza, ExecWithoutACommandIsExpectedToken) {
    EXPECT_EQ(error_of(name() + " exec\n"), "1:" + std::to_string(col(6)) + " Expected token");
}

TEST_P(HookStanza, WordAfterScriptIsUnexpectedToken) {
    EXPECT_EQ(error_of(name() + " script extra\n  true\nend script\n"),
              "1:" + std::to_string(col(9)) + " Unexpected token");
}

TEST_P(HookStanza, UnknownSubKeywordIsUnknownStanza) {
    EXPECT_EQ(error_of(name() + " run /bin/x\n"), "1:" + std::to_string(col(2)) + " Unknown stanza");
}

TEST_P(HookStanza, MissingSubKeywordIsExpectedToken) {
    EXPECT_EQ(error_of(name() + "\n"), "1:" + std::to_string(col(1)) + " Expected token");
}

TEST_P(HookStanza, UnterminatedScriptIsReportedAtTheHookLine) {
    EXPECT_EQ(error_of("task\n" + name() + " script\n  echo\n"), "2:1 Unterminated block");
}

INSTANTIATE_TEST_SUITE_P(ParseJob, HookStanza,
                         ::testing::Values(Hook{"pre-start", ProcessType::PreStart, "PreStart"},
                                           Hook{"post-start", ProcessType::PostStart, "PostStart"},
                                           Hook{"pre-stop", ProcessType::PreStop, "PreStop"},
                                           Hook{"post-stop", ProcessType::PostStop, "PostStop"}),
                         [](const auto& info) { return std::string(info.param.test_name); });

TEST(HookStanzas, AllFourAndTheMainProcessCoexist) {
    JobClass job = parse_ok("pre-start exec /bin/1\npost-start exec /bin/2\nexec /bin/main\n"
                            "pre-stop exec /bin/3\npost-stop script\n  /bin/4\nend script\n");
    EXPECT_EQ(job.process(ProcessType::PreStart)->command, "/bin/1");
    EXPECT_EQ(job.process(ProcessType::PostStart)->command, "/bin/2");
    EXPECT_EQ(job.process(ProcessType::Main)->command, "/bin/main");
    EXPECT_EQ(job.process(ProcessType::PreStop)->command, "/bin/3");
    EXPECT_EQ(job.process(ProcessType::PostStop)->command, "/bin/4\n");
}

// ---- respawn --------------------------------------------------------------------------------

TEST(RespawnStanza, BareEnablesRespawnWithTheDefaultLimit) {
    JobClass job = parse_ok("respawn\n");
    EXPECT_TRUE(job.respawn);
    EXPECT_EQ(job.respawn_limit, 10u);
    EXPECT_EQ(job.respawn_interval, 5u);
}

TEST(RespawnStanza, RepeatedIsFine) { EXPECT_TRUE(parse_ok("respawn\nrespawn\n").respawn); }

TEST(RespawnStanza, LimitSetsCountAndIntervalWithoutEnablingRespawn) {
    JobClass job = parse_ok("respawn limit 10 120\n");
    EXPECT_FALSE(job.respawn);
    EXPECT_EQ(job.respawn_limit, 10u);
    EXPECT_EQ(job.respawn_interval, 120u);
}

TEST(RespawnStanza, LimitUnlimitedStoresZeroAndZero) {
    JobClass job = parse_ok("respawn\nrespawn limit unlimited\n");
    EXPECT_TRUE(job.respawn);
    EXPECT_EQ(job.respawn_limit, 0u);
    EXPECT_EQ(job.respawn_interval, 0u);
}

TEST(RespawnStanza, RepeatedLimitTheLastOneWins) {
    JobClass job = parse_ok("respawn limit 1 2\nrespawn limit 3 4\n");
    EXPECT_EQ(job.respawn_limit, 3u);
    EXPECT_EQ(job.respawn_interval, 4u);
}

TEST(RespawnStanza, LimitArgumentsMayBeQuotedAndZero) {
    JobClass job = parse_ok("respawn limit \"0\" '5'\n");
    EXPECT_EQ(job.respawn_limit, 0u);
    EXPECT_EQ(job.respawn_interval, 5u);
}

TEST(RespawnStanza, LimitWithoutArgumentsIsExpectedToken) {
    EXPECT_EQ(error_of("respawn limit\n"), "1:14 Expected token");
}

TEST(RespawnStanza, LimitWithoutIntervalIsExpectedToken) {
    EXPECT_EQ(error_of("respawn limit 10\n"), "1:17 Expected token");
}

TEST(RespawnStanza, BadCountIsIllegalLimit) {
    for (const char* count : {"abc", "-1", "1.5", "10a", "99999999999999999999", "2147483648"}) {
        EXPECT_EQ(error_of(std::string("respawn limit ") + count + " 5\n"),
                  "1:15 Illegal limit, expected 'unlimited' or integer")
            << count;
    }
}

TEST(RespawnStanza, BadIntervalIsIllegalInterval) {
    for (const char* interval : {"abc", "-1", "1.5", "10a", "99999999999999999999"}) {
        EXPECT_EQ(error_of(std::string("respawn limit 10 ") + interval + "\n"),
                  "1:18 Illegal interval, expected number of seconds")
            << interval;
    }
}

TEST(RespawnStanza, ExtraArgumentIsUnexpectedToken) {
    EXPECT_EQ(error_of("respawn limit 10 5 6\n"), "1:20 Unexpected token");
    EXPECT_EQ(error_of("respawn limit unlimited 5\n"), "1:25 Unexpected token");
}

TEST(RespawnStanza, UnknownSubKeywordIsUnknownStanza) { EXPECT_EQ(error_of("respawn forever\n"), "1:9 Unknown stanza"); }

// ---- respawn delay / respawn healthy (startd's extensions) ----------------------------------

namespace {
// The whole diagnostic text (with our detail) of a job that must not parse.
std::string detail_of(std::string_view text) {
    auto job = config::parse_job(text, "test.conf");
    return job ? "parsed" : job.error().to_string();
}
} // namespace

TEST(RespawnDelayStanza, StoresMinAndMaxInMillisecondsWithoutEnablingRespawn) {
    JobClass job = parse_ok("respawn delay 1 60\n");
    EXPECT_FALSE(job.respawn) << "as `respawn limit`, it does not turn respawn on";
    EXPECT_EQ(job.respawn_delay_min_ms, 1000u);
    EXPECT_EQ(job.respawn_delay_max_ms, 60000u);
    EXPECT_EQ(job.respawn_limit, 10u) << "the limit stays";
}

TEST(RespawnDelayStanza, TakesFractionsDownToAMillisecondAndEqualBounds) {
    JobClass job = parse_ok("respawn\nrespawn delay 0.5 2.25\n");
    EXPECT_EQ(job.respawn_delay_min_ms, 500u);
    EXPECT_EQ(job.respawn_delay_max_ms, 2250u);
    job = parse_ok("respawn delay 0.001 '0.001'\n");
    EXPECT_EQ(job.respawn_delay_min_ms, 1u);
    EXPECT_EQ(job.respawn_delay_max_ms, 1u);
    job = parse_ok("respawn delay 86400 86400\n");
    EXPECT_EQ(job.respawn_delay_max_ms, 86'400'000u);
}

TEST(RespawnDelayStanza, LastOneWinsAndItCombinesWithLimit) {
    JobClass job = parse_ok("respawn delay 1 2\nrespawn limit 3 4\nrespawn delay 5 6\n");
    EXPECT_EQ(job.respawn_delay_min_ms, 5000u);
    EXPECT_EQ(job.respawn_delay_max_ms, 6000u);
    EXPECT_EQ(job.respawn_limit, 3u);
}

TEST(RespawnDelayStanza, MinAboveMaxIsRefusedSayingSo) {
    EXPECT_EQ(error_of("respawn delay 10 5\n"), "1:18 Illegal interval, expected number of seconds");
    EXPECT_NE(detail_of("respawn delay 10 5\n")
                  .find("respawn delay MAX must be at least MIN: found MIN '10' and MAX '5'"),
              std::string::npos)
        << detail_of("respawn delay 10 5\n");
}

TEST(RespawnDelayStanza, BadSecondsAreIllegalInterval) {
    for (const char* bad :
         {"-1", "0", "0.0", "abc", "1.", ".5", "0.0001", "1e3", "86400.001", "99999999999999999999"}) {
        EXPECT_EQ(error_of(std::string("respawn delay ") + bad + " 100000\n"),
                  "1:15 Illegal interval, expected number of seconds")
            << bad;
        EXPECT_NE(detail_of(std::string("respawn delay ") + bad + " 100000\n")
                      .find("respawn delay MIN must be seconds"),
                  std::string::npos)
            << bad;
    }
    EXPECT_EQ(error_of("respawn delay 1 -5\n"), "1:17 Illegal interval, expected number of seconds");
}

TEST(RespawnDelayStanza, MissingOrExtraArgumentsAreRefused) {
    EXPECT_EQ(error_of("respawn delay\n"), "1:14 Expected token");
    EXPECT_EQ(error_of("respawn delay 1\n"), "1:16 Expected token");
    EXPECT_NE(detail_of("respawn delay 1\n").find("respawn delay MAX in seconds"), std::string::npos)
        << detail_of("respawn delay 1\n");
    EXPECT_EQ(error_of("respawn delay 1 2 3\n"), "1:19 Unexpected token");
}

TEST(RespawnHealthyStanza, StoresMilliseconds) {
    EXPECT_EQ(parse_ok("respawn healthy 30\n").respawn_healthy_ms, 30000u);
    EXPECT_EQ(parse_ok("respawn healthy 1.5\n").respawn_healthy_ms, 1500u);
}

TEST(RespawnHealthyStanza, BadMissingOrExtraArgumentsAreRefused) {
    EXPECT_EQ(error_of("respawn healthy\n"), "1:16 Expected token");
    EXPECT_EQ(error_of("respawn healthy 0\n"), "1:17 Illegal interval, expected number of seconds");
    EXPECT_EQ(error_of("respawn healthy -3\n"), "1:17 Illegal interval, expected number of seconds");
    EXPECT_EQ(error_of("respawn healthy 3 4\n"), "1:19 Unexpected token");
}

TEST(RespawnStanza, UnknownSubKeywordNamesTheChoices) {
    EXPECT_NE(detail_of("respawn forever\n").find("'limit', 'delay' or 'healthy'"), std::string::npos)
        << detail_of("respawn forever\n");
}

// ---- normal exit ----------------------------------------------------------------------------

TEST(NormalExitStanza, StoresOneStatus) {
    EXPECT_EQ(parse_ok("normal exit 0\n").normal_exit, (std::vector<NormalExit>{{0, false}}));
}

TEST(NormalExitStanza, StoresSignalNamesWithOrWithoutSig) {
    EXPECT_EQ(parse_ok("normal exit TERM SIGHUP\n").normal_exit,
              (std::vector<NormalExit>{{SIGTERM, true}, {SIGHUP, true}}));
}

TEST(NormalExitStanza, SignalAndStatusWithTheSameNumberDiffer) {
    JobClass job = parse_ok("normal exit 15 TERM\n");
    ASSERT_EQ(job.normal_exit.size(), 2u);
    EXPECT_NE(job.normal_exit[0], job.normal_exit[1]);
}

TEST(NormalExitStanza, StoresSeveralValuesInOrder) {
    EXPECT_EQ(parse_ok("normal exit 0 1 TERM 2\n").normal_exit,
              (std::vector<NormalExit>{{0, false}, {1, false}, {SIGTERM, true}, {2, false}}));
}

TEST(NormalExitStanza, SeveralStanzasAccumulate) {
    EXPECT_EQ(parse_ok("normal exit 0\nnormal exit 1 HUP\n").normal_exit,
              (std::vector<NormalExit>{{0, false}, {1, false}, {SIGHUP, true}}));
}

TEST(NormalExitStanza, StatusAbove255IsAccepted) {
    EXPECT_EQ(parse_ok("normal exit 900\n").normal_exit, (std::vector<NormalExit>{{900, false}}));
}

TEST(NormalExitStanza, MissingValueIsExpectedToken) { EXPECT_EQ(error_of("normal exit\n"), "1:12 Expected token"); }

TEST(NormalExitStanza, BadValueIsIllegalExitStatus) {
    for (const char* value : {"-1", "abc", "1a", "1.0", "term", "99999999999999999999"}) {
        EXPECT_EQ(error_of(std::string("normal exit 0 ") + value + "\n"), "1:15 Illegal exit status, expected integer")
            << value;
    }
}

TEST(NormalExitStanza, NormalAloneIsExpectedToken) { EXPECT_EQ(error_of("normal\n"), "1:7 Expected token"); }

TEST(NormalExitStanza, UnknownSubKeywordIsUnknownStanza) { EXPECT_EQ(error_of("normal foo 0\n"), "1:8 Unknown stanza"); }

TEST(NormalExitStanza, BadValueLeavesTheJobsListUntouched) {
    JobClass job = parse_ok("normal exit 0\n");
    auto result = config::parse_job_text("normal exit 1 2 x\n", "test.override", job);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, config::ParseErrorCode::IllegalExitStatus);
    EXPECT_EQ(job.normal_exit, (std::vector<NormalExit>{{0, false}}));
}

// ---- expect ---------------------------------------------------------------------------------

TEST(ExpectStanza, SetsEachMode) {
    EXPECT_EQ(parse_ok("expect stop\n").expect, core::ExpectType::Stop);
    EXPECT_EQ(parse_ok("expect daemon\n").expect, core::ExpectType::Daemon);
    EXPECT_EQ(parse_ok("expect fork\n").expect, core::ExpectType::Fork);
    EXPECT_EQ(parse_ok("expect none\n").expect, core::ExpectType::None);
    EXPECT_EQ(parse_ok("expect notify\n").expect, core::ExpectType::Notify);
}

TEST(ExpectStanza, RepeatedTheLastOneWins) {
    EXPECT_EQ(parse_ok("expect fork\nexpect daemon\n").expect, core::ExpectType::Daemon);
}

TEST(ExpectStanza, MissingModeIsExpectedToken) { EXPECT_EQ(error_of("expect\n"), "1:7 Expected token"); }

TEST(ExpectStanza, UnknownModeIsUnknownStanza) {
    EXPECT_EQ(error_of("expect forks\n"), "1:8 Unknown stanza");
    EXPECT_EQ(error_of("expect FORK\n"), "1:8 Unknown stanza");
}

TEST(ExpectStanza, ExtraArgumentIsUnexpectedToken) { EXPECT_EQ(error_of("expect fork now\n"), "1:13 Unexpected token"); }

// ---- kill -----------------------------------------------------------------------------------

TEST(KillStanza, TimeoutSetsSeconds) {
    EXPECT_EQ(parse_ok("kill timeout 30\n").kill_timeout, 30u);
    EXPECT_EQ(parse_ok("kill timeout 0\n").kill_timeout, 0u);
}

TEST(KillStanza, RepeatedTimeoutTheLastOneWins) {
    EXPECT_EQ(parse_ok("kill timeout 1\nkill timeout 2\n").kill_timeout, 2u);
}

TEST(KillStanza, SignalAcceptsNamesWithOrWithoutSigAndNumbers) {
    EXPECT_EQ(parse_ok("kill signal INT\n").kill_signal, SIGINT);
    EXPECT_EQ(parse_ok("kill signal SIGQUIT\n").kill_signal, SIGQUIT);
    EXPECT_EQ(parse_ok("kill signal 30\n").kill_signal, 30);
    EXPECT_EQ(parse_ok("kill signal 99999\n").kill_signal, 99999);
}

TEST(KillStanza, RepeatedSignalTheLastOneWins) {
    EXPECT_EQ(parse_ok("kill signal INT\nkill signal KILL\n").kill_signal, SIGKILL);
}

TEST(KillStanza, TimeoutAndSignalAreIndependent) {
    JobClass job = parse_ok("kill timeout 9\nkill signal HUP\n");
    EXPECT_EQ(job.kill_timeout, 9u);
    EXPECT_EQ(job.kill_signal, SIGHUP);
}

TEST(KillStanza, MissingSubKeywordIsExpectedToken) { EXPECT_EQ(error_of("kill\n"), "1:5 Expected token"); }

TEST(KillStanza, UnknownSubKeywordIsUnknownStanza) { EXPECT_EQ(error_of("kill after 5\n"), "1:6 Unknown stanza"); }

TEST(KillStanza, MissingTimeoutIsExpectedToken) { EXPECT_EQ(error_of("kill timeout\n"), "1:13 Expected token"); }

TEST(KillStanza, BadTimeoutIsIllegalInterval) {
    for (const char* value : {"abc", "-1", "5s", "1.5", "99999999999999999999", "2147483648"}) {
        EXPECT_EQ(error_of(std::string("kill timeout ") + value + "\n"),
                  "1:14 Illegal interval, expected number of seconds")
            << value;
    }
}

TEST(KillStanza, MissingSignalIsExpectedToken) { EXPECT_EQ(error_of("kill signal\n"), "1:12 Expected token"); }

TEST(KillStanza, UnknownSignalIsIllegalSignal) {
    for (const char* value : {"FOO", "term", "-1", "SIG", "9x"}) {
        EXPECT_EQ(error_of(std::string("kill signal ") + value + "\n"),
                  "1:13 Illegal signal status, expected integer")
            << value;
    }
}

TEST(KillStanza, ExtraArgumentIsUnexpectedToken) {
    EXPECT_EQ(error_of("kill timeout 5 6\n"), "1:16 Unexpected token");
    EXPECT_EQ(error_of("kill signal TERM HUP\n"), "1:18 Unexpected token");
}

// ---- reload signal --------------------------------------------------------------------------

TEST(ReloadStanza, SignalAcceptsNamesAndNumbers) {
    EXPECT_EQ(parse_ok("reload signal USR1\n").reload_signal, SIGUSR1);
    EXPECT_EQ(parse_ok("reload signal SIGUSR2\n").reload_signal, SIGUSR2);
    EXPECT_EQ(parse_ok("reload signal 12\n").reload_signal, 12);
}

TEST(ReloadStanza, RepeatedTheLastOneWins) {
    EXPECT_EQ(parse_ok("reload signal USR1\nreload signal TERM\n").reload_signal, SIGTERM);
}

TEST(ReloadStanza, MissingSubKeywordIsExpectedToken) { EXPECT_EQ(error_of("reload\n"), "1:7 Expected token"); }

TEST(ReloadStanza, UnknownSubKeywordIsUnknownStanza) { EXPECT_EQ(error_of("reload timeout 5\n"), "1:8 Unknown stanza"); }

TEST(ReloadStanza, MissingSignalIsExpectedToken) { EXPECT_EQ(error_of("reload signal\n"), "1:14 Expected token"); }

TEST(ReloadStanza, UnknownSignalIsIllegalSignal) {
    EXPECT_EQ(error_of("reload signal BOGUS\n"), "1:15 Illegal signal status, expected integer");
}

TEST(ReloadStanza, ExtraArgumentIsUnexpectedToken) {
    EXPECT_EQ(error_of("reload signal HUP now\n"), "1:19 Unexpected token");
}

} // namespace
