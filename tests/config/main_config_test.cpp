// Tests startd.conf's reading and rewriting under Postfix's main.cf rules: comments, blank lines,
// continuation lines, last definition wins, clear errors with file:line, and changes that keep
// every other line byte for byte.
#include "config/main_config.h"

#include <gtest/gtest.h>

namespace {

using config::MainConfig;

MainConfig parsed(std::string_view text) {
    auto cfg = MainConfig::parse(text, "/etc/startd/startd.conf");
    EXPECT_TRUE(cfg.has_value()) << cfg.error().message();
    return cfg ? std::move(cfg).value() : MainConfig::parse("", "x").value();
}

TEST(MainConfig, ReadsNameEqualsValueWithPostfixRules) {
    MainConfig cfg = parsed("# the default instance\n"
                            "\n"
                            "multi_instance_enable=yes\n"
                            "multi_instance_directories = /etc/startd-a\n"
                            "   /etc/startd-b,\n"
                            "\t/etc/startd-c   \n"
                            "   # an indented comment\n"
                            "multi_instance_name = web # not a comment\n"
                            "multi_instance_name = mail\n"
                            "empty =\n");
    EXPECT_EQ(cfg.get("multi_instance_enable"), "yes");
    EXPECT_EQ(cfg.get("multi_instance_directories"), "/etc/startd-a /etc/startd-b, /etc/startd-c");
    EXPECT_EQ(cfg.get("multi_instance_name"), "mail") << "the last definition wins";
    EXPECT_EQ(cfg.get("empty"), "");
    EXPECT_FALSE(cfg.get("multi_instance_group").has_value());
}

TEST(MainConfig, BadLinesAreErrorsNamingFileAndLine) {
    struct Case {
        const char* text;
        const char* expected;
    };
    for (const Case& c :
         {Case{"a = 1\n\n  continued\n", "/etc/startd/startd.conf:3: indented line continues no"},
          Case{"  x = 1\n", "/etc/startd/startd.conf:1: indented line"},
          Case{"a = 1\nno equals sign\n", "/etc/startd/startd.conf:2: expected `name = value', got "
                                          "'no equals sign'"},
          Case{"= 3\n", "/etc/startd/startd.conf:1: missing parameter name"},
          Case{"two words = 3\n", "/etc/startd/startd.conf:1: bad parameter name 'two words'"}}) {
        SCOPED_TRACE(c.text);
        auto cfg = MainConfig::parse(c.text, "/etc/startd/startd.conf");
        ASSERT_FALSE(cfg.has_value());
        EXPECT_EQ(cfg.error().message().rfind(c.expected, 0), 0u) << cfg.error().message();
    }
}

TEST(MainConfig, SetReplacesTheLastDefinitionAndKeepsEveryOtherByte) {
    std::string text = "# keep me\r\n"
                       "unknown_param   =  odd   spacing\n"
                       "multi_instance_enable = no\n"
                       "multi_instance_directories = /a\n"
                       "    /b\n"
                       "multi_instance_enable = no\n"
                       "\n";
    MainConfig cfg = parsed(text);
    EXPECT_EQ(cfg.render(), text) << "unchanged, it renders as read";
    cfg.set("multi_instance_enable", "yes");
    cfg.set("multi_instance_directories", "/a /b /c");
    cfg.set("multi_instance_group", "web");
    EXPECT_EQ(cfg.render(), "# keep me\r\n"
                            "unknown_param   =  odd   spacing\n"
                            "multi_instance_directories = /a /b /c\n"
                            "multi_instance_enable = yes\n"
                            "\n"
                            "multi_instance_group = web\n");
    cfg.erase("multi_instance_group");
    cfg.erase("unknown_param");
    EXPECT_EQ(cfg.render(), "# keep me\r\n"
                            "multi_instance_directories = /a /b /c\n"
                            "multi_instance_enable = yes\n"
                            "\n");
}

TEST(MainConfig, ALastLineWithoutANewlineStaysWellFormed) {
    MainConfig cfg = parsed("a = 1");
    cfg.set("b", "2");
    EXPECT_EQ(cfg.render(), "a = 1\nb = 2\n");
    MainConfig same = parsed("a = 1");
    same.set("a", "3");
    EXPECT_EQ(same.render(), "a = 3");
}

TEST(MainConfig, YesNoAndLists) {
    EXPECT_EQ(config::parse_yes_no("YES", "x").value(), true);
    EXPECT_EQ(config::parse_yes_no("no", "x").value(), false);
    auto bad = config::parse_yes_no("true", "startd.conf: multi_instance_enable");
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().message(), "startd.conf: multi_instance_enable: expected yes or no, got 'true'");
    EXPECT_EQ(config::split_list(" /a,/b  ,, /c\t"), (std::vector<std::string>{"/a", "/b", "/c"}));
    EXPECT_TRUE(config::split_list("").empty());
}

} // namespace
