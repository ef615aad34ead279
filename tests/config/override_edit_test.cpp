// Tests the override edits of startctl enable/disable: `manual` added last and only when needed,
// removed wherever the parser sees it as a stanza (not in script blocks), every other byte kept
// (comments, other stanzas and their order, CRLF line ends), and texts that do not parse refused.
#include "config/override_edit.h"

#include <gtest/gtest.h>
#include <string>

namespace {

std::string added(const std::string& text) {
    auto out = config::add_manual(text, "web.override");
    EXPECT_TRUE(out.has_value()) << (out ? "" : out.error().message());
    return out ? *out : std::string();
}

std::string removed(const std::string& text) {
    auto out = config::remove_manual(text, "web.override");
    EXPECT_TRUE(out.has_value()) << (out ? "" : out.error().message());
    return out ? *out : std::string();
}

TEST(AddManual, AnEmptyOrMissingOverrideBecomesOneManualLine) {
    EXPECT_EQ(added(""), "manual\n");
}

TEST(AddManual, AppendsAfterEveryOtherLineKeepingThemByteForByte) {
    std::string text = "# local changes\nenv X=1\nstart on runlevel [2345]\n\n  # indented comment\n";
    EXPECT_EQ(added(text), text + "manual\n");
}

TEST(AddManual, EndsAnUnterminatedLastLineFirst) {
    EXPECT_EQ(added("env X=1"), "env X=1\nmanual\n");
}

TEST(AddManual, UsesCrlfWhenTheFileDoes) {
    EXPECT_EQ(added("env X=1\r\n"), "env X=1\r\nmanual\r\n");
}

TEST(AddManual, LeavesAnOverrideThatIsAlreadyDisabledAsItIs) {
    EXPECT_EQ(added("manual\n"), "manual\n");
    EXPECT_EQ(added("start on startup\nmanual # off\nenv X=1\n"),
              "start on startup\nmanual # off\nenv X=1\n");
}

TEST(AddManual, AddsAgainWhenAStartOnAfterTheManualWouldWin) {
    EXPECT_EQ(added("manual\nstart on startup\n"), "manual\nstart on startup\nmanual\n");
}

TEST(AddManual, AManualInAScriptBlockDisablesNothingSoOneIsAdded) {
    std::string text = "pre-start script\n  manual\nend script\n";
    EXPECT_EQ(added(text), text + "manual\n");
}

TEST(AddManual, RefusesAnOverrideThatDoesNotParseWithTheParsersMessage) {
    auto out = config::add_manual("env X=1\nfrobnicate\n", "web.override");
    ASSERT_FALSE(out.has_value());
    EXPECT_NE(out.error().message().find("web.override:2:1: Unknown stanza"), std::string::npos)
        << out.error().message();
}

TEST(AddManual, RefusesALastLineContinuedWithABackslash) {
    auto out = config::add_manual("exec echo hi \\\n", "web.override");
    ASSERT_FALSE(out.has_value());
    EXPECT_NE(out.error().message().find("continued"), std::string::npos) << out.error().message();
}

TEST(RemoveManual, RemovesTheManualLineAndKeepsEverythingElse) {
    EXPECT_EQ(removed("# keep me\nenv X=1\nmanual\nstart on startup\n"),
              "# keep me\nenv X=1\nstart on startup\n");
}

TEST(RemoveManual, ALineWithBlanksAndACommentAfterManualGoesWhole) {
    EXPECT_EQ(removed("env X=1\n  manual \t # disabled by ops\nenv Y=2\n"), "env X=1\nenv Y=2\n");
}

TEST(RemoveManual, RemovesEveryManualLine) {
    EXPECT_EQ(removed("manual\nenv X=1\nmanual\nmanual\n"), "env X=1\n");
}

TEST(RemoveManual, AManualOnTheLastLineWithoutANewlineGoes) {
    EXPECT_EQ(removed("env X=1\nmanual"), "env X=1\n");
}

TEST(RemoveManual, KeepsCrlfLineEnds) {
    EXPECT_EQ(removed("env X=1\r\nmanual\r\nenv Y=2\r\n"), "env X=1\r\nenv Y=2\r\n");
}

TEST(RemoveManual, AManualSharingItsLineWithAnotherStanzaLosesTheWordOnly) {
    EXPECT_EQ(removed("manual start on startup\n"), "start on startup\n");
}

TEST(RemoveManual, AManualInsideAScriptBlockIsShellAndStays) {
    std::string text = "post-stop script\n  manual\nend script\n";
    EXPECT_EQ(removed(text), text);
}

TEST(RemoveManual, AnOverrideWithoutManualIsUnchanged) {
    EXPECT_EQ(removed("env X=1\n# manual\n"), "env X=1\n# manual\n");
}

TEST(RemoveManual, RefusesAnOverrideThatDoesNotParse) {
    auto out = config::remove_manual("manual\nstart on\n", "web.override");
    ASSERT_FALSE(out.has_value());
    EXPECT_NE(out.error().message().find("web.override:2"), std::string::npos) << out.error().message();
}

TEST(RemoveManual, UndoesAddManual) {
    for (std::string text : {"", "env X=1\n", "# c\r\nstart on startup\r\n", "manual\nstart on a\n"}) {
        SCOPED_TRACE(text);
        auto with = config::add_manual(text, "o");
        ASSERT_TRUE(with.has_value());
        auto without = config::remove_manual(*with, "o");
        ASSERT_TRUE(without.has_value());
        // The round trip removes every manual, including one that was there before.
        EXPECT_EQ(*without, removed(text));
    }
}

TEST(IsBlank, OnlyWhitespaceIsBlankAndACommentIsNot) {
    EXPECT_TRUE(config::is_blank(""));
    EXPECT_TRUE(config::is_blank(" \n\t\r\n"));
    EXPECT_FALSE(config::is_blank("# mine\n"));
    EXPECT_FALSE(config::is_blank("env X=1\n"));
}

} // namespace
