// Tests startctl's command line: command from argv[0] or the first word, options anywhere,
// values, and errors that name the bad option.
#include "cli/options.h"

#include <gtest/gtest.h>
#include <initializer_list>

namespace {

base::Result<cli::Options> parse(std::initializer_list<const char*> args) {
    std::vector<const char*> argv(args);
    return cli::parse_options(static_cast<int>(argv.size()), argv.data());
}

TEST(CliOptions, CommandIsTheFirstWordAndOptionsMayComeAnywhere) {
    auto o = parse({"/usr/bin/startctl", "emit", "tty-added", "--no-wait", "TTY=tty1"});
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ(o->prog, "startctl");
    EXPECT_EQ(o->command, "emit");
    EXPECT_EQ(o->args, (std::vector<std::string>{"tty-added", "TTY=tty1"}));
    EXPECT_TRUE(o->no_wait);
}

TEST(CliOptions, AliasNameIsTheCommand) {
    auto o = parse({"/sbin/start", "getty", "TTY=tty1"});
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ(o->command, "start");
    EXPECT_EQ(o->args, (std::vector<std::string>{"getty", "TTY=tty1"}));
}

TEST(CliOptions, EnvCommandFlags) {
    auto o = parse({"startctl", "set-env", "-g", "-r", "A=1", "B"});
    ASSERT_TRUE(o.has_value());
    EXPECT_TRUE(o->global);
    EXPECT_TRUE(o->retain);
    EXPECT_EQ(o->args, (std::vector<std::string>{"A=1", "B"}));
    auto l = parse({"startctl", "--global", "list-env"});
    ASSERT_TRUE(l.has_value());
    EXPECT_TRUE(l->global);
    EXPECT_FALSE(l->retain);
}

TEST(CliOptions, SocketAndConfigTakeValues) {
    auto o = parse({"startctl", "--socket", "/tmp/s", "-c", "/etc/x", "list"});
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ(o->socket.value_or(""), "/tmp/s");
    EXPECT_EQ(o->config_dir.value_or(""), "/etc/x");
    auto eq = parse({"startctl", "--socket=/tmp/t", "list"});
    ASSERT_TRUE(eq.has_value());
    EXPECT_EQ(eq->socket.value_or(""), "/tmp/t");
}

TEST(CliOptions, DoubleDashEndsOptions) {
    auto o = parse({"startctl", "emit", "--", "-weird-", "K=V"});
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ(o->args, (std::vector<std::string>{"-weird-", "K=V"}));
}

TEST(CliOptions, ErrorsNameTheOption) {
    auto bad = parse({"startctl", "--frobnicate", "list"});
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().message(), "invalid option: --frobnicate");
    auto missing = parse({"startctl", "list", "--socket"});
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().message(), "option --socket needs a value");
}

} // namespace
