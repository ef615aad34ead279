// Tests console-log files: names, timestamps, line assembly, and drop-and-count on failure.
#include "log/job_log.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace {

std::string read_all(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

class JobLogTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/startd-joblog-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
    }
    void TearDown() override {
        std::string cmd = "rm -rf '" + dir + "'";
        ASSERT_EQ(std::system(cmd.c_str()), 0);
    }
    std::string dir;
};

constexpr std::int64_t t0 = 1764037801; // 2025-11-25T02:30:01Z

TEST(LogFileName, SlashesBecomeUnderscoresAndInstancesAreSuffixed) {
    EXPECT_EQ(joblog::log_file_name("web", ""), "web.log");
    EXPECT_EQ(joblog::log_file_name("getty", "tty1"), "getty-tty1.log");
    EXPECT_EQ(joblog::log_file_name("foo/bar", "a/b"), "foo_bar-a_b.log");
}

TEST(TimestampPrefix, IsUtcIso8601) { EXPECT_EQ(joblog::timestamp_prefix(t0), "2025-11-25T02:30:01Z "); }

TEST_F(JobLogTest, CompleteLinesAreWrittenWithTimestampsAndPartialOnesWait) {
    joblog::JobLog log(sys::real_sys(), dir + "/web.log");
    log.append("hello\nwor", t0);
    EXPECT_EQ(read_all(dir + "/web.log"), "2025-11-25T02:30:01Z hello\n");
    log.append("ld\n", t0 + 1);
    EXPECT_EQ(read_all(dir + "/web.log"), "2025-11-25T02:30:01Z hello\n2025-11-25T02:30:02Z world\n");
    log.append("no newline", t0 + 2);
    log.flush(t0 + 3);
    EXPECT_NE(read_all(dir + "/web.log").find("2025-11-25T02:30:04Z no newline\n"), std::string::npos);
    EXPECT_EQ(log.dropped_bytes(), 0u);
}

TEST_F(JobLogTest, FileIsCreatedOnlyWhenThereIsOutputWithMode0640) {
    joblog::JobLog log(sys::real_sys(), dir + "/quiet.log");
    struct stat st {};
    EXPECT_NE(::stat((dir + "/quiet.log").c_str(), &st), 0);
    log.append("x\n", t0);
    ASSERT_EQ(::stat((dir + "/quiet.log").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640u & ~static_cast<unsigned>(::umask(022)));
}

TEST_F(JobLogTest, OutputThatCannotBeWrittenIsDroppedAndCounted) {
    joblog::JobLog log(sys::real_sys(), dir + "/missing-dir/web.log");
    log.append("lost line\n", t0);
    EXPECT_EQ(log.dropped_bytes(), 10u);
    EXPECT_EQ(log.written_bytes(), 0u);
}

TEST_F(JobLogTest, OverlongLineIsWrittenInPiecesNotHeldForever) {
    joblog::JobLog log(sys::real_sys(), dir + "/flood.log");
    log.append(std::string(joblog::JobLog::max_line + 10, 'x'), t0);
    EXPECT_GE(log.written_bytes(), joblog::JobLog::max_line);
}

} // namespace
