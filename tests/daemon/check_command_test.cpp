// Tests `startd --check` on real job files: a job that parses but can never start on this system
// (apparmor, cgroup) is reported with its reason and fails the check; a .conf that is a FIFO is
// that job's error and never blocks the check.
#include "daemon/check_command.h"
#include "support/real_child.h"

#include <cstdio>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

namespace {

struct CheckRun {
    int status = -1;
    std::string out;
    std::string err;
};

std::string drain(std::FILE* f) {
    std::rewind(f);
    std::string text;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) {
        text.append(buf, n);
    }
    std::fclose(f);
    return text;
}

CheckRun run(const std::vector<std::string>& paths, daemon_main::CheckFormat format) {
    std::FILE* out = std::tmpfile();
    std::FILE* err = std::tmpfile();
    CheckRun r;
    r.status = daemon_main::run_check(sys::real_sys(), paths, format, out, err);
    r.out = drain(out);
    r.err = drain(err);
    return r;
}

class CheckCommand : public ::testing::Test {
  protected:
    void write(const std::string& name, const std::string& text) { std::ofstream(dir / name) << text; }
    test_support::TempDir dir;
};

TEST_F(CheckCommand, JobsThatCannotStartOnThisSystemFailTheCheckWithTheirReason) {
    write("web.conf", "exec /bin/web\n");
    write("cups.conf", "apparmor switch cups\nexec cupsd\n");
    write("cg.conf", "cgroup cpu\nexec x\n");
    CheckRun r = run({dir.path()}, daemon_main::CheckFormat::Text);
    EXPECT_EQ(r.status, daemon_main::check_failed);
    EXPECT_EQ(
        r.out,
        "cg: cannot start on this system: cgroup cpu: cgroup stanzas (cgroup v1 controllers) are not "
        "supported on this system\n"
        "cups: cannot start on this system: apparmor switch cups: AppArmor is not supported on this system\n"
        "web: ok: service\n");
    EXPECT_EQ(r.err, "startd: checked 3 jobs: 1 ok, 0 with errors, 2 that cannot start on this system\n");
}

TEST_F(CheckCommand, JsonSaysWhyAJobCannotStart) {
    write("lxc.conf", "apparmor load /etc/apparmor.d/lxc\nexec lxc\n");
    write("web.conf", "exec /bin/web\n");
    CheckRun r = run({dir.path()}, daemon_main::CheckFormat::Json);
    EXPECT_EQ(r.status, daemon_main::check_failed);
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["ok"], false);
    ASSERT_EQ(doc["jobs"].size(), 2u);
    EXPECT_EQ(doc["jobs"][0]["name"], "lxc");
    EXPECT_EQ(doc["jobs"][0]["ok"], false);
    EXPECT_EQ(doc["jobs"][0]["loaded"], true);
    EXPECT_EQ(doc["jobs"][0]["cannot_start"],
              "apparmor load /etc/apparmor.d/lxc: AppArmor is not supported on this system");
    EXPECT_EQ(doc["jobs"][1]["ok"], true);
    EXPECT_TRUE(doc["jobs"][1]["cannot_start"].is_null());
}

TEST_F(CheckCommand, TimerStanzasAreReportedAsStartdExtensionsAndBadSchedulesAsErrors) {
    write("backup.conf", "task\ntimer cron 30 3 * * *\ntimer missed catch-up\nexec backup\n");
    write("bad.conf", "timer cron 0 24 * * *\nexec x\n");
    write("zero.conf", "timer every 0s\nexec x\n");
    CheckRun r = run({dir.path()}, daemon_main::CheckFormat::Text);
    EXPECT_EQ(r.status, daemon_main::check_failed);
    EXPECT_EQ(r.out, "backup: ok: task (startd extensions: timer cron 30 3 * * *, timer missed catch-up)\n"
                     "bad: error (not loaded): " + (dir / "bad.conf") +
                         ":1:12: Illegal timer schedule: hour 24 is out of range 0-23\n"
                         "zero: error (not loaded): " + (dir / "zero.conf") +
                         ":1:13: Illegal timer schedule: bad duration '0s': a timer interval must be more than "
                         "zero (a number of seconds, or numbers with units s, m, h, d: 30s, 5m, 1h30m, 2d)\n");
    CheckRun j = run({dir / "backup.conf"}, daemon_main::CheckFormat::Json);
    EXPECT_EQ(j.status, daemon_main::check_ok);
    auto doc = nlohmann::json::parse(j.out);
    EXPECT_EQ(doc["jobs"][0]["extensions"], (nlohmann::json{"timer cron 30 3 * * *", "timer missed catch-up"}));
    EXPECT_EQ(doc["jobs"][0]["job"]["timers"], (nlohmann::json{"cron 30 3 * * *"}));
}

TEST_F(CheckCommand, StartdExtensionsAreMarkedAsSuchInTextAndJson) {
    write("web.conf", "respawn\nrespawn delay 1 60\nrespawn healthy 30\nexec /bin/web\n");
    write("plain.conf", "respawn\nrespawn limit 3 60\nexec /bin/plain\n");
    CheckRun r = run({dir.path()}, daemon_main::CheckFormat::Text);
    EXPECT_EQ(r.status, daemon_main::check_ok) << "extensions are not errors";
    EXPECT_EQ(r.out,
              "plain: ok: service, respawn\n"
              "web: ok: service, respawn (startd extensions: respawn delay 1 60, respawn healthy 30)\n");
    r = run({dir.path()}, daemon_main::CheckFormat::Json);
    auto doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc["jobs"].size(), 2u);
    EXPECT_EQ(doc["jobs"][0]["extensions"], nlohmann::json::array());
    EXPECT_EQ(doc["jobs"][1]["extensions"], (nlohmann::json{"respawn delay 1 60", "respawn healthy 30"}));
    EXPECT_EQ(doc["jobs"][1]["job"]["respawn_delay"], (nlohmann::json{{"min", 1}, {"max", 60}}));
}

TEST_F(CheckCommand, ASingleFileThatCannotStartFailsTheCheck) {
    write("cups.conf", "apparmor switch cups\nexec cupsd\n");
    CheckRun r = run({dir / "cups.conf"}, daemon_main::CheckFormat::Text);
    EXPECT_EQ(r.status, daemon_main::check_failed);
    EXPECT_NE(r.out.find("cups: cannot start on this system: apparmor switch cups"), std::string::npos)
        << r.out;
}

TEST_F(CheckCommand, AFifoNamedConfIsThatJobsErrorAndTheCheckFinishes) {
    write("web.conf", "exec /bin/web\n");
    ASSERT_EQ(::mkfifo((dir / "x.conf").c_str(), 0644), 0);
    CheckRun r = run({dir.path()}, daemon_main::CheckFormat::Text);
    EXPECT_EQ(r.status, daemon_main::check_failed);
    EXPECT_NE(r.out.find("x: error (not loaded): " + (dir / "x.conf") + ": "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(": not a regular file (a FIFO)\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("web: ok: service"), std::string::npos) << r.out;
}

TEST_F(CheckCommand, AFifoGivenByNameIsRefusedWithoutBlocking) {
    ASSERT_EQ(::mkfifo((dir / "x.conf").c_str(), 0644), 0);
    CheckRun r = run({dir / "x.conf"}, daemon_main::CheckFormat::Text);
    EXPECT_EQ(r.status, daemon_main::check_failed);
    EXPECT_NE(r.out.find("not a regular file (a FIFO)"), std::string::npos) << r.out;
}

} // namespace
