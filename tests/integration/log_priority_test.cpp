// Integration: startd's own log with the real binaries — timestamped lines on standard error,
// `startctl log-priority` reading and changing what is kept while startd runs, its errors, and
// startd --log-priority.
#include "support/daemon_harness.h"

#include <gtest/gtest.h>
#include <regex>

namespace {

using test_support::CtlResult;
using test_support::DaemonHarness;

TEST(IntegrationLogPriority, LinesAreTimestampedAndThePriorityChangesWhileStartdRuns) {
    DaemonHarness h;
    h.write_job("quick", "task\nexec true\n");
    ASSERT_TRUE(h.start_daemon());
    CtlResult shown = h.ctl({"log-priority"});
    EXPECT_EQ(shown.status, 0) << shown.err;
    EXPECT_EQ(shown.out, "info\n");
    // Every line of standard error starts with the local date and time to the millisecond.
    std::string out = h.daemon_output();
    ASSERT_FALSE(out.empty());
    EXPECT_TRUE(
        std::regex_search(out, std::regex(R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} startd: info: )")))
        << out;

    EXPECT_EQ(h.ctl({"start", "quick"}).status, 0);
    EXPECT_EQ(h.daemon_output().find("startd: debug: "), std::string::npos) << "no debug lines at info";
    CtlResult set = h.ctl({"log-priority", "debug"});
    EXPECT_EQ(set.status, 0) << set.err;
    EXPECT_EQ(set.out, "");
    EXPECT_EQ(h.ctl({"log-priority"}).out, "debug\n");
    EXPECT_EQ(h.ctl({"start", "quick"}).status, 0);
    EXPECT_TRUE(DaemonHarness::wait_for([&] {
        return h.daemon_output().find("startd: debug: ") != std::string::npos;
    })) << h.daemon_output();
    EXPECT_NE(h.daemon_output().find("log priority info → debug"), std::string::npos);

    CtlResult bad = h.ctl({"log-priority", "loud"});
    EXPECT_NE(bad.status, 0);
    EXPECT_NE(bad.err.find("unknown log priority 'loud' (one of debug, info, message, warn, error, fatal)"),
              std::string::npos)
        << bad.err;
    EXPECT_EQ(h.ctl({"log-priority"}).out, "debug\n") << "a refused change changes nothing";
    EXPECT_EQ(h.stop_daemon(), 0);
}

TEST(IntegrationLogPriority, AStartdStartedAtWarnKeepsNoInfoLinesAndABadPriorityIsAUsageError) {
    DaemonHarness h;
    h.write_job("quick", "task\nexec true\n");
    ASSERT_TRUE(h.start_daemon({"--log-priority", "warn"}));
    EXPECT_EQ(h.ctl({"start", "quick"}).status, 0);
    h.write_job("broken", "exec /nonexistent/program\n");
    EXPECT_EQ(h.ctl({"reload-configuration"}).status, 0);
    EXPECT_NE(h.ctl({"start", "broken"}).status, 0);
    EXPECT_TRUE(DaemonHarness::wait_for([&] {
        return h.daemon_output().find("startd: warning: ") != std::string::npos ||
               h.daemon_output().find("startd: error: ") != std::string::npos;
    })) << h.daemon_output();
    EXPECT_EQ(h.daemon_output().find("startd: info: "), std::string::npos) << h.daemon_output();
    EXPECT_EQ(h.stop_daemon(), 0);

    CtlResult bad =
        h.run({STARTD_BINARY, "--user", "--log-priority", "chatty", "--jobs-dir", h.jobs_dir()}, {});
    EXPECT_EQ(bad.status, 2);
    EXPECT_NE(bad.err.find(
                  "--log-priority: expected one of debug, info, message, warn, error, fatal, got 'chatty'"),
              std::string::npos)
        << bad.err;
}

} // namespace
