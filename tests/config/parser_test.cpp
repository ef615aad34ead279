// Tests config::parse_job's stanza loop: defaults, the one-argument and list stanzas, task,
// manual, debug, the repeat rules, quoted sub-keywords and override layering. The process,
// event and environment stanzas have their own parser_*_test.cpp files.
#include "config/parser.h"
#include "config/parse_helpers.h"

#include <gtest/gtest.h>

#include <string>

#include "config/stanzas.h"
#include "core/event_expr.h"

namespace {

using config_test::parse_ok;
using config_test::error_of;

using config::ParseErrorCode;
using core::JobClass;
using core::ProcessType;

// ---- the loop -------------------------------------------------------------------------------

TEST(ParseJob, FileWithOnlyADescriptionIsAJobWithoutAMainProcess) {
    JobClass job = parse_ok("description \"a state job\"\n");
    EXPECT_EQ(job.description, "a state job");
    EXPECT_FALSE(job.process(ProcessType::Main) != nullptr);
}

TEST(ParseJob, RecordsTheFileItCameFromAsPath) {
    auto job = config::parse_job("task\n", "/etc/init/foo.conf");
    ASSERT_TRUE(job.has_value());
    EXPECT_EQ(job->path, "/etc/init/foo.conf");
    EXPECT_EQ(job->name, "");
}

TEST(ParseJob, DefaultsAreUpstarts) {
    JobClass job = parse_ok("");
    EXPECT_EQ(job.kill_timeout, 5u);
    EXPECT_EQ(job.kill_signal, 15);
    EXPECT_EQ(job.reload_signal, 1);
    EXPECT_EQ(job.respawn_limit, 10u);
    EXPECT_EQ(job.respawn_interval, 5u);
    EXPECT_FALSE(job.respawn);
    EXPECT_EQ(job.umask, static_cast<mode_t>(022));
    EXPECT_EQ(job.console, core::ConsoleType::Log);
    EXPECT_EQ(job.expect, core::ExpectType::None);
    EXPECT_EQ(job.instance, "");
    EXPECT_FALSE(job.task);
    EXPECT_FALSE(job.manual);
    EXPECT_FALSE(job.debug);
    EXPECT_FALSE(job.start_on.has_value());
    EXPECT_FALSE(job.stop_on.has_value());
    EXPECT_TRUE(job.env.empty());
    EXPECT_TRUE(job.normal_exit.empty());
    EXPECT_TRUE(job.limits.empty());
}

TEST(ParseJob, StanzasMayBeIndentedAndFollowedByComments) {
    JobClass job = parse_ok("# header\n\n   description x   # what it is\n\t\tauthor y\n");
    EXPECT_EQ(job.description, "x");
    EXPECT_EQ(job.author, "y");
}

TEST(ParseJob, LastLineWithoutNewlineIsParsed) { EXPECT_EQ(parse_ok("task\nauthor me").author, "me"); }

TEST(ParseJob, CrlfFileParses) {
    JobClass job = parse_ok("description \"crlf job\"\r\nstart on (a or\r\n  b)\r\nexec /bin/true  \r\n");
    EXPECT_EQ(job.description, "crlf job");
    ASSERT_TRUE(job.start_on.has_value());
    EXPECT_EQ(core::to_string(*job.start_on), "(a or b)");
    EXPECT_EQ(job.process(ProcessType::Main)->command, "/bin/true");
}

TEST(ParseJob, StopsAtTheFirstErrorAndReportsItsLine) {
    EXPECT_EQ(error_of("description x\n\nbogus stanza\nexex /bin/true\n"), "3:1 Unknown stanza");
}

TEST(ParseJob, UnknownStanzaIsReportedAtItsIndentedColumn) { EXPECT_EQ(error_of("task\n   frobnicate\n"), "2:4 Unknown stanza"); }

TEST(ParseJob, StanzaNamesAreCaseSensitive) {
    EXPECT_EQ(error_of("Exec /bin/true\n"), "1:1 Unknown stanza");
    EXPECT_EQ(error_of("TASK\n"), "1:1 Unknown stanza");
}

TEST(ParseJob, QuotedStanzaNameIsUnknownStanza) { EXPECT_EQ(error_of("\"task\"\n"), "1:1 Unknown stanza"); }

TEST(ParseJob, UnknownStanzaDetailSuggestsTheClosestStanza) {
    auto job = config::parse_job("exex /bin/true\n", "test.conf");
    ASSERT_FALSE(job.has_value());
    EXPECT_EQ(job.error().to_string(),
              "test.conf:1:1: Unknown stanza: 'exex' is not a job-file stanza (did you mean 'exec'?)");
}

TEST(ParseJob, LinesAreCountedAcrossScriptsQuotesAndContinuations) {
    EXPECT_EQ(error_of("script\n  a\nend script\ndescription \"x\ny\"\nenv \\\n A=1\nbad\n"), "8:1 Unknown stanza");
}

TEST(ParseJob, ErrorCarriesTheFileName) {
    auto job = config::parse_job("bad\n", "/etc/init/x.conf");
    ASSERT_FALSE(job.has_value());
    EXPECT_EQ(job.error().file, "/etc/init/x.conf");
}

// ---- the stanza table -----------------------------------------------------------------------

TEST(StanzaTable, HasARowForEveryInitFiveStanza) {
    for (const char* name : {"exec",  "script", "pre-start", "post-start", "pre-stop",    "post-stop", "start",
                             "stop",  "manual", "emits",     "description", "author",   "version",   "usage",
                             "env",   "export", "task",      "respawn",    "normal",     "instance",  "expect",
                             "kill",  "reload", "console",   "umask",      "nice",       "oom",       "limit",
                             "chroot", "chdir", "setuid",    "setgid",     "apparmor",   "cgroup",    "debug"}) {
        EXPECT_NE(config::find_stanza(name), nullptr) << name;
    }
    EXPECT_NE(config::find_stanza("timer"), nullptr); // startd's own
    EXPECT_EQ(config::stanza_table().size(), 36u);
}

TEST(StanzaTable, RepeatRuleMatchesUpstart) {
    for (const config::Stanza& row : config::stanza_table()) {
        bool accumulates = row.name == "env" || row.name == "export" || row.name == "emits" || row.name == "normal" ||
                           row.name == "limit" || row.name == "cgroup" || row.name == "timer"; // timer: ours
        EXPECT_EQ(row.repeat, accumulates ? config::Repeat::Accumulates : config::Repeat::LastWins) << row.name;
    }
}

TEST(StanzaTable, ClosestStanzaSuggestsOnlyNearMisses) {
    EXPECT_EQ(config::closest_stanza("exex"), "exec");
    EXPECT_EQ(config::closest_stanza("descripton"), "description");
    EXPECT_EQ(config::closest_stanza("respwan"), "respawn");
    EXPECT_EQ(config::closest_stanza("xyzzyplugh"), "");
    EXPECT_EQ(config::closest_stanza(std::string(100, 'e')), "");
}

// ---- one-argument stanzas -------------------------------------------------------------------

struct StringStanza {
    const char* name;
    base::CompactString JobClass::*field;
};

class OneArgumentStanza : public ::testing::TestWithParam<StringStanza> {};

TEST_P(OneArgumentStanza, StoresItsDequotedArgument) {
    JobClass job = parse_ok(std::string(GetParam().name) + " \"two words\"\n");
    EXPECT_EQ(job.*GetParam().field, "two words");
}

TEST_P(OneArgumentStanza, StoresAnUnquotedArgument) {
    JobClass job = parse_ok(std::string(GetParam().name) + " value\n");
    EXPECT_EQ(job.*GetParam().field, "value");
}

TEST_P(OneArgumentStanza, RepeatedTheLastOneWins) {
    JobClass job = parse_ok(std::string(GetParam().name) + " first\n" + GetParam().name + " second\n");
    EXPECT_EQ(job.*GetParam().field, "second");
}

TEST_P(OneArgumentStanza, MissingArgumentIsExpectedToken) {
    std::string name = GetParam().name;
    EXPECT_EQ(error_of(name + "\n"), "1:" + std::to_string(name.size() + 1) + " Expected token");
}

TEST_P(OneArgumentStanza, SecondArgumentIsUnexpectedToken) {
    std::string name = GetParam().name;
    EXPECT_EQ(error_of(name + " one two\n"), "1:" + std::to_string(name.size() + 6) + " Unexpected token");
}

INSTANTIATE_TEST_SUITE_P(ParseJob, OneArgumentStanza,
                         ::testing::Values(StringStanza{"description", &JobClass::description},
                                           StringStanza{"author", &JobClass::author},
                                           StringStanza{"version", &JobClass::version},
                                           StringStanza{"usage", &JobClass::usage},
                                           StringStanza{"instance", &JobClass::instance},
                                           StringStanza{"chroot", &JobClass::chroot},
                                           StringStanza{"chdir", &JobClass::chdir},
                                           StringStanza{"setuid", &JobClass::setuid},
                                           StringStanza{"setgid", &JobClass::setgid}),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(InstanceStanza, KeepsVariableReferencesForExpansionAtStart) {
    EXPECT_EQ(parse_ok("instance $TTY-${N}\n").instance, "$TTY-${N}");
}

// ---- list stanzas ---------------------------------------------------------------------------

TEST(EmitsStanza, StoresOneOrManyEventsIncludingGlobs) {
    EXPECT_EQ(parse_ok("emits foo\n").emits, (std::vector<std::string>{"foo"}));
    EXPECT_EQ(parse_ok("emits foo bar-* \"baz\"\n").emits, (std::vector<std::string>{"foo", "bar-*", "baz"}));
}

TEST(EmitsStanza, RepeatedStanzasAccumulate) {
    EXPECT_EQ(parse_ok("emits a b\nemits c\n").emits, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(EmitsStanza, MissingArgumentIsExpectedToken) { EXPECT_EQ(error_of("emits\n"), "1:6 Expected token"); }

TEST(ExportStanza, StoresOneOrManyNamesAndAccumulates) {
    EXPECT_EQ(parse_ok("export FOO\nexport BAR BAZ\n").exports, (std::vector<std::string>{"FOO", "BAR", "BAZ"}));
}

TEST(ExportStanza, MissingArgumentIsExpectedToken) { EXPECT_EQ(error_of("export   # none\n"), "1:10 Expected token"); }

// ---- flags: task, manual, debug -------------------------------------------------------------

TEST(TaskStanza, MakesTheJobATaskAndMayBeRepeated) {
    EXPECT_TRUE(parse_ok("task\n").task);
    EXPECT_TRUE(parse_ok("task\ntask\n").task);
}

TEST(TaskStanza, ArgumentIsUnexpectedToken) { EXPECT_EQ(error_of("task foo\n"), "1:6 Unexpected token"); }

TEST(ManualStanza, AfterStartOnClearsIt) {
    JobClass job = parse_ok("start on startup\nmanual\n");
    EXPECT_TRUE(job.manual);
    EXPECT_FALSE(job.start_on.has_value());
}

TEST(ManualStanza, BeforeStartOnLeavesTheLaterStartOn) {
    JobClass job = parse_ok("manual\nstart on startup\n");
    EXPECT_TRUE(job.manual);
    ASSERT_TRUE(job.start_on.has_value());
    EXPECT_EQ(core::to_string(*job.start_on), "startup");
}

TEST(ManualStanza, LeavesStopOnAlone) {
    JobClass job = parse_ok("start on a\nstop on b\nmanual\n");
    EXPECT_FALSE(job.start_on.has_value());
    ASSERT_TRUE(job.stop_on.has_value());
    EXPECT_EQ(core::to_string(*job.stop_on), "b");
}

TEST(ManualStanza, DoesNotConsumeTheRestOfItsLine) {
    JobClass job = parse_ok("manual exec /bin/true\n");
    EXPECT_TRUE(job.manual);
    ASSERT_TRUE(job.process(ProcessType::Main) != nullptr);
    EXPECT_EQ(job.process(ProcessType::Main)->command, "/bin/true");
}

TEST(ManualStanza, FollowedByAWordThatIsNoStanzaIsUnknownStanza) {
    EXPECT_EQ(error_of("manual please\n"), "1:8 Unknown stanza");
}

TEST(DebugStanza, SetsDebugAndDoesNotConsumeTheRestOfItsLine) {
    JobClass job = parse_ok("debug\n");
    EXPECT_TRUE(job.debug);
    JobClass task = parse_ok("debug task\n");
    EXPECT_TRUE(task.debug);
    EXPECT_TRUE(task.task);
}

// ---- which sub-keywords may be quoted (Upstart dequotes some, not others) -------------------

TEST(QuotedSubKeyword, AcceptedWhereUpstartDequotes) {
    EXPECT_EQ(parse_ok("expect \"fork\"\n").expect, core::ExpectType::Fork);
    EXPECT_EQ(parse_ok("console 'log'\n").console, core::ConsoleType::Log);
    EXPECT_EQ(parse_ok("console \"none\"\n").console, core::ConsoleType::None);
    EXPECT_EQ(parse_ok("oom \"score\" 5\n").oom_score, 5);
    EXPECT_EQ(parse_ok("limit \"nofile\" 1 2\n").limits.size(), 1u);
}

TEST(QuotedSubKeyword, UnknownStanzaWhereUpstartMatchesItAsWritten) {
    EXPECT_EQ(error_of("kill \"timeout\" 5\n"), "1:6 Unknown stanza");
    EXPECT_EQ(error_of("respawn \"limit\" 1 2\n"), "1:9 Unknown stanza");
    EXPECT_EQ(error_of("normal \"exit\" 0\n"), "1:8 Unknown stanza");
    EXPECT_EQ(error_of("start \"on\" startup\n"), "1:7 Unknown stanza");
    EXPECT_EQ(error_of("stop 'on' startup\n"), "1:6 Unknown stanza");
}

// ---- last wins vs accumulate in one file ----------------------------------------------------

TEST(RepeatedStanzas, SingleValuedOnesKeepTheLastAndListsAccumulate) {
    JobClass job = parse_ok("description one\n"
                            "env A=1\n"
                            "kill timeout 1\n"
                            "description two\n"
                            "env B=2\n"
                            "kill timeout 2\n"
                            "normal exit 1\n"
                            "normal exit 2\n"
                            "export X\n"
                            "export Y\n");
    EXPECT_EQ(job.description, "two");
    EXPECT_EQ(job.kill_timeout, 2u);
    EXPECT_EQ(job.env, (std::vector<std::string>{"A=1", "B=2"}));
    EXPECT_EQ(job.normal_exit.size(), 2u);
    EXPECT_EQ(job.exports, (std::vector<std::string>{"X", "Y"}));
}

// ---- overrides: parse_job_text on top of an existing job ------------------------------------

JobClass with_override(std::string_view conf, std::string_view override_text) {
    JobClass job = parse_ok(conf);
    auto result = config::parse_job_text(override_text, "test.override", job);
    EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().to_string());
    return job;
}

TEST(ParseJobOverride, SingleValuedStanzasReplaceTheConfsValues) {
    JobClass job = with_override("description conf\nexec /bin/conf\nstart on a\nkill timeout 9\nconsole none\n",
                                 "description override\nexec /bin/override\nstart on b\nconsole output\n");
    EXPECT_EQ(job.description, "override");
    EXPECT_EQ(job.process(ProcessType::Main)->command, "/bin/override");
    EXPECT_EQ(core::to_string(*job.start_on), "b");
    EXPECT_EQ(job.kill_timeout, 9u);
    EXPECT_EQ(job.console, core::ConsoleType::Output);
}

TEST(ParseJobOverride, AccumulatingStanzasAddToTheConfsValues) {
    JobClass job = with_override("env A=1\nexport A\nemits x\nnormal exit 1\n",
                                 "env B=2\nexport B\nemits y\nnormal exit 2\n");
    EXPECT_EQ(job.env, (std::vector<std::string>{"A=1", "B=2"}));
    EXPECT_EQ(job.exports, (std::vector<std::string>{"A", "B"}));
    EXPECT_EQ(job.emits, (std::vector<std::string>{"x", "y"}));
    EXPECT_EQ(job.normal_exit, (std::vector<core::NormalExit>{{1, false}, {2, false}}));
}

TEST(ParseJobOverride, LimitForTheSameResourceReplacesAndOthersAdd) {
    JobClass job = with_override("limit nofile 10 20\nlimit core 0 0\n", "limit nofile 30 40\nlimit nproc 5 6\n");
    ASSERT_EQ(job.limits.size(), 3u);
    EXPECT_EQ(job.limits[0].first, RLIMIT_NOFILE);
    EXPECT_EQ(job.limits[0].second, (core::ResourceLimit{30, 40}));
    EXPECT_EQ(job.limits[2].first, RLIMIT_NPROC);
}

TEST(ParseJobOverride, ManualDisablesTheConfsStartOn) {
    JobClass job = with_override("start on runlevel [2345]\nstop on runlevel [016]\nexec /bin/d\n", "manual\n");
    EXPECT_TRUE(job.manual);
    EXPECT_FALSE(job.start_on.has_value());
    EXPECT_TRUE(job.stop_on.has_value());
    EXPECT_EQ(job.process(ProcessType::Main)->command, "/bin/d");
}

TEST(ParseJobOverride, ScriptInTheOverrideReplacesTheConfsExec) {
    JobClass job = with_override("exec /bin/conf\n", "\nscript\n  echo hi\nend script\n");
    ASSERT_TRUE(job.process(ProcessType::Main) != nullptr);
    EXPECT_TRUE(job.process(ProcessType::Main)->script);
    EXPECT_EQ(job.process(ProcessType::Main)->command, "echo hi\n");
    EXPECT_EQ(job.process(ProcessType::Main)->line, 2);
}

TEST(ParseJobOverride, EmptyOverrideChangesNothing) {
    JobClass conf = parse_ok("exec /bin/x\nenv A=1\n");
    JobClass job = conf;
    ASSERT_TRUE(config::parse_job_text("# nothing\n", "test.override", job).has_value());
    EXPECT_EQ(job, conf);
}

TEST(ParseJobOverride, ErrorNamesTheOverrideFile) {
    JobClass job = parse_ok("exec /bin/x\n");
    auto result = config::parse_job_text("\nbogus\n", "/etc/init/x.override", job);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().file, "/etc/init/x.override");
    EXPECT_EQ(result.error().line, 2);
    EXPECT_EQ(result.error().code, ParseErrorCode::UnknownStanza);
}

} // namespace

// ---- list_stanzas ----------------------------------------------------------------------------

namespace {

TEST(ListStanzas, GivesEachStanzaItsKeywordAndByteRangeAsTheParserReadIt) {
    std::string text = "# a comment\nenv X=1\nstart on startup\nmanual # why\n";
    auto spans = config::list_stanzas(text, "t.override");
    ASSERT_TRUE(spans.has_value());
    ASSERT_EQ(spans->size(), 3u);
    EXPECT_EQ((*spans)[0].keyword, "env");
    EXPECT_EQ(text.substr((*spans)[0].begin, 7), "env X=1");
    EXPECT_EQ((*spans)[1].keyword, "start");
    EXPECT_EQ((*spans)[2].keyword, "manual");
    // `manual` takes nothing: it ends right after its keyword, before the comment.
    EXPECT_EQ(text.substr((*spans)[2].begin, (*spans)[2].end - (*spans)[2].begin), "manual");
}

TEST(ListStanzas, AManualLineInsideAScriptBlockIsShellNotAStanza) {
    auto spans = config::list_stanzas("script\n  manual\nend script\n", "t.conf");
    ASSERT_TRUE(spans.has_value());
    ASSERT_EQ(spans->size(), 1u);
    EXPECT_EQ((*spans)[0].keyword, "script");
}

TEST(ListStanzas, FailsWhereTheParseFails) {
    auto spans = config::list_stanzas("manual\nfrobnicate\n", "t.override");
    ASSERT_FALSE(spans.has_value());
    EXPECT_EQ(spans.error().line, 2);
    EXPECT_EQ(spans.error().code, ParseErrorCode::UnknownStanza);
}

} // namespace
