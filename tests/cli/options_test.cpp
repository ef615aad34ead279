// Tests startctl's command line: command from argv[0] or the first word, options anywhere,
// values, getopt_long's spellings (--opt=VALUE, -cDIR, bundles, abbreviations) beside every
// spelling startctl accepted before, and errors that name the bad option.
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

TEST(CliOptions, EveryEarlierSpellingStillWorks) {
    auto o = parse({"startctl", "-c",          "/c",          "--config", "/d",        "--config=/e",
                    "--socket", "/s",          "--socket=/t", "-n",       "--no-wait", "--json",
                    "-q",       "--quiet",     "-g",          "--global", "-r",        "--retain",
                    "-e",       "--enumerate", "--user",      "list"});
    ASSERT_TRUE(o.has_value()) << o.error().message();
    EXPECT_EQ(o->config_dir.value_or(""), "/e");
    EXPECT_EQ(o->socket.value_or(""), "/t");
    EXPECT_TRUE(o->no_wait && o->json && o->quiet && o->global && o->retain && o->enumerate);
    EXPECT_EQ(o->mode, control::Mode::User);
    EXPECT_EQ(o->command, "list");
    for (const char* mode : {"--session", "--system", "-h", "--help", "--version"}) {
        auto m = parse({"startctl", mode});
        ASSERT_TRUE(m.has_value()) << mode << ": " << m.error().message();
    }
    EXPECT_EQ(parse({"startctl", "--session"})->mode, control::Mode::User);
    EXPECT_EQ(parse({"startctl", "--system"})->mode, control::Mode::System);
    EXPECT_TRUE(parse({"startctl", "-h"})->help);
    EXPECT_TRUE(parse({"startctl", "--version"})->version);
}

TEST(CliOptions, GetoptLongSpellings) {
    auto o = parse({"/sbin/initctl", "-nqcDIR", "emit", "--sock=/run/x", "--js", "ev", "K=V"});
    ASSERT_TRUE(o.has_value()) << o.error().message();
    EXPECT_EQ(o->prog, "initctl");
    EXPECT_TRUE(o->no_wait);
    EXPECT_TRUE(o->quiet);
    EXPECT_TRUE(o->json);
    EXPECT_EQ(o->config_dir.value_or(""), "DIR");
    EXPECT_EQ(o->socket.value_or(""), "/run/x");
    EXPECT_EQ(o->command, "emit");
    EXPECT_EQ(o->args, (std::vector<std::string>{"ev", "K=V"}));
    auto g = parse({"startctl", "set-env", "-gr", "A=1"});
    ASSERT_TRUE(g.has_value());
    EXPECT_TRUE(g->global && g->retain);
    auto c = parse({"startctl", "-c/etc/y", "list"});
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->config_dir.value_or(""), "/etc/y");
}

TEST(CliOptions, ShortBundleErrorsNameTheLetter) {
    auto bad = parse({"startctl", "-nx", "list"});
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().message(), "invalid option: -x");
    auto ambiguous = parse({"startctl", "--s", "list"});
    ASSERT_FALSE(ambiguous.has_value());
    EXPECT_EQ(ambiguous.error().message(), "option --s is ambiguous (--socket, --session, --system, --svg, --since)");
    auto value = parse({"startctl", "--quiet=yes", "list"});
    ASSERT_FALSE(value.has_value());
    EXPECT_EQ(value.error().message(), "option --quiet takes no value");
}

TEST(CliOptions, NoCommandIsEmpty) {
    auto o = parse({"startctl", "-q"});
    ASSERT_TRUE(o.has_value());
    EXPECT_TRUE(o->command.empty());
    EXPECT_FALSE(o->help);
}

