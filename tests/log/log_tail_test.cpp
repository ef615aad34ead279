// Tests reading a log's last lines: counts, a last line without its newline, the byte bound, and
// a log that does not exist yet.
#include "fakes/fake_sys.h"
#include "log/log_tail.h"

#include <gtest/gtest.h>

namespace {

class LogTailTest : public ::testing::Test {
  protected:
    LogTailTest() { fake.add_dir("/log"); }
    void write(const std::string& text) {
        auto fd = fake.open("/log/web.log", O_WRONLY | O_CREAT | O_TRUNC, 0640);
        ASSERT_TRUE(fd.has_value());
        ASSERT_TRUE(fake.write(fd->get(), text.data(), text.size()).has_value());
    }
    std::string tail(std::optional<std::size_t> lines, std::size_t max = 1 << 20) {
        auto t = joblog::read_tail(fake, "/log/web.log", lines, max);
        EXPECT_TRUE(t.has_value());
        return t ? *t : std::string("<error>");
    }
    fakes::FakeSys fake;
};

TEST_F(LogTailTest, TheLastNLines) {
    write("a\nb\nc\n");
    EXPECT_EQ(tail(2), "b\nc\n");
    EXPECT_EQ(tail(3), "a\nb\nc\n");
    EXPECT_EQ(tail(10), "a\nb\nc\n");
    EXPECT_EQ(tail(0), "");
    EXPECT_EQ(tail(std::nullopt), "a\nb\nc\n");
}

TEST_F(LogTailTest, ALastLineWithoutItsNewlineCounts) {
    write("a\nb\nc");
    EXPECT_EQ(tail(2), "b\nc");
}

TEST_F(LogTailTest, LinesAcrossManyChunksAreFound) {
    std::string text;
    for (int i = 0; i < 50000; ++i) {
        text += "line " + std::to_string(i) + "\n";
    }
    write(text);
    EXPECT_EQ(tail(2), "line 49998\nline 49999\n");
    std::string last = tail(30000);
    EXPECT_EQ(std::count(last.begin(), last.end(), '\n'), 30000);
    EXPECT_TRUE(last.starts_with("line 20000\n"));
}

TEST_F(LogTailTest, TheByteBoundKeepsWholeLinesOnly) {
    write("first line\nsecond\nthird\n");
    EXPECT_EQ(tail(std::nullopt, 10), "third\n");
    EXPECT_EQ(tail(3, 14), "second\nthird\n") << "the newline before them is within the bound";
}

TEST_F(LogTailTest, ALogThatDoesNotExistIsEmpty) {
    auto t = joblog::read_tail(fake, "/log/none.log", 10, 100);
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(*t, "");
}

} // namespace
