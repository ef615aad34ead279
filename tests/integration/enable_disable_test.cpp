// Integration: startctl enable/disable/is-enabled with the real programs. Before startd runs (an
// installer's case) disable keeps a job from starting at startup; with startd running the change
// is loaded before startctl returns and the running job is left alone (its events no longer
// start it once it has stopped), unless --now, which stops or starts it as stop/start would; a startd serving another
// jobs dir is not touched; a jobs dir startctl may not write to is a clear error that changes
// nothing.
#include "support/daemon_harness.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using test_support::CtlResult;
using test_support::DaemonHarness;
using test_support::read_file;
using namespace std::chrono_literals;

constexpr const char* service = "start on startup\nexec sleep 300\n";

// startctl against the harness's startd, on its jobs dir.
CtlResult on_jobs(DaemonHarness& h, std::vector<std::string> args) {
    args.insert(args.begin(), {"--jobs-dir", h.jobs_dir()});
    return h.ctl(args);
}

bool has_start_on(DaemonHarness& h, const std::string& job) {
    return h.ctl({"show-config", job}).out.find("start on") != std::string::npos;
}

pid_t running_pid(DaemonHarness& h, const std::string& job) {
    return DaemonHarness::pid_in(h.ctl({"status", job}).out);
}

TEST(IntegrationEnableDisable, DisabledBeforeStartdRunsAJobDoesNotStartAtStartup) {
    DaemonHarness h;
    h.write_job("web", service);
    h.write_job("db", service);
    // No startd yet: nothing listens on the socket.
    CtlResult off = on_jobs(h, {"disable", "web"});
    ASSERT_EQ(off.status, 0) << off.err;
    EXPECT_EQ(off.err, "");
    EXPECT_EQ(read_file(h.jobs_dir() + "/web.override"), "manual\n");
    CtlResult is = on_jobs(h, {"is-enabled", "web"});
    EXPECT_EQ(is.status, 1);
    EXPECT_EQ(is.out, "disabled\n");

    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return running_pid(h, "db") > 0; }, 10s)) << h.daemon_output();
    EXPECT_EQ(h.ctl({"status", "web"}).out, "web stop/waiting\n");
}

TEST(IntegrationEnableDisable, WithStartdRunningTheChangeIsLoadedAtOnceAndTheJobKeepsRunning) {
    DaemonHarness h;
    h.write_job("web", "start on go\nexec sleep 300\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    ASSERT_EQ(h.ctl({"emit", "go"}).status, 0);
    pid_t pid = running_pid(h, "web");
    ASSERT_GT(pid, 0) << h.daemon_output();

    CtlResult off = on_jobs(h, {"disable", "web"});
    ASSERT_EQ(off.status, 0) << off.err;
    EXPECT_EQ(off.err, "");
    EXPECT_EQ(running_pid(h, "web"), pid); // left running
    EXPECT_EQ(on_jobs(h, {"is-enabled", "web"}).status, 1);
    // Once it stops (a running job keeps its definition until then, Upstart's rule), its events
    // no longer start it.
    ASSERT_EQ(h.ctl({"stop", "web"}).status, 0);
    EXPECT_FALSE(has_start_on(h, "web"));
    ASSERT_EQ(h.ctl({"emit", "go"}).status, 0);
    EXPECT_EQ(h.ctl({"status", "web"}).out, "web stop/waiting\n");

    CtlResult on = on_jobs(h, {"enable", "web"});
    ASSERT_EQ(on.status, 0) << on.err;
    EXPECT_EQ(on.err, "");
    EXPECT_TRUE(has_start_on(h, "web")); // loaded before startctl returned
    EXPECT_EQ(h.ctl({"status", "web"}).out, "web stop/waiting\n"); // not started: no --now
    EXPECT_FALSE(std::filesystem::exists(h.jobs_dir() + "/web.override"));
    ASSERT_EQ(h.ctl({"emit", "go"}).status, 0);
    EXPECT_GT(running_pid(h, "web"), 0);
    CtlResult is = on_jobs(h, {"is-enabled", "web"});
    EXPECT_EQ(is.status, 0);
    EXPECT_EQ(is.out, "enabled\n");
}

TEST(IntegrationEnableDisable, NowStopsAndStartsTheJobAsStopAndStartWould) {
    DaemonHarness h;
    h.write_job("web", std::string("env X=1\n") + service);
    std::string mine = "# local\nenv Y=2\nstart on startup or net-up\n";
    std::ofstream(h.jobs_dir() + "/web.override") << mine;
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return running_pid(h, "web") > 0; }, 10s)) << h.daemon_output();

    CtlResult off = on_jobs(h, {"disable", "--now", "web"});
    ASSERT_EQ(off.status, 0) << off.err;
    EXPECT_NE(off.out.find("web stop/waiting"), std::string::npos) << off.out;
    EXPECT_EQ(h.ctl({"status", "web"}).out, "web stop/waiting\n");
    EXPECT_EQ(read_file(h.jobs_dir() + "/web.override"), mine + "manual\n");

    CtlResult on = on_jobs(h, {"enable", "--now", "web"});
    ASSERT_EQ(on.status, 0) << on.err;
    EXPECT_NE(on.out.find("web start/running, process"), std::string::npos) << on.out;
    EXPECT_GT(running_pid(h, "web"), 0);
    EXPECT_EQ(read_file(h.jobs_dir() + "/web.override"), mine);
    EXPECT_TRUE(has_start_on(h, "web"));
}

