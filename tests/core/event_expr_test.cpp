// Tests core::EventExpr's read-only views: show-config rendering and event names.
#include "core/event_expr.h"

#include <gtest/gtest.h>

#include "config/event_expr_parser.h"

namespace {

core::EventExpr parse(std::string_view text) {
    auto expr = config::parse_event_expr(text);
    EXPECT_TRUE(expr.has_value()) << (expr ? "" : expr.error().to_string());
    return expr ? *expr : core::EventExpr{};
}

TEST(EventExprToString, SingleEventHasNoParentheses) { EXPECT_EQ(core::to_string(parse("startup")), "startup"); }

TEST(EventExprToString, EveryOperatorIsParenthesisedLikeShowConfig) {
    EXPECT_EQ(core::to_string(parse("starting A and (B or C var=2)")), "(starting A and (B or C var=2))");
}

TEST(EventExprToString, NegatedNamedArgumentKeepsItsOperator) {
    EXPECT_EQ(core::to_string(parse("stopped rc RUNLEVEL!=[016]")), "stopped rc RUNLEVEL!=[016]");
}

TEST(EventExprToString, VeryDeepLeftChainDoesNotRecurse) {
    std::string text = "e0";
    for (int i = 1; i < 200000; ++i) {
        text += " or e" + std::to_string(i);
    }
    core::EventExpr expr = parse(text);
    ASSERT_EQ(expr.nodes.size(), 2u * 200000 - 1);
    EXPECT_EQ(core::to_string(expr).substr(0, 10), std::string(10, '('));
}

TEST(EventExprEventNames, ListsEachEventOnceInTreeOrder) {
    auto names = core::event_names(parse("(a or b) and a and c"));
    EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c"}));
}

} // namespace
