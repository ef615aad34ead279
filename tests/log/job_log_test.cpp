// Tests console-log files: names, timestamps, line assembly, and drop-and-count on failure.
#include "log/job_log.h"
#include "fakes/fake_sys.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
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
    std::string pending;
    log.append(pending, "hello\nwor", t0);
    EXPECT_EQ(read_all(dir + "/web.log"), "2025-11-25T02:30:01Z hello\n");
    log.append(pending, "ld\n", t0 + 1);
    EXPECT_EQ(read_all(dir + "/web.log"), "2025-11-25T02:30:01Z hello\n2025-11-25T02:30:02Z world\n");
    log.append(pending, "no newline", t0 + 2);
    log.flush(pending, t0 + 3);
    EXPECT_NE(read_all(dir + "/web.log").find("2025-11-25T02:30:04Z no newline\n"), std::string::npos);
    EXPECT_EQ(log.dropped_bytes(), 0u);
}

TEST_F(JobLogTest, FileIsCreatedOnlyWhenThereIsOutputWithMode0640) {
    joblog::JobLog log(sys::real_sys(), dir + "/quiet.log");
    struct stat st {};
    EXPECT_NE(::stat((dir + "/quiet.log").c_str(), &st), 0);
    std::string pending;
    log.append(pending, "x\n", t0);
    ASSERT_EQ(::stat((dir + "/quiet.log").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640u & ~static_cast<unsigned>(::umask(022)));
}

TEST_F(JobLogTest, OutputThatCannotBeWrittenIsDroppedAndCounted) {
    joblog::JobLog log(sys::real_sys(), dir + "/missing-dir/web.log");
    std::string pending;
    log.append(pending, "lost line\n", t0);
    EXPECT_EQ(log.dropped_bytes(), 21 + 10u) << "the record, timestamp included";
    EXPECT_EQ(log.dropped_lines(), 1u);
    EXPECT_EQ(log.written_bytes(), 0u);
}

TEST_F(JobLogTest, OverlongLineIsWrittenInPiecesNotHeldForever) {
    joblog::JobLog log(sys::real_sys(), dir + "/flood.log");
    std::string pending;
    log.append(pending, std::string(joblog::JobLog::max_line + 10, 'x'), t0);
    EXPECT_GE(log.written_bytes(), joblog::JobLog::max_line);
    EXPECT_EQ(pending.size(), 10u) << "only the rest waits for its newline";
}

TEST_F(JobLogTest, AFileThatRefusesEveryWriteCountsEachLineDroppedAndKeepsCounting) {
    if (::access("/dev/full", W_OK) != 0) {
        GTEST_SKIP() << "no /dev/full";
    }
    ASSERT_EQ(::symlink("/dev/full", (dir + "/full.log").c_str()), 0);
    joblog::JobLog log(sys::real_sys(), dir + "/full.log");
    std::string pending;
    std::string lines;
    for (int i = 0; i < 10000; ++i) {
        lines += std::to_string(i) + "\n";
    }
    log.append(pending, lines, t0);
    log.append(pending, "one more\n", t0);
    EXPECT_EQ(log.dropped_lines(), 10001u);
    EXPECT_EQ(log.written_bytes(), 0u);
    EXPECT_FALSE(log.is_open()) << "reopened at the next line: the disk may have room again";
}

TEST_F(JobLogTest, AFloodOfShortLinesIsWrittenInFewWrites) {
    fakes::FakeSys fake;
    fake.add_dir("/log");
    joblog::JobLog log(fake, "/log/yes.log");
    std::string pending;
    std::string flood;
    for (int i = 0; i < 32768; ++i) {
        flood += "y\n";
    }
    log.append(pending, flood, t0);
    std::string text = fake.file_content("/log/yes.log").value_or("");
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 32768);
    EXPECT_LE(fake.call_count("write"), 16) << "64 KiB at a time, not a write per line";
}

TEST_F(JobLogTest, AfterAWriteFailedTheNextLineIsWrittenOnceTheFileTakesItAgain) {
    fakes::FakeSys fake;
    fake.add_dir("/log");
    joblog::JobLog log(fake, "/log/web.log");
    std::string pending;
    log.append(pending, "whole\n", t0);
    fake.fail_next("write", ENOSPC);
    log.append(pending, "lost\n", t0);
    log.append(pending, "next\n", t0);
    EXPECT_EQ(*fake.file_content("/log/web.log"), "2025-11-25T02:30:01Z whole\n"
                                                  "2025-11-25T02:30:01Z startd: 26 bytes (1 line) dropped\n"
                                                  "2025-11-25T02:30:01Z next\n");
    EXPECT_EQ(log.dropped_lines(), 1u);
}

// A write can stop inside a record (the file reached its size limit, the disk filled up): the
// record's remains are dropped, and the next line still starts on a line of its own.
TEST_F(JobLogTest, AfterAWriteStoppedInsideARecordTheNextLineStartsOnItsOwn) {
    rlimit saved{};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    joblog::JobLog log(sys::real_sys(), dir + "/web.log");
    std::string pending;
    log.append(pending, "whole\n", t0); // 27 bytes
    rlimit small{40, saved.rlim_max};
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
    log.append(pending, "a line too long for what is left\n", t0); // 13 bytes fit, the rest: EFBIG
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
    std::signal(SIGXFSZ, old_handler);
    log.append(pending, "next\n", t0);
    EXPECT_EQ(read_all(dir + "/web.log"),
              "2025-11-25T02:30:01Z whole\n2025-11-25T02\n2025-11-25T02:30:01Z startd: 41 bytes (1 line) dropped\n"
              "2025-11-25T02:30:01Z next\n");
    EXPECT_EQ(log.dropped_lines(), 1u);
}

