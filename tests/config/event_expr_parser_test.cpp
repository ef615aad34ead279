// Tests config::parse_event_expr: the `start on` / `stop on` grammar and its errors.
#include "config/event_expr_parser.h"

#include <gtest/gtest.h>

#include <string>

#include "core/event_expr.h"

namespace {

using config::ParseErrorCode;
using core::EventArg;
using core::EventExprKind;

core::EventExpr parse(std::string_view text) {
    auto expr = config::parse_event_expr(text);
    EXPECT_TRUE(expr.has_value()) << text << ": " << (expr ? "" : expr.error().to_string());
    return expr ? *expr : core::EventExpr{};
}

// The expression fully parenthesised, as show-config prints it.
std::string shape(std::string_view text) { return core::to_string(parse(text)); }

// The error as "line:column Upstart message".
std::string error_of(std::string_view text) {
    auto expr = config::parse_event_expr(text);
    if (expr) {
        return "parsed as " + core::to_string(*expr);
    }
    const config::Diagnostic& d = expr.error();
    return std::to_string(d.line) + ":" + std::to_string(d.column) + " " + std::string(config::upstart_message(d.code));
}

// ---- single events and their arguments ------------------------------------------------------

TEST(EventExprParser, SingleEventIsOneMatchNode) {
    core::EventExpr expr = parse("startup");
    ASSERT_EQ(expr.nodes.size(), 1u);
    EXPECT_EQ(expr.nodes[0].kind, EventExprKind::Match);
    EXPECT_EQ(expr.nodes[0].name, "startup");
    EXPECT_TRUE(expr.nodes[0].args.empty());
}

TEST(EventExprParser, PositionalValuesAreKeptInOrder) {
    core::EventExpr expr = parse("runlevel [2345] extra");
    ASSERT_EQ(expr.nodes.size(), 1u);
    EXPECT_EQ(expr.nodes[0].args,
              (std::vector<EventArg>{{"", "[2345]", false}, {"", "extra", false}}));
    EXPECT_TRUE(expr.nodes[0].args[0].positional());
}

TEST(EventExprParser, NamedValuesSplitAtTheFirstEquals) {
    core::EventExpr expr = parse("net-device-up IFACE=eth0 OPTS=a=b");
    ASSERT_EQ(expr.nodes.size(), 1u);
    EXPECT_EQ(expr.nodes[0].args,
              (std::vector<EventArg>{{"IFACE", "eth0", false}, {"OPTS", "a=b", false}}));
}

TEST(EventExprParser, NotEqualsIsANegatedNamedValue) {
    core::EventExpr expr = parse("stopped rc RUNLEVEL!=[06]");
    ASSERT_EQ(expr.nodes.size(), 1u);
    EXPECT_EQ(expr.nodes[0].args, (std::vector<EventArg>{{"", "rc", false}, {"RUNLEVEL", "[06]", true}}));
}

TEST(EventExprParser, PositionalThenNamedValuesMix) {
    core::EventExpr expr = parse("starting foo A=1 B!=2");
    ASSERT_EQ(expr.nodes.size(), 1u);
    EXPECT_EQ(expr.nodes[0].args,
              (std::vector<EventArg>{{"", "foo", false}, {"A", "1", false}, {"B", "2", true}}));
}

TEST(EventExprParser, EmptyNamedValueIsAllowed) {
    core::EventExpr expr = parse("ev KEY=");
    ASSERT_EQ(expr.nodes.size(), 1u);
    EXPECT_EQ(expr.nodes[0].args, (std::vector<EventArg>{{"KEY", "", false}}));
}

TEST(EventExprParser, GlobsAreKeptVerbatim) {
    core::EventExpr expr = parse("net-device-up IFACE=eth* ADDRESS=10.0.[0-9].? NAME!=[!l]*");
    ASSERT_EQ(expr.nodes.size(), 1u);
    EXPECT_EQ(expr.nodes[0].args, (std::vector<EventArg>{{"IFACE", "eth*", false},
                                                         {"ADDRESS", "10.0.[0-9].?", false},
                                                         {"NAME", "[!l]*", true}}));
}

TEST(EventExprParser, GlobsInPositionalValuesAreKeptVerbatim) {
    core::EventExpr expr = parse("started [!lo]* file-?");
    ASSERT_EQ(expr.nodes.size(), 1u);
    EXPECT_EQ(expr.nodes[0].args, (std::vector<EventArg>{{"", "[!lo]*", false}, {"", "file-?", false}}));
}

TEST(EventExprParser, VariableReferencesAreKeptVerbatim) {
    core::EventExpr expr = parse("stopping $X JOB=$JOB INSTANCE=${INSTANCE}");
    ASSERT_EQ(expr.nodes.size(), 1u);
    EXPECT_EQ(expr.nodes[0].args, (std::vector<EventArg>{{"", "$X", false},
                                                         {"JOB", "$JOB", false},
                                                         {"INSTANCE", "${INSTANCE}", false}}));
}

TEST(EventExprParser, QuotedValuesAreDequoted) {
    core::EventExpr expr = parse("ev 'two words' \"A=x y\" B=\"c d\"");
    ASSERT_EQ(expr.nodes.size(), 1u);
    EXPECT_EQ(expr.nodes[0].args,
              (std::vector<EventArg>{{"", "two words", false}, {"A", "x y", false}, {"B", "c d", false}}));
}

TEST(EventExprParser, PositionalValueAfterANamedOneInTheNextMatchIsFine) {
    EXPECT_EQ(shape("a K=1 or b pos"), "(a K=1 or b pos)");
}

TEST(EventExprParser, QuotedOperatorIsAnOrdinaryWord) {
    core::EventExpr expr = parse("a \"and\" 'or'");
    ASSERT_EQ(expr.nodes.size(), 1u);
    EXPECT_EQ(expr.nodes[0].args, (std::vector<EventArg>{{"", "and", false}, {"", "or", false}}));
    EXPECT_EQ(shape("\"or\" or b"), "(or or b)");
}

// ---- operators and grouping -----------------------------------------------------------------

TEST(EventExprParser, OrJoinsTwoEvents) {
    core::EventExpr expr = parse("a or b");
    ASSERT_EQ(expr.nodes.size(), 3u);
    const core::EventExprNode& root = expr.nodes[expr.root()];
    EXPECT_EQ(root.kind, EventExprKind::Or);
    EXPECT_EQ(expr.nodes[root.lhs].name, "a");
    EXPECT_EQ(expr.nodes[root.rhs].name, "b");
}

TEST(EventExprParser, AndJoinsTwoEventsWithTheirValues) {
    EXPECT_EQ(shape("started a X=1 and stopped b"), "(started a X=1 and stopped b)");
}

TEST(EventExprParser, RepeatedOperatorsAreLeftAssociative) {
    EXPECT_EQ(shape("wibble or wobble or wiggle"), "((wibble or wobble) or wiggle)");
}

TEST(EventExprParser, AndAndOrHaveEqualPrecedence) {
    EXPECT_EQ(shape("a or b and c"), "((a or b) and c)");
    EXPECT_EQ(shape("a and b or c"), "((a and b) or c)");
}

TEST(EventExprParser, ParenthesesChangeTheGrouping) { EXPECT_EQ(shape("a or (b and c)"), "(a or (b and c))"); }

TEST(EventExprParser, NestedParenthesesGroupInnermostFirst) {
    EXPECT_EQ(shape("(a and (b or (c and d))) or e"), "((a and (b or (c and d))) or e)");
}

TEST(EventExprParser, RedundantParenthesesAroundOneEventAreAccepted) {
    EXPECT_EQ(shape("((a))"), "a");
    EXPECT_EQ(shape("(a) or ((b))"), "(a or b)");
}

TEST(EventExprParser, ParenthesesNeedNoSurroundingSpaces) { EXPECT_EQ(shape("(a)or(b X=1)"), "(a or b X=1)"); }

TEST(EventExprParser, ChildrenComeBeforeTheirParentInTheNodeList) {
    core::EventExpr expr = parse("(a or b) and (c or d)");
    for (std::uint32_t i = 0; i < expr.nodes.size(); ++i) {
        if (expr.nodes[i].kind != EventExprKind::Match) {
            EXPECT_LT(expr.nodes[i].lhs, i);
            EXPECT_LT(expr.nodes[i].rhs, i);
        }
    }
    EXPECT_EQ(expr.nodes.back().kind, EventExprKind::And);
}

TEST(EventExprParser, ExpressionContinuesOverLinesInsideParentheses) {
    EXPECT_EQ(shape("(a or\n   b and\n\tc)"), "((a or b) and c)");
}

TEST(EventExprParser, CommentAtTheEndOfALineInsideParenthesesIsFine) {
    EXPECT_EQ(shape("(a or   # first\n b)  # done"), "(a or b)");
}

TEST(EventExprParser, BackslashContinuesTheExpressionOutsideParentheses) {
    EXPECT_EQ(shape("a or \\\n  b"), "(a or b)");
}

TEST(EventExprParser, CarriageReturnsAreWhitespace) { EXPECT_EQ(shape("(a or\r\n b)\r\n"), "(a or b)"); }

// ---- errors ---------------------------------------------------------------------------------

TEST(EventExprParserErrors, EmptyExpressionIsExpectedEvent) { EXPECT_EQ(error_of(""), "1:1 Expected event"); }

TEST(EventExprParserErrors, OnlyACommentIsExpectedEvent) { EXPECT_EQ(error_of("# none"), "1:7 Expected event"); }

TEST(EventExprParserErrors, LeadingOperatorIsExpectedEvent) { EXPECT_EQ(error_of("or b"), "1:1 Expected event"); }

TEST(EventExprParserErrors, TrailingOperatorIsExpectedEvent) { EXPECT_EQ(error_of("a or"), "1:5 Expected event"); }

TEST(EventExprParserErrors, ConsecutiveOperatorsAreExpectedEvent) {
    EXPECT_EQ(error_of("a or and b"), "1:6 Expected event");
}

TEST(EventExprParserErrors, OperatorAtTheStartOfAGroupIsExpectedEvent) {
    EXPECT_EQ(error_of("a and (or b)"), "1:8 Expected event");
}

TEST(EventExprParserErrors, OperatorAtTheEndOfAGroupIsExpectedEvent) {
    EXPECT_EQ(error_of("(a or) and b"), "1:6 Expected event");
}

TEST(EventExprParserErrors, EmptyParenthesesAreExpectedEvent) { EXPECT_EQ(error_of("()"), "1:2 Expected event"); }

TEST(EventExprParserErrors, UnclosedParenthesisIsMismatchedAtTheOpeningParenthesis) {
    EXPECT_EQ(error_of("a and (b or c"), "1:7 Mismatched parentheses");
}

TEST(EventExprParserErrors, UnopenedParenthesisIsMismatchedAtTheClosingParenthesis) {
    EXPECT_EQ(error_of("a or b)"), "1:7 Mismatched parentheses");
}

TEST(EventExprParserErrors, ExtraClosingParenthesisAfterAGroupIsMismatched) {
    EXPECT_EQ(error_of("(a or b))"), "1:9 Mismatched parentheses");
}

TEST(EventExprParserErrors, GroupRightAfterAnEventIsExpectedOperator) {
    EXPECT_EQ(error_of("a (b or c)"), "1:3 Expected operator");
}

TEST(EventExprParserErrors, EventRightAfterAGroupIsExpectedOperator) {
    EXPECT_EQ(error_of("(a or b) c"), "1:10 Expected operator");
}

TEST(EventExprParserErrors, GroupRightAfterAGroupIsExpectedOperator) {
    EXPECT_EQ(error_of("(a) (b)"), "1:5 Expected operator");
}

TEST(EventExprParserErrors, PositionalAfterNamedIsExpectedVariableName) {
    EXPECT_EQ(error_of("foo A=1 bar"), "1:9 Expected variable name before value");
}

TEST(EventExprParserErrors, EqualsWithoutANameIsExpectedVariableName) {
    EXPECT_EQ(error_of("foo =1"), "1:5 Expected variable name before value");
    EXPECT_EQ(error_of("foo !=1"), "1:5 Expected variable name before value");
}

TEST(EventExprParserErrors, BlankLineInsideParenthesesEndsTheExpressionAndIsAnError) {
    EXPECT_EQ(error_of("(a\n\nor b)"), "1:1 Mismatched parentheses");
    EXPECT_EQ(error_of("(a or\n\n b)"), "1:6 Expected event");
}

TEST(EventExprParserErrors, CommentLineInsideParenthesesEndsTheExpressionAndIsAnError) {
    EXPECT_EQ(error_of("(a\n  # note\n or b)"), "1:1 Mismatched parentheses");
}

TEST(EventExprParserErrors, ErrorOnALaterLineOfAGroupReportsThatLine) {
    EXPECT_EQ(error_of("(a or\n b or\n  )"), "3:3 Expected event");
}

TEST(EventExprParserErrors, NewLineOutsideParenthesesEndsTheExpression) {
    EXPECT_EQ(error_of("a\nor b"), "2:1 Unexpected token");
}

TEST(EventExprParserErrors, EmptyQuotedWordIsExpectedToken) {
    EXPECT_EQ(error_of("ev \"\""), "1:4 Expected token");
    EXPECT_EQ(error_of("''"), "1:1 Expected token");
}

TEST(EventExprParserErrors, UnterminatedQuoteIsReported) {
    EXPECT_EQ(error_of("ev \"A=b"), "1:4 Unterminated quoted string");
}

TEST(EventExprParserErrors, DiagnosticNamesTheOrigin) {
    auto expr = config::parse_event_expr("a or", "/etc/init/x.conf");
    ASSERT_FALSE(expr.has_value());
    EXPECT_EQ(expr.error().file, "/etc/init/x.conf");
}

// ---- limits ---------------------------------------------------------------------------------

std::string nested(int depth) {
    return std::string(static_cast<std::size_t>(depth), '(') + "a" + std::string(static_cast<std::size_t>(depth), ')');
}

TEST(EventExprParserLimits, NestingUpToTheMaximumDepthIsAccepted) {
    EXPECT_EQ(shape(nested(config::max_event_expr_depth)), "a");
}

TEST(EventExprParserLimits, NestingOneLevelDeeperThanTheMaximumIsNestingTooDeep) {
    auto expr = config::parse_event_expr(nested(config::max_event_expr_depth + 1));
    ASSERT_FALSE(expr.has_value());
    EXPECT_EQ(expr.error().code, ParseErrorCode::NestingTooDeep);
    EXPECT_EQ(expr.error().line, 1);
    EXPECT_EQ(expr.error().column, config::max_event_expr_depth + 1);
    EXPECT_EQ(config::upstart_message(expr.error().code), "Parentheses nested too deeply");
}

TEST(EventExprParserLimits, HundredThousandOpeningParenthesesFailCleanly) {
    auto expr = config::parse_event_expr(std::string(100000, '('));
    ASSERT_FALSE(expr.has_value());
    EXPECT_EQ(expr.error().code, ParseErrorCode::NestingTooDeep);
}

TEST(EventExprParserLimits, OneMegabyteExpressionLineParses) {
    std::string text = "event0";
    int count = 1;
    while (text.size() < (1u << 20)) {
        text += count % 2 ? " or event" : " and event";
        text += std::to_string(count);
        ++count;
    }
    core::EventExpr expr = parse(text);
    ASSERT_EQ(expr.nodes.size(), 2u * static_cast<std::size_t>(count) - 1);
    EXPECT_EQ(expr.nodes.front().name, "event0");
    const core::EventExprNode& root = expr.nodes[expr.root()];
    EXPECT_EQ(expr.nodes[root.rhs].name, "event" + std::to_string(count - 1));
}

TEST(EventExprParserLimits, OneMegabyteValueParses) {
    std::string value(1u << 20, 'v');
    core::EventExpr expr = parse("ev KEY=" + value);
    ASSERT_EQ(expr.nodes.size(), 1u);
    EXPECT_EQ(expr.nodes[0].args[0].value, value);
}

} // namespace
