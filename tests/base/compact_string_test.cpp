// Tests CompactString: one pointer per string, empty without allocation, std::string's meaning.
#include "base/compact_string.h"

#include <gtest/gtest.h>
#include <sstream>

namespace {

using base::CompactString;

TEST(CompactString, IsOnePointerAndEmptyByDefault) {
    static_assert(sizeof(CompactString) == sizeof(void*));
    CompactString s;
    EXPECT_TRUE(s.empty());
    EXPECT_EQ(s.size(), 0u);
    EXPECT_STREQ(s.c_str(), "");
    EXPECT_EQ(s, "");
}

TEST(CompactString, HoldsTextWithEmbeddedNulsAndKeepsItNulTerminated) {
    std::string text("a\0b c", 5);
    CompactString s = text;
    EXPECT_FALSE(s.empty());
    EXPECT_EQ(s.size(), 5u);
    EXPECT_EQ(s.view(), text);
    EXPECT_EQ(s.str(), text);
    EXPECT_EQ(s.c_str()[5], '\0');
}

TEST(CompactString, AssigningEmptyTextFreesIt) {
    CompactString s = "/usr/sbin/daemon";
    s = std::string_view();
    EXPECT_TRUE(s.empty());
    s = "x";
    s.clear();
    EXPECT_TRUE(s.empty());
}

TEST(CompactString, CopiesAreIndependentAndMovesLeaveTheSourceEmpty) {
    CompactString a = "one";
    CompactString b = a;
    a = "two";
    EXPECT_EQ(b, "one");
    EXPECT_EQ(a, "two");
    CompactString c = std::move(a);
    EXPECT_EQ(c, "two");
    EXPECT_TRUE(a.empty()); // NOLINT(bugprone-use-after-move): a moved-from CompactString is empty
    const CompactString& same = b;
    b = same; // self-assignment keeps the text
    EXPECT_EQ(b, "one");
}

TEST(CompactString, ComparesWithEveryKindOfStringEitherWayRound) {
    CompactString s = "web";
    std::string str = "web";
    std::string_view view = "web";
    EXPECT_TRUE(s == "web");
    EXPECT_TRUE("web" == s);
    EXPECT_TRUE(s == str);
    EXPECT_TRUE(str == s);
    EXPECT_TRUE(s == view);
    EXPECT_TRUE(s == CompactString("web"));
    EXPECT_FALSE(s == "we");
    EXPECT_TRUE(s != "webs");
    EXPECT_LT(CompactString("a"), CompactString("b"));
}

TEST(CompactString, ConcatenatesAndPrintsLikeAString) {
    CompactString s = "getty";
    EXPECT_EQ(s + " (tty1)", "getty (tty1)");
    EXPECT_EQ(std::string("job ") + s, "job getty");
    EXPECT_EQ("job " + s, "job getty");
    std::ostringstream out;
    out << s;
    EXPECT_EQ(out.str(), "getty");
}

} // namespace
