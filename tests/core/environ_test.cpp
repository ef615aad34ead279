// Tests environment tables and Upstart-compatible `$VAR` expansion.
#include "core/environ.h"

#include <gtest/gtest.h>

namespace {

using core::Environ;
using core::env_expand;

std::string expand_ok(std::string_view text, const Environ& env) {
    auto r = env_expand(text, env);
    EXPECT_TRUE(r.has_value()) << text << ": " << (r ? "" : r.error().message());
    return r ? *r : "<error>";
}

std::string expand_err(std::string_view text, const Environ& env) {
    auto r = env_expand(text, env);
    EXPECT_FALSE(r.has_value()) << text;
    return r ? "<ok>" : r.error().message();
}

const Environ env = {"FOO=frodo", "BAR=bilbo", "EMPTY=", "PTR=FOO"};

TEST(EnvGet, MatchesWholeKeysOnly) {
    Environ e = {"FOOBAR=1", "FOO=2"};
    EXPECT_EQ(core::env_get(e, "FOO"), "2");
    EXPECT_EQ(core::env_get(e, "FO"), std::nullopt);
    EXPECT_EQ(core::env_get(e, "FOOBARBAZ"), std::nullopt);
}

TEST(EnvSet, ReplacesInPlaceAndAppendsNewKeys) {
    Environ e = {"A=1", "B=2"};
    core::env_set(e, "A=3");
    core::env_set(e, "C=4");
    EXPECT_EQ(e, (Environ{"A=3", "B=2", "C=4"}));
    EXPECT_TRUE(core::env_unset(e, "B"));
    EXPECT_FALSE(core::env_unset(e, "B"));
    EXPECT_EQ(e, (Environ{"A=3", "C=4"}));
}

TEST(EnvApplyStanza, BareNameCopiesFromOuterEnvironment) {
    Environ e;
    core::env_apply_stanza(e, "HOME", Environ{"HOME=/root"});
    EXPECT_EQ(e, (Environ{"HOME=/root"}));
}

TEST(EnvApplyStanza, BareNameMissingOutsideRemovesTheEarlierValue) {
    Environ e = {"LANG=C"};
    core::env_apply_stanza(e, "LANG", Environ{});
    EXPECT_TRUE(e.empty());
}

TEST(EnvExpand, SimpleAndBracedReferences) {
    EXPECT_EQ(expand_ok("$FOO and ${BAR}", env), "frodo and bilbo");
    EXPECT_EQ(expand_ok("tty$FOO.x", env), "ttyfrodo.x");
}

TEST(EnvExpand, DefaultAndAlternativeOperators) {
    EXPECT_EQ(expand_ok("${MISSING-def}", env), "def");
    EXPECT_EQ(expand_ok("${EMPTY-def}", env), "");
    EXPECT_EQ(expand_ok("${EMPTY:-def}", env), "def");
    EXPECT_EQ(expand_ok("${FOO:-def}", env), "frodo");
    EXPECT_EQ(expand_ok("${FOO+alt}", env), "alt");
    EXPECT_EQ(expand_ok("${EMPTY+alt}", env), "alt");
    EXPECT_EQ(expand_ok("${EMPTY:+alt}", env), "");
    EXPECT_EQ(expand_ok("${MISSING+alt}", env), "");
}

TEST(EnvExpand, ReferencesInsideDefaultsAndNames) {
    EXPECT_EQ(expand_ok("${MISSING:-$BAR}", env), "bilbo");
    EXPECT_EQ(expand_ok("${${PTR}}", env), "frodo");
}

TEST(EnvExpand, LoneDollarAndEmptyBracesAreLiteral) {
    EXPECT_EQ(expand_ok("cost $ 5", env), "cost $ 5");
    EXPECT_EQ(expand_ok("end$", env), "end$");
    EXPECT_EQ(expand_ok("${}", env), "$");
}

TEST(EnvExpand, UnknownParameterIsNamed) {
    EXPECT_EQ(expand_err("$TTY", env), "Unknown parameter: TTY");
    EXPECT_EQ(expand_err("${TTY}", env), "Unknown parameter: TTY");
}

TEST(EnvExpand, MalformedBracesAndOperatorsAreErrors) {
    EXPECT_EQ(expand_err("${FOO", env), "Mismatched braces");
    EXPECT_EQ(expand_err("${FOO:x}", env), "Expected operator");
}

TEST(EnvExpand, DeepNestingIsAnErrorNotACrash) {
    std::string deep;
    for (int i = 0; i < 10000; ++i) {
        deep += "${X:-";
    }
    deep += "v" + std::string(10000, '}');
    EXPECT_EQ(expand_err(deep, env), "Mismatched braces");
}

} // namespace
