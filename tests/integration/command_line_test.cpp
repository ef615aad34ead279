// Integration: the real binaries' command-line conventions — --version and `initctl version` in
// the form configuration managers parse, the short usage without a command, and getopt_long's
// spellings (--opt=VALUE, bundles, abbreviations) accepted by startd and startctl alike.
#include "build_config.h"
#include "support/daemon_harness.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <regex>

namespace {

using test_support::CtlResult;
using test_support::DaemonHarness;

// STARTCTL_BINARY under another name, as the installed links are.
std::string link_as(const DaemonHarness& h, const std::string& name) {
    std::string path = h.dir() + "/" + name;
    std::filesystem::create_symlink(STARTCTL_BINARY, path);
    return path;
}

// What Puppet's upstart provider (and Go's kardianos/service, Perl tools) match in
// `initctl --version`, and what Ansible's service module matches in `initctl version`.
std::string puppet_version(const std::string& out) {
    std::smatch m;
    return std::regex_search(out, m, std::regex(R"(initctl \(upstart ([^\)]*)\))")) ? m[1].str() : "";
}
std::string ansible_version(const std::string& out) {
    std::smatch m;
    return std::regex_search(out, m, std::regex(R"(\(upstart (.*)\))")) ? m[1].str() : "";
}

TEST(IntegrationCommandLine, VersionOptionPrintsTheVersionAndExitsZero) {
    DaemonHarness h;
    CtlResult ctl = h.run({STARTCTL_BINARY, "--version"}, {});
    EXPECT_EQ(ctl.status, 0) << ctl.err;
    EXPECT_EQ(ctl.out, "startctl (upstart " STARTD_UPSTART_VERSION ")\nstartd " STARTD_VERSION "\n");
    EXPECT_EQ(ctl.err, "");

    CtlResult initctl = h.run({link_as(h, "initctl"), "--version"}, {});
    EXPECT_EQ(initctl.status, 0) << initctl.err;
    EXPECT_EQ(puppet_version(initctl.out), STARTD_UPSTART_VERSION) << initctl.out;

    CtlResult start = h.run({link_as(h, "start"), "--version"}, {});
    EXPECT_EQ(start.status, 0) << start.err;
    EXPECT_EQ(start.out.rfind("start (upstart ", 0), 0u) << start.out;

    CtlResult daemon = h.run({STARTD_BINARY, "--version"}, {});
    EXPECT_EQ(daemon.status, 0) << daemon.err;
    EXPECT_EQ(daemon.out, "startd " STARTD_VERSION " (upstart " STARTD_UPSTART_VERSION ")\n");
}

TEST(IntegrationCommandLine, NoCommandPrintsAShortUsageOnStderrAndExitsOne) {
    DaemonHarness h;
    CtlResult r = h.run({STARTCTL_BINARY}, {});
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err,
              "Usage: startctl [OPTION]... COMMAND [ARG]...\nTry `startctl --help' for the commands and "
              "options.\n");
    CtlResult initctl = h.run({link_as(h, "initctl"), "-q"}, {});
    EXPECT_EQ(initctl.status, 1);
    EXPECT_EQ(initctl.err.rfind("Usage: initctl ", 0), 0u) << initctl.err;
    CtlResult help = h.run({STARTCTL_BINARY, "--help"}, {});
    EXPECT_EQ(help.status, 0);
    EXPECT_NE(help.out.find("Commands:"), std::string::npos);
}

TEST(IntegrationCommandLine, InitctlVersionCommandClaimsTheUpstartVersion) {
    DaemonHarness h;
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    CtlResult r = h.ctl({"version"});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "startd " STARTD_VERSION " (upstart " STARTD_UPSTART_VERSION ")\n");
    CtlResult initctl = h.run({link_as(h, "initctl"), "--socket=" + h.socket(), "version"}, {});
    ASSERT_EQ(initctl.status, 0) << initctl.err;
    EXPECT_EQ(ansible_version(initctl.out), STARTD_UPSTART_VERSION) << initctl.out;
}

TEST(IntegrationCommandLine, BothProgramsTakeGetoptLongSpellings) {
    DaemonHarness h;
    h.write_job("sleeper", "exec sleep 300\n");
    // Each of these would be an error ("invalid option") if startd did not parse it.
    ASSERT_TRUE(h.start_daemon({"--ready-timeout=30", "--jobs-dir=" + h.jobs_dir(), "--no-cg"}))
        << h.daemon_output();
    CtlResult quiet = h.run({STARTCTL_BINARY, "-nq", "--sock=" + h.socket(), "start", "sleeper"}, {});
    EXPECT_EQ(quiet.status, 0) << quiet.err;
    EXPECT_EQ(quiet.out, "");
    CtlResult status = h.run({STARTCTL_BINARY, "status", "--socket=" + h.socket(), "sleeper"}, {});
    EXPECT_EQ(status.status, 0) << status.err;
    EXPECT_EQ(status.out.rfind("sleeper start/", 0), 0u) << status.out;
    EXPECT_EQ(h.ctl({"stop", "sleeper"}).status, 0);

    CtlResult bad = h.run({STARTD_BINARY, "--check", "--json=yes", h.jobs_dir()}, {});
    EXPECT_EQ(bad.status, 2);
    EXPECT_EQ(bad.err, "startd: option --json takes no value\nTry 'startd --help' for more information.\n");
    CtlResult check = h.run({STARTD_BINARY, "--che", "--", h.jobs_dir()}, {});
    EXPECT_EQ(check.status, 0) << check.err;
    EXPECT_EQ(check.out.rfind("sleeper: ok", 0), 0u) << check.out;
    CtlResult ctl_bad = h.run({STARTCTL_BINARY, "--frobnicate", "list"}, {});
    EXPECT_EQ(ctl_bad.status, 1);
    EXPECT_EQ(ctl_bad.err.rfind("startctl: invalid option: --frobnicate\n", 0), 0u) << ctl_bad.err;
}

} // namespace
