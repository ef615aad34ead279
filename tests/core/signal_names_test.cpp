// Tests the signal name table: Upstart spellings, the optional SIG prefix, aliases and numbers.
#include "core/signal_names.h"

#include <gtest/gtest.h>

#include <csignal>

namespace {

using core::signal_from_name;
using core::signal_name;

TEST(SignalFromName, ReadsNamesWithoutThePrefix) {
    EXPECT_EQ(signal_from_name("TERM"), SIGTERM);
    EXPECT_EQ(signal_from_name("HUP"), SIGHUP);
    EXPECT_EQ(signal_from_name("KILL"), SIGKILL);
    EXPECT_EQ(signal_from_name("USR1"), SIGUSR1);
}

TEST(SignalFromName, ReadsNamesWithTheSigPrefix) {
    EXPECT_EQ(signal_from_name("SIGTERM"), SIGTERM);
    EXPECT_EQ(signal_from_name("SIGWINCH"), SIGWINCH);
}

TEST(SignalFromName, IsCaseSensitive) {
    EXPECT_EQ(signal_from_name("term"), std::nullopt);
    EXPECT_EQ(signal_from_name("Term"), std::nullopt);
    EXPECT_EQ(signal_from_name("sigterm"), std::nullopt);
    EXPECT_EQ(signal_from_name("SIGterm"), std::nullopt);
}

TEST(SignalFromName, RejectsUnknownNamesNumbersAndEmptyText) {
    EXPECT_EQ(signal_from_name("FOO"), std::nullopt);
    EXPECT_EQ(signal_from_name("SIG"), std::nullopt);
    EXPECT_EQ(signal_from_name(""), std::nullopt);
    EXPECT_EQ(signal_from_name("15"), std::nullopt);
    EXPECT_EQ(signal_from_name("SIGSIGTERM"), std::nullopt);
    EXPECT_EQ(signal_from_name("TERM "), std::nullopt);
}

TEST(SignalFromName, AcceptsTheAliases) {
    EXPECT_EQ(signal_from_name("IOT"), SIGABRT);
    EXPECT_EQ(signal_from_name("CLD"), SIGCHLD);
    EXPECT_EQ(signal_from_name("SIGPOLL"), SIGIO);
}

TEST(SignalName, UsesThePrimaryNameForAliasedNumbers) {
    EXPECT_EQ(signal_name(SIGABRT), "ABRT");
    EXPECT_EQ(signal_name(SIGCHLD), "CHLD");
    EXPECT_EQ(signal_name(SIGIO), "IO");
}

TEST(SignalName, WritesANumberWithoutANameAsDecimal) {
    EXPECT_EQ(signal_name(0), "0");
    EXPECT_EQ(signal_name(99), "99");
    EXPECT_EQ(signal_name(-1), "-1");
}

TEST(SignalName, EveryStandardSignalRoundTripsThroughItsName) {
    for (int sig = 1; sig <= 31; ++sig) {
        std::string name = signal_name(sig);
        EXPECT_NE(name, std::to_string(sig)) << "signal " << sig << " has no name";
        EXPECT_EQ(signal_from_name(name), sig) << name;
        EXPECT_EQ(signal_from_name("SIG" + name), sig) << name;
    }
}

} // namespace
