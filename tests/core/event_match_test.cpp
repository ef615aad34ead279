// Tests operand matching and ExprState: first match wins, holds, collect order, reset.
#include "config/event_expr_parser.h"
#include "core/event_match.h"

#include <gtest/gtest.h>

namespace {

core::EventExpr parse(std::string_view text) {
    auto expr = config::parse_event_expr(text);
    EXPECT_TRUE(expr.has_value()) << (expr ? "" : expr.error().to_string());
    return expr ? *expr : core::EventExpr{};
}

bool matches(std::string_view operand, const std::string& name, core::Environ env,
             const core::Environ* expand = nullptr) {
    core::EventExpr expr = parse(operand);
    core::Event ev;
    ev.name = name;
    ev.env = std::move(env);
    core::ExpandEnv get = [expand]() { return expand; };
    return core::event_matches(expr.nodes.back(), ev, get);
}

TEST(EventMatch, NameMustBeEqualAndIsNotAGlob) {
    EXPECT_TRUE(matches("startup", "startup", {}));
    EXPECT_FALSE(matches("startup", "startups", {}));
    EXPECT_FALSE(matches("start*", "startup", {}));
}

TEST(EventMatch, PositionalValuesMatchTheIthVariableWhateverItsKey) {
    EXPECT_TRUE(matches("started dbus", "started", {"JOB=dbus", "INSTANCE="}));
    EXPECT_FALSE(matches("started dbus", "started", {"JOB=hal", "INSTANCE="}));
    EXPECT_FALSE(matches("started a b c", "started", {"JOB=a", "INSTANCE=b"})); // too many
}

TEST(EventMatch, NamedValuesAreGlobsAndNeedTheKey) {
    EXPECT_TRUE(matches("tty-added TTY=tty*", "tty-added", {"TTY=tty1"}));
    EXPECT_TRUE(matches("tty-added TTY=tty[0-9]", "tty-added", {"TTY=tty1"}));
    EXPECT_FALSE(matches("tty-added TTY=tty[!0-9]", "tty-added", {"TTY=tty1"}));
    EXPECT_FALSE(matches("tty-added TTY=tty1", "tty-added", {"DEV=tty1"}));
    EXPECT_TRUE(matches("stopped rc RUNLEVEL=[2345]", "stopped", {"JOB=rc", "RUNLEVEL=3"}));
}

TEST(EventMatch, NegatedValueStillNeedsTheKey) {
    EXPECT_TRUE(matches("stopped x RESULT!=ok", "stopped", {"JOB=x", "RESULT=failed"}));
    EXPECT_FALSE(matches("stopped x RESULT!=ok", "stopped", {"JOB=x", "RESULT=ok"}));
    EXPECT_FALSE(matches("stopped x RESULT!=ok", "stopped", {"JOB=x"}));
}

TEST(EventMatch, MixedPositionalThenNamed) {
    core::Environ env = {"JOB=x", "INSTANCE=", "RESULT=failed", "PROCESS=main", "EXIT_SIGNAL=SEGV"};
    EXPECT_TRUE(matches("stopping x RESULT=failed EXIT_SIGNAL=SEGV", "stopping", env));
    EXPECT_FALSE(matches("stopping x RESULT=failed EXIT_SIGNAL=TERM", "stopping", env));
}

TEST(EventMatch, DollarValuesExpandAgainstTheGivenEnvironment) {
    core::Environ inst = {"TTY=tty3"};
    EXPECT_TRUE(matches("tty-removed TTY=$TTY", "tty-removed", {"TTY=tty3"}, &inst));
    EXPECT_FALSE(matches("tty-removed TTY=$TTY", "tty-removed", {"TTY=tty4"}, &inst));
    EXPECT_TRUE(matches("tty-removed TTY=${TTY}", "tty-removed", {"TTY=tty3"}, &inst));
    // Unknown variable or no environment: no match, never an error.
    EXPECT_FALSE(matches("tty-removed TTY=$NOPE", "tty-removed", {"TTY=tty3"}, &inst));
    EXPECT_FALSE(matches("tty-removed TTY=$TTY", "tty-removed", {"TTY=tty3"}, nullptr));
}

class ExprStateTest : public ::testing::Test {
  protected:
    core::Event& emit(std::string name, core::Environ env = {}) {
        core::Event& ev = queue.emit(std::move(name), std::move(env));
        return ev;
    }
    bool offer(const core::EventExpr& expr, core::Event& ev) { return state.handle(expr, ev, queue, {}); }
    int blockers(std::uint64_t id) { return queue.find(id)->blockers; }

