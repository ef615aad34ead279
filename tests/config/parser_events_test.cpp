// Tests the `start on` and `stop on` stanzas through config::parse_job: the expression as the
// job file holds it, line handling around it, the stanza's own errors and their positions.
#include <gtest/gtest.h>

#include <string>

#include "config/parser.h"
#include "core/event_expr.h"

namespace {

using core::JobClass;

// `start on` and `stop on` behave identically; every test runs for both.
struct OnStanza {
    const char* keyword;
    std::optional<core::EventExpr> JobClass::*field;
};

class OnStanzaTest : public ::testing::TestWithParam<OnStanza> {
protected:
    // "start on " / "stop on "
    std::string on() const { return std::string(GetParam().keyword) + " on "; }

    JobClass parse_ok(std::string_view text) const {
        auto job = config::parse_job(text, "test.conf");
        EXPECT_TRUE(job.has_value()) << (job ? "" : job.error().to_string());
        return job ? *job : JobClass{};
    }

    // The parsed expression, fully parenthesised, or "<none>".
    std::string expr_of(std::string_view text) const {
        JobClass job = parse_ok(text);
        const auto& expr = job.*GetParam().field;
        return expr ? core::to_string(*expr) : std::string("<none>");
    }

    // The error as "line:column Upstart message", or "parsed".
    std::string error_of(std::string_view text) const {
        auto job = config::parse_job(text, "test.conf");
        if (job) {
            return "parsed";
        }
        const config::Diagnostic& d = job.error();
        return std::to_string(d.line) + ":" + std::to_string(d.column) + " " +
               std::string(config::upstart_message(d.code));
    }