TEST(IntegrationEnableDisable, IsEnabledAnswersWithExitStatuses) {
    DaemonHarness h;
    h.write_job("web", service);
    h.write_job("tool", "exec true\n");
    CtlResult enabled = on_jobs(h, {"is-enabled", "web"});
    EXPECT_EQ(enabled.status, 0);
    EXPECT_EQ(enabled.out, "enabled\n");
    CtlResult fixed = on_jobs(h, {"is-enabled", "tool"});
    EXPECT_EQ(fixed.status, 0);
    EXPECT_EQ(fixed.out, "static\n");
    CtlResult unknown = on_jobs(h, {"is-enabled", "nope"});
    EXPECT_EQ(unknown.status, 4);
    EXPECT_EQ(unknown.out, "");
    EXPECT_NE(unknown.err.find("Unknown job: nope"), std::string::npos) << unknown.err;
    CtlResult cannot = on_jobs(h, {"enable", "tool"});
    EXPECT_EQ(cannot.status, 1);
    EXPECT_NE(cannot.err.find("cannot enable tool"), std::string::npos) << cannot.err;
}

TEST(IntegrationEnableDisable, AStartdServingAnotherJobsDirIsNotTouched) {
    DaemonHarness h;
    h.write_job("web", service);
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return running_pid(h, "web") > 0; }, 10s)) << h.daemon_output();
    std::string other = h.dir() + "/image/jobs";
    std::filesystem::create_directories(other);
    std::ofstream(other + "/web.conf") << service;

    CtlResult now = h.ctl({"--jobs-dir", other, "disable", "--now", "web"});
    EXPECT_EQ(now.status, 1);
    EXPECT_NE(now.err.find("serves " + h.jobs_dir() + ", not " + other), std::string::npos) << now.err;
    EXPECT_FALSE(std::filesystem::exists(other + "/web.override"));

    CtlResult off = h.ctl({"--jobs-dir", other, "disable", "web"});
    EXPECT_EQ(off.status, 0) << off.err;
    EXPECT_EQ(read_file(other + "/web.override"), "manual\n");
    EXPECT_TRUE(has_start_on(h, "web"));
    EXPECT_GT(running_pid(h, "web"), 0);
}

TEST(IntegrationEnableDisable, AJobsDirItMayNotWriteToIsAClearErrorThatChangesNothing) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "needs root to run startd and startctl as another uid";
    }
    if (::access("/usr/bin/setpriv", X_OK) != 0) {
        GTEST_SKIP() << "needs setpriv (util-linux)";
    }
    // Root may write anywhere: the user who owns the jobs dir, with the dir read-only, may not.
    uid_t uid = 55000 + static_cast<uid_t>(::getpid() % 5000);
    DaemonHarness h;
    h.write_job("web", service);
    std::ofstream(h.jobs_dir() + "/web.override") << "env X=1\n";
    for (const char* sub : {"/run", "/log"}) {
        std::filesystem::create_directories(h.dir() + sub);
    }
    ASSERT_EQ(::chown(h.dir().c_str(), uid, uid), 0);
    for (const auto& entry : std::filesystem::recursive_directory_iterator(h.dir())) {
        ASSERT_EQ(::lchown(entry.path().c_str(), uid, uid), 0) << entry.path();
    }
    std::vector<std::string> as_uid = {"/usr/bin/setpriv", "--reuid=" + std::to_string(uid),
                                       "--regid=" + std::to_string(uid), "--clear-groups", "--"};
    h.set_ctl_wrapper(as_uid);
    ASSERT_TRUE(h.start_daemon({}, as_uid)) << h.daemon_output();
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return running_pid(h, "web") > 0; }, 10s)) << h.daemon_output();
    ASSERT_EQ(::chmod(h.jobs_dir().c_str(), 0555), 0);

    CtlResult off = on_jobs(h, {"disable", "web"});
    EXPECT_EQ(off.status, 1);
    EXPECT_EQ(off.out, "");
    EXPECT_EQ(off.err, "startctl: cannot write " + h.jobs_dir() +
                           "/web.override: cannot create a temporary file in " + h.jobs_dir() +
                           ": Permission denied\n");
    EXPECT_EQ(read_file(h.jobs_dir() + "/web.override"), "env X=1\n");
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(h.jobs_dir()), {}), 2);
    EXPECT_TRUE(has_start_on(h, "web"));
    EXPECT_EQ(on_jobs(h, {"is-enabled", "web"}).out, "enabled\n");
    ::chmod(h.jobs_dir().c_str(), 0755); // for the harness's clean-up
}

} // namespace