    core::EventQueue queue;
    core::ExprState state;
};

TEST_F(ExprStateTest, AndNeedsBothAndHoldsTheFirstMeanwhile) {
    core::EventExpr expr = parse("a-up and b-up");
    core::Event& a = emit("a-up", {"X=1"});
    EXPECT_FALSE(offer(expr, a));
    EXPECT_EQ(blockers(a.id), 1);
    core::Event& b = emit("b-up", {"Y=2"});
    EXPECT_TRUE(offer(expr, b));
    core::Environ env;
    auto ids = state.collect(expr, queue, env, "UPSTART_EVENTS");
    EXPECT_EQ(env, (core::Environ{"X=1", "Y=2", "UPSTART_EVENTS=a-up b-up"}));
    EXPECT_EQ(ids, (std::vector<std::uint64_t>{a.id, b.id}));
    state.reset(queue);
    EXPECT_EQ(blockers(a.id), 0);
    EXPECT_EQ(blockers(b.id), 0);
    EXPECT_FALSE(state.any_matched());
}

TEST_F(ExprStateTest, FirstMatchWinsUntilReset) {
    core::EventExpr expr = parse("a X=* and b");
    core::Event& a1 = emit("a", {"X=1"});
    core::Event& a2 = emit("a", {"X=2"});
    EXPECT_FALSE(offer(expr, a1));
    EXPECT_FALSE(offer(expr, a2));
    EXPECT_EQ(blockers(a2.id), 0);
    core::Event& b = emit("b");
    EXPECT_TRUE(offer(expr, b));
    core::Environ env;
    state.collect(expr, queue, env, "UPSTART_EVENTS");
    EXPECT_EQ(env.front(), "X=1");
}

TEST_F(ExprStateTest, OperandsUnderAFalseBranchDoNotContribute) {
    core::EventExpr expr = parse("(a and b) or c");
    core::Event& a = emit("a", {"A=1"});
    EXPECT_FALSE(offer(expr, a));
    core::Event& c = emit("c", {"C=1"});
    EXPECT_TRUE(offer(expr, c));
    core::Environ env;
    auto ids = state.collect(expr, queue, env, "UPSTART_EVENTS");
    EXPECT_EQ(env, (core::Environ{"C=1", "UPSTART_EVENTS=c"}));
    EXPECT_EQ(ids, (std::vector<std::uint64_t>{c.id}));
}

TEST_F(ExprStateTest, OneEventMatchingTwoOperandsCountsOnce) {
    core::EventExpr expr = parse("a or a X=1");
    core::Event& a = emit("a", {"X=1"});
    EXPECT_TRUE(offer(expr, a));
    core::Environ env;
    auto ids = state.collect(expr, queue, env, "UPSTART_EVENTS");
    EXPECT_EQ(ids.size(), 1u);
    EXPECT_EQ(env, (core::Environ{"X=1", "UPSTART_EVENTS=a"}));
    state.reset(queue);
    EXPECT_EQ(blockers(a.id), 0);
}

TEST_F(ExprStateTest, UnrelatedEventsCostNothingAndHoldNothing) {
    core::EventExpr expr = parse("a and b");
    core::Event& z = emit("z");
    EXPECT_FALSE(offer(expr, z));
    EXPECT_FALSE(state.any_matched());
    EXPECT_EQ(blockers(z.id), 0);
}

TEST_F(ExprStateTest, DeepChainIsEvaluatedWithoutRecursion) {
    std::string text = "e0";
    for (int i = 1; i < 2000; ++i) {
        text += " and e" + std::to_string(i);
    }
    core::EventExpr expr = parse(text);
    for (int i = 0; i < 2000; ++i) {
        core::Event& ev = emit("e" + std::to_string(i));
        EXPECT_EQ(offer(expr, ev), i == 1999);
    }
    core::Environ env;
    EXPECT_EQ(state.collect(expr, queue, env, "UPSTART_EVENTS").size(), 2000u);
    state.reset(queue);
}

} // namespace