    // Column just after "start on " / "stop on " (1-based).
    int after_on() const { return static_cast<int>(on().size()) + 1; }
    std::string at(int line, int column) const { return std::to_string(line) + ":" + std::to_string(column) + " "; }
};

TEST_P(OnStanzaTest, SingleEvent) { EXPECT_EQ(expr_of(on() + "startup\n"), "startup"); }

TEST_P(OnStanzaTest, EventWithPositionalValues) {
    EXPECT_EQ(expr_of(on() + "runlevel [2345] foo\n"), "runlevel [2345] foo");
}

TEST_P(OnStanzaTest, EventWithPositionalAndNamedValues) {
    EXPECT_EQ(expr_of(on() + "started network IFACE=eth0 MODE!=off\n"), "started network IFACE=eth0 MODE!=off");
}

TEST_P(OnStanzaTest, QuotedValueWithSpaces) {
    JobClass job = parse_ok(on() + "started \"my job\" \"FOO=a b\"\n");
    const core::EventExprNode& node = (job.*GetParam().field)->nodes.at(0);
    EXPECT_EQ(node.args, (std::vector<core::EventArg>{{"", "my job", false}, {"FOO", "a b", false}}));
}

TEST_P(OnStanzaTest, OrOfTwoEvents) { EXPECT_EQ(expr_of(on() + "a or b\n"), "(a or b)"); }

TEST_P(OnStanzaTest, OperatorsWithValues) {
    EXPECT_EQ(expr_of(on() + "started a X=1 and stopped b\n"), "(started a X=1 and stopped b)");
}

TEST_P(OnStanzaTest, MultipleOperatorsAreLeftAssociative) {
    EXPECT_EQ(expr_of(on() + "wibble or wobble or wiggle\n"), "((wibble or wobble) or wiggle)");
    EXPECT_EQ(expr_of(on() + "a or b and c\n"), "((a or b) and c)");
}

TEST_P(OnStanzaTest, ParenthesesChangeGrouping) {
    EXPECT_EQ(expr_of(on() + "wibble or (wobble and wiggle)\n"), "(wibble or (wobble and wiggle))");
}

TEST_P(OnStanzaTest, NestedParentheses) {
    EXPECT_EQ(expr_of(on() + "(a or (b and (c or d))) and e\n"), "((a or (b and (c or d))) and e)");
}

TEST_P(OnStanzaTest, RepeatedTheLastOneWins) { EXPECT_EQ(expr_of(on() + "a\n" + on() + "b\n"), "b"); }

TEST_P(OnStanzaTest, CommentAfterTheExpressionIsFine) { EXPECT_EQ(expr_of(on() + "a or b # why\n"), "(a or b)"); }

TEST_P(OnStanzaTest, ExpressionContinuesInsideParenthesesOverLines) {
    JobClass job = parse_ok(on() + "(a or   # first\n    b) and\\\n    c\nexec /bin/true\n");
    EXPECT_EQ(core::to_string(*(job.*GetParam().field)), "((a or b) and c)");
    EXPECT_EQ(job.process(core::ProcessType::Main)->line, 4);
}

TEST_P(OnStanzaTest, LineEndOutsideParenthesesEndsTheExpression) {
    EXPECT_EQ(error_of(on() + "a\nor b\n"), "2:1 Unknown stanza");
}

TEST_P(OnStanzaTest, BackslashContinuesTheExpressionOutsideParentheses) {
    EXPECT_EQ(expr_of(on() + "a \\\n  or b\n"), "(a or b)");
}

TEST_P(OnStanzaTest, KeywordAloneIsExpectedToken) {
    std::string keyword = GetParam().keyword;
    EXPECT_EQ(error_of(keyword + "\n"), at(1, static_cast<int>(keyword.size()) + 1) + "Expected token");
}

TEST_P(OnStanzaTest, OtherWordThanOnIsUnknownStanza) {
    std::string keyword = GetParam().keyword;
    EXPECT_EQ(error_of(keyword + " in startup\n"), at(1, static_cast<int>(keyword.size()) + 2) + "Unknown stanza");
    EXPECT_EQ(error_of(keyword + " ON startup\n"), at(1, static_cast<int>(keyword.size()) + 2) + "Unknown stanza");
}

TEST_P(OnStanzaTest, NoExpressionIsExpectedToken) {
    EXPECT_EQ(error_of(on() + "\n"), at(1, after_on()) + "Expected token");
    EXPECT_EQ(error_of(on() + "# nothing\n"), at(1, after_on()) + "Expected token");
}

TEST_P(OnStanzaTest, OperatorAtTheStartIsExpectedEvent) {
    EXPECT_EQ(error_of(on() + "or b\n"), at(1, after_on()) + "Expected event");
}

TEST_P(OnStanzaTest, OperatorAtTheEndIsExpectedEvent) {
    EXPECT_EQ(error_of(on() + "a or\n"), at(1, after_on() + 4) + "Expected event");
}

TEST_P(OnStanzaTest, ConsecutiveOperatorsAreExpectedEvent) {
    EXPECT_EQ(error_of(on() + "a or and b\n"), at(1, after_on() + 5) + "Expected event");
}

TEST_P(OnStanzaTest, OperatorAtTheStartOrEndOfAGroupIsExpectedEvent) {
    EXPECT_EQ(error_of(on() + "(or a)\n"), at(1, after_on() + 1) + "Expected event");
    EXPECT_EQ(error_of(on() + "(a or)\n"), at(1, after_on() + 5) + "Expected event");
}

TEST_P(OnStanzaTest, MissingCloseParenthesisIsMismatchedAtTheOpenParenthesis) {
    EXPECT_EQ(error_of(on() + "a and (b or c\n"), at(1, after_on() + 6) + "Mismatched parentheses");
}

TEST_P(OnStanzaTest, MissingOpenParenthesisIsMismatched) {
    EXPECT_EQ(error_of(on() + "a and b or c)\n"), at(1, after_on() + 12) + "Mismatched parentheses");
}

TEST_P(OnStanzaTest, GroupRightAfterAnEventIsExpectedOperator) {
    EXPECT_EQ(error_of(on() + "a (b or c)\n"), at(1, after_on() + 2) + "Expected operator");
}

TEST_P(OnStanzaTest, EventRightAfterAGroupIsExpectedOperator) {
    EXPECT_EQ(error_of(on() + "(a or b) c\n"), at(1, after_on() + 9) + "Expected operator");
}

TEST_P(OnStanzaTest, EmptyParenthesesAreRejected) {
    EXPECT_EQ(error_of(on() + "()\n"), at(1, after_on() + 1) + "Expected event");
}

TEST_P(OnStanzaTest, PositionalAfterNamedIsExpectedVariableName) {
    EXPECT_EQ(error_of(on() + "foo A=1 bar\n"), at(1, after_on() + 8) + "Expected variable name before value");
}

TEST_P(OnStanzaTest, ErrorsInAMultiLineExpressionReportTheirOwnLine) {
    EXPECT_EQ(error_of("task\n" + on() + "(a or\n   b or\n   or c)\n"), "4:4 Expected event");
    EXPECT_EQ(error_of("task\n" + on() + "(a or\n   b)\n   c\n"), "4:4 Unknown stanza");
}

TEST_P(OnStanzaTest, BlankLineInsideParenthesesIsAnError) {
    EXPECT_EQ(error_of(on() + "(a\n\n or b)\n"), at(1, after_on()) + "Mismatched parentheses");
}

TEST_P(OnStanzaTest, CommentLineInsideParenthesesIsAnError) {
    EXPECT_EQ(error_of(on() + "(a or\n# why\n b)\n"), at(1, after_on() + 5) + "Expected event");
}

TEST_P(OnStanzaTest, NestingTooDeepIsAClearError) {
    auto job = config::parse_job(on() + std::string(1000, '(') + "a" + std::string(1000, ')') + "\n", "test.conf");
    ASSERT_FALSE(job.has_value());
    EXPECT_EQ(job.error().code, config::ParseErrorCode::NestingTooDeep);
    EXPECT_EQ(job.error().line, 1);
}

TEST_P(OnStanzaTest, FailedExpressionLeavesAnEarlierOneInPlace) {
    JobClass job = parse_ok(on() + "a\n");
    auto result = config::parse_job_text(on() + "b or\n", "test.override", job);
    ASSERT_FALSE(result.has_value());
    ASSERT_TRUE((job.*GetParam().field).has_value());
    EXPECT_EQ(core::to_string(*(job.*GetParam().field)), "a");
}

INSTANTIATE_TEST_SUITE_P(ParseJob, OnStanzaTest,
                         ::testing::Values(OnStanza{"start", &JobClass::start_on}, OnStanza{"stop", &JobClass::stop_on}),
                         [](const auto& info) { return std::string(info.param.keyword) + "On"; });

TEST(StartAndStopOn, AreIndependentOfEachOther) {
    auto job = config::parse_job("start on a\nstop on b\nstart on c\n", "test.conf");
    ASSERT_TRUE(job.has_value());
    EXPECT_EQ(core::to_string(*job->start_on), "c");
    EXPECT_EQ(core::to_string(*job->stop_on), "b");
}

} // namespace
