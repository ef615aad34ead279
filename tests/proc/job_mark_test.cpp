// Tests the job mark: its form, and that reading it back from /proc/PID/environ text matches
// only this startd's exact entry.
#include "proc/job_mark.h"

#include <gtest/gtest.h>

namespace {

using namespace std::string_literals;

TEST(JobMark, NamesTheStartdAndTheJobInstance) {
    EXPECT_EQ(proc::job_mark(1234, 7), "STARTD_JOB_ID=1234-7");
}

TEST(JobMark, IsFoundAmongTheOtherVariables) {
    std::string environ = "PATH=/bin\0STARTD_JOB_ID=1234-7\0TERM=linux\0"s;
    EXPECT_EQ(proc::find_job_mark(environ, 1234), 7u);
    EXPECT_EQ(proc::find_job_mark("A=1\0STARTD_JOB_ID=1234-12"s, 1234), 12u) << "last entry, no final NUL";
}

TEST(JobMark, OnlyTheExactEntryOfThisStartdMatches) {
    EXPECT_EQ(proc::find_job_mark("PATH=/bin\0"s, 1234), 0u) << "no mark";
    EXPECT_EQ(proc::find_job_mark("STARTD_JOB_ID=4321-7\0"s, 1234), 0u) << "another startd's";
    EXPECT_EQ(proc::find_job_mark("STARTD_JOB_ID=12345-7\0"s, 1234), 0u) << "a longer pid";
    EXPECT_EQ(proc::find_job_mark("STARTD_JOB_ID=1234-07\0"s, 1234), 0u) << "not how startd writes 7";
    EXPECT_EQ(proc::find_job_mark("STARTD_JOB_ID=1234-7x\0"s, 1234), 0u);
    EXPECT_EQ(proc::find_job_mark("STARTD_JOB_ID=1234-\0"s, 1234), 0u);
    EXPECT_EQ(proc::find_job_mark("STARTD_JOB_ID=1234-0\0"s, 1234), 0u) << "serials start at 1";
    EXPECT_EQ(proc::find_job_mark("STARTD_JOB_ID=1234-99999999999999999999999\0"s, 1234), 0u);
    EXPECT_EQ(proc::find_job_mark("XSTARTD_JOB_ID=1234-7\0STARTD_JOB_IDS=1234-7\0"s, 1234), 0u)
        << "other variables that merely look alike";
    EXPECT_EQ(proc::find_job_mark(" STARTD_JOB_ID=1234-7"s, 1234), 0u);
    EXPECT_EQ(proc::find_job_mark("", 1234), 0u);
}

} // namespace