TEST(DropNotice, SaysBytesAndLines) {
    EXPECT_EQ(joblog::drop_notice(1234, 5), "startd: 1234 bytes (5 lines) dropped");
    EXPECT_EQ(joblog::drop_notice(26, 1), "startd: 26 bytes (1 line) dropped");
}

TEST_F(JobLogTest, DropsAreSaidOnceWhenWritingWorksAgainAndNotWhileItFails) {
    fakes::FakeSys fake;
    fake.add_dir("/log");
    joblog::JobLog log(fake, "/log/web.log");
    std::string pending;
    fake.fail_next("write", ENOSPC);
    log.append(pending, "lost 1\n", t0);
    fake.fail_next("write", EIO);
    log.append(pending, "lost 2\n", t0); // the notice fails first: this line is dropped too
    log.append(pending, "back\n", t0);
    log.append(pending, "again\n", t0);
    EXPECT_EQ(*fake.file_content("/log/web.log"), "2025-11-25T02:30:01Z startd: 56 bytes (2 lines) dropped\n"
                                                  "2025-11-25T02:30:01Z back\n"
                                                  "2025-11-25T02:30:01Z again\n");
    EXPECT_EQ(log.dropped_lines(), 2u) << "the notice itself is not counted";
}

TEST_F(JobLogTest, ALogRenamedAwayIsReopenedByItsPathWithinASecondAndNothingIsLost) {
    joblog::JobLog log(sys::real_sys(), dir + "/web.log");
    std::string pending;
    log.append(pending, "one\n", t0);
    ASSERT_EQ(::rename((dir + "/web.log").c_str(), (dir + "/web.log.1").c_str()), 0);
    log.append(pending, "two\n", t0); // the same second: not looked at yet, goes to the renamed file
    log.append(pending, "three\n", t0 + 1);
    EXPECT_EQ(read_all(dir + "/web.log.1"), "2025-11-25T02:30:01Z one\n2025-11-25T02:30:01Z two\n");
    EXPECT_EQ(read_all(dir + "/web.log"), "2025-11-25T02:30:02Z three\n");
}

TEST_F(JobLogTest, ADeletedLogIsNeverWrittenIntoAgain) {
    joblog::JobLog log(sys::real_sys(), dir + "/web.log");
    std::string pending;
    log.append(pending, "one\n", t0);
    ASSERT_EQ(::unlink((dir + "/web.log").c_str()), 0);
    log.append(pending, "two\n", t0 + 1);
    EXPECT_EQ(read_all(dir + "/web.log"), "2025-11-25T02:30:02Z two\n");
}

TEST_F(JobLogTest, CloseReopensByPathAfterAMove) {
    joblog::JobLog log(sys::real_sys(), dir + "/web.log");
    std::string pending;
    log.append(pending, "one\n", t0);
    ASSERT_EQ(::rename((dir + "/web.log").c_str(), (dir + "/web.log.1").c_str()), 0);
    log.close(); // SIGHUP, startctl log --reopen
    log.append(pending, "two\n", t0);
    EXPECT_EQ(read_all(dir + "/web.log.1"), "2025-11-25T02:30:01Z one\n");
    EXPECT_EQ(read_all(dir + "/web.log"), "2025-11-25T02:30:01Z two\n");
}

TEST_F(JobLogTest, SizeRotationKeepsKFilesOfAtMostSBytesCutAtLineEnds) {
    joblog::JobLog log(sys::real_sys(), dir + "/web.log", joblog::Rotation{100, 2});
    std::string pending;
    std::string lines;
    for (int i = 0; i < 20; ++i) {
        lines += "line " + std::to_string(i + 10) + "\n"; // 29-byte records: 3 fit in 100 bytes
    }
    log.append(pending, lines, t0);
    std::string current = read_all(dir + "/web.log");
    std::string one = read_all(dir + "/web.log.1");
    std::string two = read_all(dir + "/web.log.2");
    EXPECT_EQ(current, "2025-11-25T02:30:01Z line 28\n2025-11-25T02:30:01Z line 29\n");
    EXPECT_EQ(one, "2025-11-25T02:30:01Z line 25\n2025-11-25T02:30:01Z line 26\n2025-11-25T02:30:01Z line 27\n");
    EXPECT_NE(two.find("line 22\n"), std::string::npos);
    EXPECT_EQ(::access((dir + "/web.log.3").c_str(), F_OK), -1) << "only K files are kept";
    EXPECT_EQ(log.dropped_bytes(), 0u);
}

TEST_F(JobLogTest, ATapSeesEveryBatchEvenWhenTheFileFails) {
    joblog::JobLog log(sys::real_sys(), dir + "/missing-dir/web.log");
    std::string seen;
    log.set_tap([&](std::string_view records) { seen += records; });
    std::string pending;
    log.append(pending, "a\nb", t0);
    log.append(pending, "\n", t0);
    EXPECT_EQ(seen, "2025-11-25T02:30:01Z a\n2025-11-25T02:30:01Z b\n");
}

} // namespace
