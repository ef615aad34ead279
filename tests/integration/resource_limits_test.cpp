// Resource exhaustion (issue 12 item 3): startd run as an unprivileged uid whose RLIMIT_NPROC
// leaves room for no thread and no child. Jobs that cannot be created fail with the reason in
// their status, startd keeps answering, starts them once the limit is raised, and SIGTERM still
// stops everything. startd's limit is changed by a prlimit(1) running as startd's own uid: root's
// prlimit(2) on another uid's process needs CAP_SYS_RESOURCE, which a container's root may lack
// (EPERM on this machine), while a process may always change the limits of its own uid's.
#include "support/daemon_harness.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace {

using namespace std::chrono_literals;
using test_support::DaemonHarness;
using test_support::read_file;

// Gives `dir` and everything below it to `uid`, so startd running as it can use them.
void give_to(const std::string& dir, uid_t uid) {
    ASSERT_EQ(::chown(dir.c_str(), uid, uid), 0);
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        ASSERT_EQ(::lchown(entry.path().c_str(), uid, uid), 0) << entry.path();
    }
}

// `pid`'s RLIMIT_NPROC as /proc/PID/limits shows it ("unlimited" as RLIM_INFINITY); {0, 0} when
// it cannot be read.
rlimit nproc_of(pid_t pid) {
    std::string limits = test_support::read_file("/proc/" + std::to_string(pid) + "/limits");
    auto at = limits.find("Max processes");
    if (at == std::string::npos) {
        return {0, 0};
    }
    std::istringstream line(limits.substr(at + 13));
    auto number = [](const std::string& word) {
        return word == "unlimited" ? RLIM_INFINITY : static_cast<rlim_t>(std::stoull(word));
    };
    std::string soft;
    std::string hard;
    line >> soft >> hard;
    return soft.empty() || hard.empty() ? rlimit{0, 0} : rlimit{number(soft), number(hard)};
}

// prlimit(1) as `as_uid` sets `pid`'s RLIMIT_NPROC; its exit status.
int set_nproc(DaemonHarness& h, std::vector<std::string> as_uid, pid_t pid, rlimit limit) {
    auto text = [](rlim_t v) { return v == RLIM_INFINITY ? std::string("unlimited") : std::to_string(v); };
    as_uid.insert(as_uid.end(), {"/usr/bin/prlimit", "--pid", std::to_string(pid),
                                 "--nproc=" + text(limit.rlim_cur) + ":" + text(limit.rlim_max)});
    auto r = h.run(as_uid, {}, 10s);
    EXPECT_EQ(r.status, 0) << r.err;
    return r.status;
}

TEST(IntegrationResourceLimits, JobsThatCannotBeCreatedFailWithAReasonAndStartdRecoversOnceTheLimitRises) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "needs root to run startd as another uid";
    }
    if (::access("/usr/bin/prlimit", X_OK) != 0 || ::access("/usr/bin/setpriv", X_OK) != 0) {
        GTEST_SKIP() << "needs prlimit and setpriv (util-linux)";
    }
    // A uid of its own, so no other process counts against its RLIMIT_NPROC.
    uid_t uid = 60000 + static_cast<uid_t>(::getpid() % 5000);
    DaemonHarness h;
    std::vector<std::string> names = {"w0", "w1", "w2", "w3"};
    for (const std::string& name : names) {
        h.write_job(name, "start on go\nexec sleep 1000\n");
    }
    h.write_job("later", "exec sleep 1000\n");
    for (const char* sub : {"/run", "/log", "/config", "/state"}) {
        std::filesystem::create_directories(h.dir() + sub);
    }
    give_to(h.dir(), uid);
    std::vector<std::string> as_uid = {"/usr/bin/setpriv", "--reuid=" + std::to_string(uid),
                                       "--regid=" + std::to_string(uid), "--clear-groups", "--"};
    h.set_ctl_wrapper(as_uid);
    ASSERT_TRUE(h.start_daemon({}, as_uid)) << h.daemon_output();
    pid_t daemon = h.daemon_pid();

    // startd itself is the uid's one process: no thread and no child can be created.
    rlimit old = nproc_of(daemon);
    ASSERT_GT(old.rlim_cur, 1u) << read_file("/proc/" + std::to_string(daemon) + "/limits");
    ASSERT_EQ(set_nproc(h, as_uid, daemon, rlimit{1, old.rlim_max}), 0);
    ASSERT_EQ(nproc_of(daemon).rlim_cur, 1u);

    auto emitted = h.ctl({"emit", "go"}, 10s);
    ASSERT_NE(emitted.status, -1) << "emit hung\n" << h.daemon_output();
    EXPECT_NE(emitted.status, 0) << "the jobs it started failed";
    for (const std::string& name : names) {
        auto status = h.ctl({"status", "--json", name}, 10s);
        ASSERT_EQ(status.status, 0) << name << ": " << status.err;
        EXPECT_NE(status.out.find("Resource temporarily unavailable"), std::string::npos)
            << name << ": " << status.out;
    }
    auto later = h.ctl({"start", "later"}, 10s);
    ASSERT_NE(later.status, -1) << "start hung";
    EXPECT_NE(later.err.find("Resource temporarily unavailable"), std::string::npos) << later.err;
    auto stop = h.ctl({"stop", "later"}, 10s);
    ASSERT_NE(stop.status, -1) << "stop hung";

    // Resources come back: the same jobs start.
    ASSERT_EQ(set_nproc(h, as_uid, daemon, old), 0);
    for (const std::string& name : names) {
        auto started = h.ctl({"start", name}, 10s);
        EXPECT_EQ(started.status, 0) << name << ": " << started.err;
        EXPECT_GT(DaemonHarness::pid_in(h.ctl({"status", name}).out), 0) << name;
    }
    std::vector<pid_t> jobs = h.descendants();
    EXPECT_EQ(jobs.size(), names.size());

    EXPECT_EQ(h.stop_daemon(), 0) << h.daemon_output();
    for (pid_t pid : jobs) {
        EXPECT_FALSE(DaemonHarness::process_exists(pid)) << pid << " outlived the shutdown";
    }
}

} // namespace
