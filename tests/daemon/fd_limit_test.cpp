// Tests raising startd's descriptor limit over the fake kernel: the soft limit goes to the hard
// one (or both to nr_open), jobs keep the inherited soft limit, failures change nothing, and a
// shortage of descriptors is named as such.
#include "daemon/fd_limit.h"
#include "fakes/fake_sys.h"

#include <gtest/gtest.h>

namespace {

using fakes::FakeSys;

TEST(RaiseFdLimit, TheSoftLimitGoesToTheHardOneAndJobsKeepTheInheritedSoftLimit) {
    FakeSys sys;
    sys.set_euid(1000);
    sys.set_rlimit(RLIMIT_NOFILE, {1024, 524288});
    auto raised = daemon_main::raise_fd_limit(sys);
    ASSERT_TRUE(raised.has_value()) << raised.error().message();
    EXPECT_EQ(raised->soft, 524288u);
    EXPECT_EQ(raised->jobs.rlim_cur, 1024u);
    EXPECT_EQ(raised->jobs.rlim_max, 524288u);
    EXPECT_EQ(sys.rlimit_of(RLIMIT_NOFILE).rlim_cur, 524288u);
    EXPECT_EQ(sys.rlimit_of(RLIMIT_NOFILE).rlim_max, 524288u);
}

TEST(RaiseFdLimit, NothingToRaiseWhenTheSoftLimitIsTheHardOne) {
    FakeSys sys;
    sys.set_rlimit(RLIMIT_NOFILE, {64, 64});
    auto raised = daemon_main::raise_fd_limit(sys);
    ASSERT_TRUE(raised.has_value());
    EXPECT_EQ(raised->soft, 64u);
    EXPECT_EQ(raised->jobs.rlim_cur, 64u);
    EXPECT_EQ(sys.call_count("setrlimit"), 0);
}

TEST(RaiseFdLimit, AnUnlimitedHardLimitBringsBothToTheKernelsNrOpen) {
    FakeSys sys;
    sys.set_rlimit(RLIMIT_NOFILE, {1024, RLIM_INFINITY});
    sys.set_nr_open(1048576);
    sys.add_file("/proc/sys/fs/nr_open", "1048576\n");
    auto raised = daemon_main::raise_fd_limit(sys);
    ASSERT_TRUE(raised.has_value()) << raised.error().message();
    EXPECT_EQ(raised->soft, 1048576u);
    EXPECT_EQ(raised->jobs.rlim_cur, 1024u);
    EXPECT_EQ(raised->jobs.rlim_max, 1048576u) << "jobs cannot be given back a hard limit startd gave up";
    EXPECT_EQ(sys.rlimit_of(RLIMIT_NOFILE).rlim_max, 1048576u);
}

TEST(RaiseFdLimit, FailuresAreReportedAndChangeNothing) {
    FakeSys sys;
    sys.set_rlimit(RLIMIT_NOFILE, {1024, 4096});
    sys.fail_next("getrlimit", EINVAL);
    EXPECT_FALSE(daemon_main::raise_fd_limit(sys).has_value());
    sys.fail_next("setrlimit", EINVAL);
    auto raised = daemon_main::raise_fd_limit(sys);
    ASSERT_FALSE(raised.has_value());
    EXPECT_NE(raised.error().message().find("setrlimit"), std::string::npos);
    EXPECT_EQ(sys.rlimit_of(RLIMIT_NOFILE).rlim_cur, 1024u);
    sys.set_rlimit(RLIMIT_NOFILE, {1024, RLIM_INFINITY});
    sys.set_nr_open(1048576);
    EXPECT_FALSE(daemon_main::raise_fd_limit(sys).has_value()) << "no nr_open to read: the limit stays";
    EXPECT_EQ(sys.rlimit_of(RLIMIT_NOFILE).rlim_cur, 1024u);
}

TEST(FdShortageNote, NamesWhoseDescriptorsRanOut) {
    EXPECT_EQ(daemon_main::fd_shortage_note(EMFILE), " (startd is out of file descriptors)");
    EXPECT_EQ(daemon_main::fd_shortage_note(ENFILE), " (the system is out of file descriptors)");
    EXPECT_EQ(daemon_main::fd_shortage_note(ENOMEM), "");
}

} // namespace
