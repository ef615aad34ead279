// Tests parse_command_line: getopt_long's conventions (values attached or next, bundles,
// abbreviations, `--`, options among operands) and the error for each kind of mistake.
#include "base/option_parser.h"

#include <array>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace {

enum { Config, Socket, System, Session, Quiet, NoWait, Json };

constexpr std::array<base::OptionSpec, 7> specs = {{
    {Config, 'c', "config", true},
    {Socket, '\0', "socket", true},
    {System, '\0', "system", false},
    {Session, '\0', "session", false},
    {Quiet, 'q', "quiet", false},
    {NoWait, 'n', "no-wait", false},
    {Json, '\0', "json", false},
}};

base::Result<base::CommandLine> parse(const std::vector<const char*>& args) {
    std::vector<const char*> argv{"prog"};
    argv.insert(argv.end(), args.begin(), args.end());
    return base::parse_command_line(specs, static_cast<int>(argv.size()), argv.data());
}

// "id=value" for each option, in order ("id" alone for a flag).
std::vector<std::string> summary(const base::CommandLine& line) {
    std::vector<std::string> out;
    for (const base::ParsedOption& o : line.options) {
        out.push_back(std::to_string(o.id) + (o.value ? "=" + *o.value : ""));
    }
    return out;
}

using Strings = std::vector<std::string>;

TEST(OptionParser, LongOptionValueNextOrAfterEquals) {
    auto line = parse({"--config", "/a", "--socket=/b", "--config=", "--socket=x=y"});
    ASSERT_TRUE(line.has_value()) << line.error().message();
    EXPECT_EQ(summary(*line), (Strings{"0=/a", "1=/b", "0=", "1=x=y"}));
    EXPECT_EQ(line->options[0].spelling, "--config");
}

TEST(OptionParser, ShortOptionsBundleAndTakeAttachedOrNextValue) {
    auto line = parse({"-qn", "-c/etc/x", "-qcDIR", "-nc", "next"});
    ASSERT_TRUE(line.has_value()) << line.error().message();
    EXPECT_EQ(summary(*line), (Strings{"4", "5", "0=/etc/x", "4", "0=DIR", "5", "0=next"}));
    EXPECT_TRUE(line->operands.empty());
}

TEST(OptionParser, ValueIsTakenEvenWhenItLooksLikeAnOption) {
    auto line = parse({"--socket", "-q", "-c", "--json"});
    ASSERT_TRUE(line.has_value()) << line.error().message();
    EXPECT_EQ(summary(*line), (Strings{"1=-q", "0=--json"}));
}

TEST(OptionParser, OptionsMayComeAnywhereAndDoubleDashEndsThem) {
    auto line = parse({"start", "-q", "web", "-", "--", "-x", "--json"});
    ASSERT_TRUE(line.has_value()) << line.error().message();
    EXPECT_EQ(summary(*line), (Strings{"4"}));
    EXPECT_EQ(line->operands, (Strings{"start", "web", "-", "-x", "--json"}));
}

TEST(OptionParser, UnambiguousPrefixesNameTheirOption) {
    auto line = parse({"--no-w", "--j", "--sy", "--se", "--conf=/c"});
    ASSERT_TRUE(line.has_value()) << line.error().message();
    EXPECT_EQ(summary(*line), (Strings{"5", "6", "2", "3", "0=/c"}));
    EXPECT_EQ(line->options[0].spelling, "--no-wait");
}

TEST(OptionParser, ExactNameWinsOverALongerOne) {
    constexpr std::array<base::OptionSpec, 2> two = {{{0, '\0', "log", false}, {1, '\0', "log-dir", true}}};
    const char* argv[] = {"prog", "--log"};
    auto line = base::parse_command_line(two, 2, argv);
    ASSERT_TRUE(line.has_value()) << line.error().message();
    EXPECT_EQ(summary(*line), (Strings{"0"}));
}

TEST(OptionParser, ErrorsNameTheOption) {
    struct Case {
        std::vector<const char*> args;
        std::string message;
    };
    const Case cases[] = {
        {{"--frobnicate"}, "invalid option: --frobnicate"},
        {{"--frob=1"}, "invalid option: --frob"},
        {{"-qx"}, "invalid option: -x"},
        {{"--s"}, "option --s is ambiguous (--socket, --system, --session)"},
        {{"list", "--socket"}, "option --socket needs a value"},
        {{"-qc"}, "option -c needs a value"},
        {{"--json=yes"}, "option --json takes no value"},
        {{"--"}, ""},
    };
    for (const Case& c : cases) {
        auto line = parse(c.args);
        if (c.message.empty()) {
            EXPECT_TRUE(line.has_value());
            continue;
        }
        ASSERT_FALSE(line.has_value()) << c.message;
        EXPECT_EQ(line.error().message(), c.message);
    }
}

} // namespace
