// Tests, with the real startd and startctl, that a job with a stanza this system cannot honour
// (apparmor, cgroup) is never a silent no-op (issue 12, item 11): check-config and --check report
// it, a start fails at once saying why, and status says why too.
#include "support/daemon_harness.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace {

using test_support::CtlResult;
using test_support::DaemonHarness;

constexpr const char* cups_reason = "apparmor switch cups: AppArmor is not supported on this system";

TEST(IntegrationUnsupportedStanzas, StartFailsAtOnceAndStatusAndCheckConfigSayWhy) {
    DaemonHarness h;
    h.write_job("cups", "apparmor switch cups\npre-start exec touch " + h.dir() +
                            "/pre-start-ran\nexec sleep 1000\n");
    h.write_job("web", "exec sleep 1000\n");
    ASSERT_TRUE(h.start_daemon());

    CtlResult start = h.ctl({"start", "cups"});
    EXPECT_EQ(start.status, 1);
    EXPECT_NE(start.err.find("Job failed to start: cups main process could not be started: " +
                             std::string(cups_reason)),
              std::string::npos)
        << start.err;
    // The start has failed and returned: a pre-start that ran would have made its file by now.
    EXPECT_NE(::access((h.dir() + "/pre-start-ran").c_str(), F_OK), 0) << "no process of the job may run";

    CtlResult status = h.ctl({"status", "cups"});
    EXPECT_EQ(status.out,
              "cups stop/waiting\n\tcannot start on this system: " + std::string(cups_reason) + "\n");
    CtlResult json = h.ctl({"status", "--json", "cups"});
    EXPECT_NE(json.out.find("\"cannot_start\": \"" + std::string(cups_reason) + "\""), std::string::npos)
        << json.out;

    CtlResult check = h.ctl({"check-config"});
    EXPECT_EQ(check.status, 1);
    EXPECT_NE(check.out.find("cups: cannot start on this system: " + std::string(cups_reason)),
              std::string::npos)
        << check.out;

    CtlResult web = h.ctl({"start", "web"});
    EXPECT_EQ(web.status, 0) << web.err;
}

TEST(IntegrationUnsupportedStanzas, StartdCheckExitsNonZeroForSuchAJob) {
    DaemonHarness h;
    h.write_job("cg", "cgroup memory\nexec sleep 1000\n");
    CtlResult r = h.run({STARTD_BINARY, "--check", h.jobs_dir()}, {}, std::chrono::seconds(10));
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(
        r.out,
        "cg: cannot start on this system: cgroup memory: cgroup stanzas (cgroup v1 controllers) are not "
        "supported on this system\n");
}

} // namespace
