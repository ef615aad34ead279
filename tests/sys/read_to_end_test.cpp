// Tests read_to_end over the fake kernel: whole files, the bound, EINTR and read errors.
#include "sys/read_to_end.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <cerrno>

#include "fakes/fake_sys.h"

namespace {

using fakes::FakeSys;

class ReadToEndTest : public ::testing::Test {
  protected:
    int open(const std::string& path, std::string content) {
        sys.add_file(path, std::move(content));
        auto fd = sys.open(path.c_str(), O_RDONLY);
        EXPECT_TRUE(fd.has_value());
        held = std::move(fd).value();
        return held.get();
    }
    FakeSys sys;
    base::UniqueFd held;
};

TEST_F(ReadToEndTest, ReadsAWholeFileLargerThanOneBuffer) {
    std::string big(10000, 'x');
    big += "end";
    auto text = sys::read_to_end(sys, open("/f", big), 1 << 20);
    ASSERT_TRUE(text.has_value()) << text.error().message();
    EXPECT_EQ(*text, big);
}

TEST_F(ReadToEndTest, StopsAtTheBoundSoACallerCanTellTheFileIsLarger) {
    auto text = sys::read_to_end(sys, open("/f", "0123456789"), 4);
    ASSERT_TRUE(text.has_value());
    EXPECT_EQ(*text, "0123");
    auto empty = sys::read_to_end(sys, open("/g", ""), 4);
    ASSERT_TRUE(empty.has_value());
    EXPECT_EQ(*empty, "");
}

TEST_F(ReadToEndTest, RetriesEintrAndReturnsOtherErrors) {
    int fd = open("/f", "abc");
    sys.fail_next("read", EINTR);
    auto text = sys::read_to_end(sys, fd, 100);
    ASSERT_TRUE(text.has_value());
    EXPECT_EQ(*text, "abc");

    int other = open("/g", "abc");
    sys.fail_next("read", EIO);
    auto failed = sys::read_to_end(sys, other, 100);
    ASSERT_FALSE(failed.has_value());
    EXPECT_EQ(failed.error().code(), EIO);
}

} // namespace
