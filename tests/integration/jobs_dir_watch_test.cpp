// Integration: a real startd follows its jobs directory through the real kernel's inotify —
// a job written (also in a new subdirectory, made with mkdir -p) is startable without any
// reload, an editor's save with a typo keeps the running definition and is reported — and
// `startctl reload-configuration` says what changed and fails on a broken file.
#include "support/daemon_harness.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace {

using test_support::DaemonHarness;
using namespace std::chrono_literals;

bool known(DaemonHarness& h, const std::string& job) {
    return h.ctl({"status", job}).status == 0;
}

TEST(IntegrationJobsDirWatch, JobsWrittenWhileStartdRunsAreLoadedByThemselves) {
    DaemonHarness h;
    h.write_job("web", "exec sleep 300\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    EXPECT_FALSE(known(h, "db"));
    h.write_job("db", "exec sleep 300\n");
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return known(h, "db"); }, 10s)) << h.daemon_output();
    // A new subdirectory made with mkdir -p: the inner one is watched before its file arrives.
    std::filesystem::create_directories(h.jobs_dir() + "/net/inner");
    h.write_job("net/inner/api", "exec sleep 300\n");
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return known(h, "net/inner/api"); }, 10s)) << h.daemon_output();
    auto started = h.ctl({"start", "net/inner/api"});
    EXPECT_EQ(started.status, 0) << started.err;
    EXPECT_NE(h.daemon_output().find("jobs directory changed: added db"), std::string::npos)
        << h.daemon_output();
}

TEST(IntegrationJobsDirWatch, AnEditorsSaveWithATypoKeepsTheRunningDefinitionAndIsReported) {
    DaemonHarness h;
    h.write_job("web", "exec sleep 300\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    auto started = h.ctl({"start", "web"});
    ASSERT_EQ(started.status, 0) << started.err;
    pid_t pid = DaemonHarness::pid_in(h.ctl({"status", "web"}).out);
    ASSERT_GT(pid, 0);
    // vim's way: a swap file, a backup, then the file written again.
    std::ofstream(h.jobs_dir() + "/.web.conf.swp") << "junk\n";
    std::ofstream(h.jobs_dir() + "/web.conf~") << "junk\n";
    h.write_job("web", "exec sleep 300\nrespawn limit banana\n");
    ASSERT_TRUE(DaemonHarness::wait_for(
        [&] { return h.daemon_output().find("web.conf:2") != std::string::npos; }, 10s))
        << h.daemon_output();
    EXPECT_EQ(DaemonHarness::pid_in(h.ctl({"status", "web"}).out), pid);
    auto reload = h.ctl({"reload-configuration"});
    EXPECT_EQ(reload.status, 1);
    EXPECT_NE(reload.err.find("web.conf:2"), std::string::npos) << reload.err;
    // Fixed: the next reload is clean and says what it did.
    h.write_job("web", "exec sleep 301\n");
    auto fixed = h.ctl({"reload-configuration"});
    EXPECT_EQ(fixed.status, 0) << fixed.err;
    EXPECT_TRUE(fixed.out == "changed: web\n" || fixed.out == "no job changed\n")
        << fixed.out; // the watch may be first
    EXPECT_EQ(DaemonHarness::pid_in(h.ctl({"status", "web"}).out), pid);
}

} // namespace