TEST(CliOptions, LogReadsDashNAsTheNumberOfLinesAsTailDoes) {
    auto o = parse({"startctl", "log", "web", "-n", "5", "-f", "TTY=tty1"});
    ASSERT_TRUE(o.has_value()) << o.error().message();
    EXPECT_EQ(o->command, "log");
    EXPECT_EQ(o->lines, std::optional<std::size_t>(5));
    EXPECT_TRUE(o->follow);
    EXPECT_FALSE(o->no_wait);
    EXPECT_EQ(o->args, (std::vector<std::string>{"web", "TTY=tty1"}));
    auto bundled = parse({"startctl", "log", "-fn20", "web"});
    ASSERT_TRUE(bundled.has_value());
    EXPECT_EQ(bundled->lines, std::optional<std::size_t>(20));
    auto attached = parse({"startctl", "log", "-n5", "web"});
    ASSERT_TRUE(attached.has_value()) << attached.error().message();
    EXPECT_EQ(attached->lines, std::optional<std::size_t>(5));
    auto other = parse({"startctl", "start", "-n", "web"});
    ASSERT_TRUE(other.has_value());
    EXPECT_TRUE(other->no_wait) << "elsewhere -n is still --no-wait";
    EXPECT_FALSE(other->lines.has_value());
}

TEST(CliOptions, ABadLineCountIsNamed) {
    auto o = parse({"startctl", "log", "web", "-n", "ten"});
    ASSERT_FALSE(o.has_value());
    EXPECT_EQ(o.error().message(), "option -n needs a number of lines, not 'ten'");
}

} // namespace

namespace {

TEST(CliOptions, AfterInstanceMinusGIsAGroupAndTheLifeCycleOptionsTakeValues) {
    auto o = parse({"startctl", "--user", "instance", "stop", "-g", "web"});
    ASSERT_TRUE(o.has_value()) << o.error().message();
    EXPECT_EQ(o->command, "instance");
    EXPECT_EQ(o->args, (std::vector<std::string>{"stop"}));
    EXPECT_EQ(o->group, "web");
    EXPECT_FALSE(o->global);
    EXPECT_EQ(o->mode, control::Mode::User);

    auto c = parse({"startctl", "instance", "create", "-I", "mail", "-Gmta", "/etc/startd-mail"});
    ASSERT_TRUE(c.has_value()) << c.error().message();
    EXPECT_EQ(c->args, (std::vector<std::string>{"create", "/etc/startd-mail"}));
    EXPECT_EQ(c->new_name, "mail");
    EXPECT_EQ(c->new_group, "mta");

    auto before = parse({"startctl", "-c", "/etc/startd-b", "-i", "b", "instance", "--json", "list"});
    ASSERT_TRUE(before.has_value()) << before.error().message();
    EXPECT_EQ(before->config_dir, "/etc/startd-b");
    EXPECT_EQ(before->instance_name, "b");
    EXPECT_TRUE(before->json);
    EXPECT_EQ(before->args, (std::vector<std::string>{"list"}));
}

TEST(CliOptions, MinusIBeforeAnyCommandNamesAnInstanceAndMinusGStaysGlobalElsewhere) {
    auto o = parse({"startctl", "-i", "mail", "status", "postfix"});
    ASSERT_TRUE(o.has_value()) << o.error().message();
    EXPECT_EQ(o->instance_name, "mail");
    EXPECT_EQ(o->command, "status");
    EXPECT_EQ(o->args, (std::vector<std::string>{"postfix"}));
    auto env = parse({"startctl", "-g", "list-env"});
    ASSERT_TRUE(env.has_value());
    EXPECT_TRUE(env->global);
    EXPECT_EQ(env->command, "list-env");
    // A value that looks like the word `instance` is a value, not the command.
    auto value = parse({"startctl", "--socket", "instance", "list"});
    ASSERT_TRUE(value.has_value());
    EXPECT_EQ(value->command, "list");
    EXPECT_EQ(value->socket, "instance");
}

TEST(CliOptions, InstanceOptionsAreRefusedByName) {
    auto o = parse({"startctl", "instance", "start", "--now"});
    ASSERT_FALSE(o.has_value());
    EXPECT_NE(o.error().message().find("--now"), std::string::npos) << o.error().message();
    auto g = parse({"startctl", "instance", "stop", "-g"});
    ASSERT_FALSE(g.has_value());
    EXPECT_NE(g.error().message().find("-g"), std::string::npos) << g.error().message();
}

} // namespace
