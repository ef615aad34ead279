// Tests config::parse_job on hostile and degenerate input: empty files, garbage, huge lines,
// NUL bytes, non-UTF-8 bytes, unknown stanzas and pathological nesting. The parser must return
// a job or a diagnostic with a sensible position, and never crash or recurse without bound.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>

#include "config/event_expr_parser.h"
#include "config/parser.h"
#include "config/parse_helpers.h"

namespace {

using config_test::parse_ok;

using config::ParseErrorCode;
using core::JobClass;
using core::ProcessType;

config::Diagnostic parse_error(std::string_view text) {
    auto job = config::parse_job(text, "test.conf");
    EXPECT_FALSE(job.has_value()) << "parsed without error";
    return job ? config::Diagnostic{} : job.error();
}

int line_count(std::string_view text) { return static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1; }

// Parses text and checks the outcome is a job or a diagnostic pointing inside the file.
void expect_job_or_placed_error(const std::string& text, std::string_view what) {
    auto job = config::parse_job(text, "fuzz.conf");
    if (job) {
        return;
    }
    const config::Diagnostic& d = job.error();
    EXPECT_EQ(d.file, "fuzz.conf") << what;
    EXPECT_GE(d.line, 1) << what;
    EXPECT_LE(d.line, line_count(text)) << what;
    EXPECT_GE(d.column, 1) << what;
    EXPECT_FALSE(config::upstart_message(d.code).empty()) << what;
}

// ---- empty and near-empty files -------------------------------------------------------------

TEST(ParseJobBadInput, EmptyFileIsAValidJobWithoutAMainProcess) {
    JobClass job = parse_ok("");
    EXPECT_FALSE(job.process(ProcessType::Main) != nullptr);
    EXPECT_EQ(job.description, "");
}

TEST(ParseJobBadInput, FileOfOnlyCommentsAndBlankLinesIsAValidEmptyJob) {
    JobClass job = parse_ok("# one\n\n   # two\n\t\r\n#three");
    EXPECT_FALSE(job.process(ProcessType::Main) != nullptr);
    EXPECT_FALSE(job.start_on.has_value());
}

TEST(ParseJobBadInput, FileOfOnlyContinuationsIsAValidEmptyJob) {
    EXPECT_FALSE(parse_ok("\\\n\\\n  \\\n").process(ProcessType::Main) != nullptr);
}

TEST(ParseJobBadInput, LoneBackslashIsTrailingSlash) {
    config::Diagnostic d = parse_error("\\");
    EXPECT_EQ(d.code, ParseErrorCode::TrailingSlash);
    EXPECT_EQ(d.line, 1);
    EXPECT_EQ(config::upstart_message(d.code), "Trailing slash in file");
}

TEST(ParseJobBadInput, LoneQuoteIsUnterminatedQuotedString) {
    config::Diagnostic d = parse_error("task\n\"");
    EXPECT_EQ(d.code, ParseErrorCode::UnterminatedQuote);
    EXPECT_EQ(d.line, 2);
    EXPECT_EQ(d.column, 1);
}

// ---- garbage --------------------------------------------------------------------------------

TEST(ParseJobBadInput, RandomBytesGiveAJobOrAPlacedError) {
    std::mt19937 rng(20240607);
    std::uniform_int_distribution<int> byte(1, 255); // NUL has its own test
    std::uniform_int_distribution<int> length(0, 400);
    for (int round = 0; round < 2000; ++round) {
        std::string text(static_cast<std::size_t>(length(rng)), '\0');
        for (char& c : text) {
            c = static_cast<char>(byte(rng));
        }
        expect_job_or_placed_error(text, "round " + std::to_string(round));
    }
}

TEST(ParseJobBadInput, RandomStanzaSoupGivesAJobOrAPlacedError) {
    const std::vector<std::string> pieces = {
        "exec ", "script", "end script", "pre-start ", "start on ", "stop on ", "env ", "respawn ", "limit ",
        "nofile ", "normal exit ", "kill ", "timeout ", "signal ", "oom ", "score ", "cgroup ", "manual ",
        "task", "(", ")", "and ", "or ", "\"", "'", "\\", "\\\n", "\n", "\r\n", "#", " ", "\t", "a=b ",
        "!=", "=", "unlimited ", "-1 ", "99999999999999999999 ", "TERM ", "x"};
    std::mt19937 rng(42);
    std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
    std::uniform_int_distribution<int> length(1, 80);
    int parsed = 0;
    for (int round = 0; round < 3000; ++round) {
        std::string text;
        for (int i = length(rng); i > 0; --i) {
            text += pieces[pick(rng)];
        }
        expect_job_or_placed_error(text, "round " + std::to_string(round) + ": " + text);
        parsed += config::parse_job(text, "fuzz.conf").has_value() ? 1 : 0;
    }
    EXPECT_GT(parsed, 0); // the soup is not all errors, so the success paths ran too
}

// ---- huge input -----------------------------------------------------------------------------

constexpr std::size_t one_mb = 1u << 20;

TEST(ParseJobBadInput, OneMegabyteDescriptionLineParses) {
    std::string value(one_mb, 'd');
    EXPECT_EQ(parse_ok("description " + value + "\ntask\n").description, value);
}

TEST(ParseJobBadInput, OneMegabyteExecLineParses) {
    std::string command = "/bin/echo " + std::string(one_mb, 'x');
    EXPECT_EQ(parse_ok("exec " + command + "\n").process(ProcessType::Main)->command, command);
}

TEST(ParseJobBadInput, OneMegabyteCommentLineIsSkipped) {
    EXPECT_TRUE(parse_ok("#" + std::string(one_mb, 'c') + "\ntask\n").task);
}

TEST(ParseJobBadInput, OneMegabyteUnknownKeywordIsUnknownStanzaWithoutASuggestion) {
    config::Diagnostic d = parse_error(std::string(one_mb, 'k') + "\n");
    EXPECT_EQ(d.code, ParseErrorCode::UnknownStanza);
    EXPECT_EQ(d.detail.find("did you mean"), std::string::npos);
}

TEST(ParseJobBadInput, OneMegabyteScriptParses) {
    std::string body;
    while (body.size() < one_mb) {
        body += "  echo line " + std::to_string(body.size()) + "\n";
    }
    JobClass job = parse_ok("script\n" + body + "end script\n");
    EXPECT_EQ(job.process(ProcessType::Main)->command.view().substr(0, 12), "echo line 0\n");
}

TEST(ParseJobBadInput, FileAboveTheSizeLimitIsFileTooLarge) {
    std::string text(config::max_job_file_size + 1, '#');
    config::Diagnostic d = parse_error(text);
    EXPECT_EQ(d.code, ParseErrorCode::FileTooLarge);
    EXPECT_EQ(d.line, 0);
    EXPECT_EQ(config::upstart_message(d.code), "Job file too large");
}

// ---- unterminated constructs ----------------------------------------------------------------

TEST(ParseJobBadInput, UnterminatedScriptBlockIsReportedAtItsOpeningLine) {
    config::Diagnostic d = parse_error("description x\n\npost-stop script\n  rm -f /run/x\n\n");
    EXPECT_EQ(d.code, ParseErrorCode::UnterminatedBlock);
    EXPECT_EQ(d.line, 3);
    EXPECT_EQ(config::upstart_message(d.code), "Unterminated block");
}

TEST(ParseJobBadInput, UnterminatedQuoteSwallowsTheFileAndIsReportedWhereItOpened) {
    config::Diagnostic d = parse_error("task\ndescription \"oops\nexec /bin/true\nrespawn\n");
    EXPECT_EQ(d.code, ParseErrorCode::UnterminatedQuote);
    EXPECT_EQ(d.line, 2);
    EXPECT_EQ(d.column, 13);
}

// ---- unknown stanzas ------------------------------------------------------------------------

struct Misspelling {
    const char* text;
    const char* suggestion;
};

class UnknownStanzaSuggestion : public ::testing::TestWithParam<Misspelling> {};

TEST_P(UnknownStanzaSuggestion, DetailSuggestsTheClosestStanza) {
    config::Diagnostic d = parse_error(std::string(GetParam().text) + " x\n");
    EXPECT_EQ(d.code, ParseErrorCode::UnknownStanza);
    EXPECT_EQ(d.line, 1);
    EXPECT_EQ(d.column, 1);
    EXPECT_NE(d.detail.find(std::string("did you mean '") + GetParam().suggestion + "'?"), std::string::npos)
        << d.detail;
}

INSTANTIATE_TEST_SUITE_P(ParseJobBadInput, UnknownStanzaSuggestion,
                         ::testing::Values(Misspelling{"exex", "exec"}, Misspelling{"Exec", "exec"},
                                           Misspelling{"descripton", "description"},
                                           Misspelling{"respwan", "respawn"}, Misspelling{"evn", "env"},
                                           Misspelling{"pre_start", "pre-start"}, Misspelling{"umaks", "umask"}),
                         [](const auto& info) { return std::string(info.param.text); });

TEST(ParseJobBadInput, FarFromAnyStanzaHasNoSuggestion) {
    config::Diagnostic d = parse_error("frobnicate now\n");
    EXPECT_EQ(d.code, ParseErrorCode::UnknownStanza);
    EXPECT_NE(d.detail.find("'frobnicate'"), std::string::npos);
    EXPECT_EQ(d.detail.find("did you mean"), std::string::npos);
}

TEST(ParseJobBadInput, StanzasOtherInitsUseAreUnknown) {
    EXPECT_EQ(parse_error("pid file /run/x.pid\n").code, ParseErrorCode::UnknownStanza);
    EXPECT_EQ(parse_error("daemon\n").code, ParseErrorCode::UnknownStanza);
    EXPECT_EQ(parse_error("[Service]\n").code, ParseErrorCode::UnknownStanza);
}

// ---- NUL and non-UTF-8 bytes ----------------------------------------------------------------

TEST(ParseJobBadInput, NulByteIsRejectedWithItsLineAndColumn) {
    config::Diagnostic d = parse_error(std::string("exec /bin/true\nenv A=\0B\n", 24));
    EXPECT_EQ(d.code, ParseErrorCode::NulByte);
    EXPECT_EQ(d.line, 2);
    EXPECT_EQ(d.column, 7);
    EXPECT_EQ(config::upstart_message(d.code), "NUL byte in job file");
}

TEST(ParseJobBadInput, NulByteInsideACommentIsStillRejected) {
    config::Diagnostic d = parse_error(std::string("# a\0b\n", 6));
    EXPECT_EQ(d.code, ParseErrorCode::NulByte);
    EXPECT_EQ(d.line, 1);
    EXPECT_EQ(d.column, 4);
}

TEST(ParseJobBadInput, NulByteAsTheWholeFileIsRejected) {
    config::Diagnostic d = parse_error(std::string(1, '\0'));
    EXPECT_EQ(d.code, ParseErrorCode::NulByte);
    EXPECT_EQ(d.line, 1);
    EXPECT_EQ(d.column, 1);
}

TEST(ParseJobBadInput, NonUtf8BytesInValuesAreKeptAsBytes) {
    JobClass job = parse_ok("description \"caf\xe9 \xff\xfe\"\nenv NAME=\x80\x81\nexec /bin/echo \xc3\x28\n");
    EXPECT_EQ(job.description, "caf\xe9 \xff\xfe");
    EXPECT_EQ(job.env, (std::vector<std::string>{"NAME=\x80\x81"}));
    EXPECT_EQ(job.process(ProcessType::Main)->command, "/bin/echo \xc3\x28");
}

TEST(ParseJobBadInput, NonUtf8BytesInAStanzaNameAreUnknownStanza) {
    config::Diagnostic d = parse_error("\xff\xfe task\n");
    EXPECT_EQ(d.code, ParseErrorCode::UnknownStanza);
    EXPECT_EQ(d.line, 1);
}

// ---- nesting --------------------------------------------------------------------------------

TEST(ParseJobBadInput, HundredThousandOpenParenthesesAreAClearErrorNotAStackOverflow) {
    config::Diagnostic d = parse_error("start on " + std::string(100000, '(') + "\n");
    EXPECT_EQ(d.code, ParseErrorCode::NestingTooDeep);
    EXPECT_EQ(d.line, 1);
    EXPECT_EQ(d.column, 10 + config::max_event_expr_depth);
}

TEST(ParseJobBadInput, HundredThousandBalancedParenthesesAreAClearError) {
    config::Diagnostic d =
        parse_error("stop on " + std::string(100000, '(') + "a" + std::string(100000, ')') + "\nexec /bin/x\n");
    EXPECT_EQ(d.code, ParseErrorCode::NestingTooDeep);
}

TEST(ParseJobBadInput, HundredThousandCloseParenthesesAreMismatched) {
    config::Diagnostic d = parse_error("start on a" + std::string(100000, ')') + "\n");
    EXPECT_EQ(d.code, ParseErrorCode::MismatchedParentheses);
    EXPECT_EQ(d.column, 11);
}

TEST(ParseJobBadInput, LongFlatChainOfOperatorsParses) {
    std::string text = "start on e";
    for (int i = 0; i < 20000; ++i) {
        text += " or e";
    }
    JobClass job = parse_ok(text + "\n");
    EXPECT_EQ(job.start_on->nodes.size(), 40001u);
}

} // namespace
