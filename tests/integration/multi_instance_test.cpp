// Integration: many startd instances under one startctl (issue 16, postfix-wrapper and postmulti):
// real daemons in a private home. Three instances (one disabled, two in a group), each with its
// own jobs, driven from one command line; -c against STARTD_CONFIG; a job in instance B that
// runs startctl sees B; -g GROUP stop; destroy refused while running or holding jobs; a broken
// main config reported while the others start; and `instance stop` leaves no process behind.
#include "support/instance_harness.h"
#include "support/real_daemons.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>

namespace {

using namespace std::chrono_literals;
using test_support::CtlResult;
using test_support::DaemonHarness;
using test_support::InstanceHarness;

class IntegrationMultiInstance : public ::testing::Test {
  protected:
    // init, then instances a and b in group web (enabled) and c (left disabled); a job each.
    void make_three() {
        ASSERT_EQ(ok({"instance", "init"}).out,
                  "multi-instance support is on in " + m.default_dir() + "/startd.conf\n");
        for (const char* name : {"a", "b"}) {
            ok({"instance", "create", "-I", name, "-G", "web"});
        }
        ok({"instance", "create", "-I", "c"});
        ok({"instance", "enable", "-g", "web"});
        m.write_job(m.default_dir(), "main-job", "start on startup\nexec sleep 1000\n");
        for (const char* name : {"a", "b", "c"}) {
            m.write_job(m.dir_of(name), std::string("job-") + name, "start on startup\nexec sleep 1000\n");
        }
    }
    CtlResult ok(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
        CtlResult r = m.ctl(args, env);
        EXPECT_EQ(r.status, 0) << r.out << r.err;
        return r;
    }
    nlohmann::json listed() {
        CtlResult r = ok({"instance", "list", "--json"});
        return nlohmann::json::parse(r.out, nullptr, false)["instances"];
    }
    // name → running, from `instance list --json`.
    std::map<std::string, bool> running() {
        std::map<std::string, bool> out;
        for (const auto& row : listed()) {
            out[row["name"].get<std::string>()] = row["running"].get<bool>();
        }
        return out;
    }

    InstanceHarness m;
};

TEST_F(IntegrationMultiInstance, ThreeInstancesFromOneCommandLine) {
    make_three();
    auto rows = listed();
    ASSERT_EQ(rows.size(), 4u) << rows.dump();
    EXPECT_EQ(rows[1]["name"], "a");
    EXPECT_EQ(rows[1]["group"], "web");
    EXPECT_EQ(rows[1]["enabled"], true);
    EXPECT_EQ(rows[3]["name"], "c");
    EXPECT_EQ(rows[3]["enabled"], false);
    CtlResult table = ok({"instance", "list"});
    EXPECT_NE(table.out.find("NAME             GROUP            ENABLED  RUNNING  CONFIG DIR\n"),
              std::string::npos);
    EXPECT_NE(table.out.find("c                -                no       no       " + m.dir_of("c")),
              std::string::npos)
        << table.out;

    CtlResult start = ok({"instance", "start"});
    EXPECT_NE(start.out.find("instance " + m.default_dir() + ": started (startd pid "), std::string::npos)
        << start.out;
    EXPECT_NE(start.out.find("instance a (" + m.dir_of("a") + "): started"), std::string::npos) << start.out;
    EXPECT_NE(start.out.find("instance b (" + m.dir_of("b") + "): started"), std::string::npos);
    EXPECT_NE(start.out.find("job-c: ok"), std::string::npos) << "disabled c is checked: " << start.out;
    EXPECT_NE(start.out.find("instance c (" + m.dir_of("c") + "): disabled: checked, not started"),
              std::string::npos);
    EXPECT_EQ(running(), (std::map<std::string, bool>{{"", true}, {"a", true}, {"b", true}, {"c", false}}));
    // Each instance runs its own jobs, and only those.
    for (const char* name : {"a", "b"}) {
        CtlResult list = ok({"-i", name, "list"});
        EXPECT_EQ(list.out.find("job-" + std::string(name) + " start/running, process "), 0u) << list.out;
        EXPECT_EQ(list.out.find("main-job"), std::string::npos);
    }
    EXPECT_EQ(ok({"list"}).out.find("main-job start/running, process "), 0u);
    CtlResult again = ok({"instance", "start"});
    EXPECT_NE(again.out.find("instance a (" + m.dir_of("a") + "): already running"), std::string::npos)
        << again.out;

    CtlResult status = ok({"instance", "status"});
    EXPECT_NE(status.out.find("instance a (" + m.dir_of("a") + "): running (startd pid "), std::string::npos);
    EXPECT_NE(status.out.find("): 1 job, 1 running\n"), std::string::npos) << status.out;
    EXPECT_NE(status.out.find("instance c (" + m.dir_of("c") + "): disabled, not running\n"),
              std::string::npos);

    // -g web stop: exactly a and b.
    CtlResult group = ok({"instance", "stop", "-g", "web"});
    EXPECT_NE(group.out.find("instance a (" + m.dir_of("a") + "): stopped"), std::string::npos) << group.out;
    EXPECT_EQ(group.out.find(m.default_dir() + ":"), std::string::npos) << group.out;
    EXPECT_EQ(running(), (std::map<std::string, bool>{{"", true}, {"a", false}, {"b", false}, {"c", false}}));
    CtlResult down = m.ctl({"instance", "status"});
    EXPECT_EQ(down.status, 1) << "enabled instances that do not run fail status";
    EXPECT_NE(down.err.find("startctl: instance b (" + m.dir_of("b") + "): not running\n"), std::string::npos)
        << down.err;

    CtlResult stopped = m.ctl({"instance", "reload"});
    EXPECT_EQ(stopped.status, 1) << "reload of an enabled instance that does not run fails";
    EXPECT_NE(stopped.err.find("instance a (" + m.dir_of("a") + "): not running: nothing to reload"),
              std::string::npos)
        << stopped.err;
    ok({"instance", "start", "-i", "b"});
    EXPECT_EQ(running(), (std::map<std::string, bool>{{"", true}, {"a", false}, {"b", true}, {"c", false}}));
    ok({"instance", "start"});
    CtlResult reload = ok({"instance", "reload"});
    EXPECT_NE(reload.out.find("instance b (" + m.dir_of("b") + "): reloaded: no job changed\n"),
              std::string::npos)
        << reload.out;
    EXPECT_NE(reload.out.find("instance c (" + m.dir_of("c") + "): disabled: skipped\n"), std::string::npos);
    ok({"instance", "stop"});
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return m.processes().empty(); }, 5s))
        << "instance stop leaves no process of any instance: " << m.processes().size();
}

TEST_F(IntegrationMultiInstance, ConfigOptionBeatsStartdConfigAndAJobInBSeesB) {
    make_three();
    m.write_job(m.dir_of("b"), "asker", "task\nexec " STARTCTL_BINARY " list > " + m.dir() + "/asked 2>&1\n");
    ok({"instance", "start"});
    CtlResult cwins = ok({"-c", m.dir_of("b"), "list"}, {"STARTD_CONFIG=" + m.dir_of("a")});
    EXPECT_NE(cwins.out.find("job-b "), std::string::npos) << cwins.out;
    EXPECT_EQ(cwins.out.find("job-a "), std::string::npos) << "-c wins over STARTD_CONFIG";
    CtlResult env = ok({"list"}, {"STARTD_CONFIG=" + m.dir_of("a")});
    EXPECT_NE(env.out.find("job-a "), std::string::npos) << env.out;
    CtlResult exact = ok({"instance", "status"}, {"STARTD_CONFIG=" + m.dir_of("a")});
    EXPECT_EQ(exact.out.find("instance a ("), 0u) << exact.out;
    EXPECT_EQ(exact.out.find("instance b"), std::string::npos) << "STARTD_CONFIG: that instance alone";

    ok({"-i", "b", "start", "asker"});
    std::string asked = test_support::read_file(m.dir() + "/asked");
    EXPECT_NE(asked.find("job-b start/running"), std::string::npos) << asked;
    EXPECT_EQ(asked.find("job-a"), std::string::npos) << asked;
    EXPECT_EQ(asked.find("main-job"), std::string::npos) << asked;
}

TEST_F(IntegrationMultiInstance, DestroyIsRefusedWhileRunningOrHoldingJobs) {
    make_three();
    ok({"instance", "start", "-i", "a"});
    CtlResult busy = m.ctl({"instance", "destroy", "-i", "a"});
    EXPECT_EQ(busy.status, 1);
    EXPECT_NE(busy.err.find("instance a (" + m.dir_of("a") + "): it is running (startd pid "),
              std::string::npos)
        << busy.err;
    EXPECT_NE(busy.err.find("refusing to destroy it; stop it first"), std::string::npos);
    ok({"instance", "stop", "-i", "a"});
    CtlResult jobs = m.ctl({"instance", "destroy", "-i", "a"});
    EXPECT_EQ(jobs.status, 1);
    EXPECT_NE(jobs.err.find("its jobs dir " + m.dir_of("a") + "/jobs is not empty (job-a.conf)"),
              std::string::npos)
        << jobs.err;
    EXPECT_TRUE(std::filesystem::exists(m.dir_of("a") + "/jobs/job-a.conf")) << "never deletes job files";
    std::filesystem::remove(m.dir_of("a") + "/jobs/job-a.conf");
    CtlResult gone = ok({"instance", "destroy", "-i", "a"});
    EXPECT_NE(gone.out.find("instance a (" + m.dir_of("a") + "): destroyed"), std::string::npos) << gone.out;
    EXPECT_FALSE(std::filesystem::exists(m.dir_of("a")));
    EXPECT_EQ(running(), (std::map<std::string, bool>{{"", false}, {"b", false}, {"c", false}}));
    CtlResult def = m.ctl({"instance", "destroy", "-i", "nope"});
    EXPECT_EQ(def.err, "startctl: no instance is named 'nope'\n");
}

TEST_F(IntegrationMultiInstance, ABrokenMainConfigIsReportedWhileTheOthersStart) {
    make_three();
    test_support::write_file(m.dir_of("a") + "/startd.conf",
                             "multi_instance_name = a\nmulti_instance_enable = yes\n"
                             "this line is broken\n");
    CtlResult start = m.ctl({"instance", "start"});
    EXPECT_EQ(start.status, 1) << start.out << start.err;
    EXPECT_NE(start.err.find("startctl: instance " + m.dir_of("a") + ": " + m.dir_of("a") +
                             "/startd.conf:3: expected `name = value', got 'this line is broken'"),
              std::string::npos)
        << start.err;
    EXPECT_NE(start.out.find("instance b (" + m.dir_of("b") + "): started"), std::string::npos) << start.out;
    auto rows = listed(); // a has no name now: by position
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0]["running"], true) << rows.dump();
    EXPECT_EQ(rows[1]["running"], false);
    EXPECT_NE(rows[1]["error"].get<std::string>().find("startd.conf:3:"), std::string::npos);
    EXPECT_EQ(rows[2]["running"], true);
    CtlResult check = m.ctl({"instance", "check"});
    EXPECT_EQ(check.status, 1);
    EXPECT_NE(check.err.find("startd.conf:3:"), std::string::npos);
    ok({"instance", "stop"});
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return m.processes().empty(); }, 5s));
}

TEST_F(IntegrationMultiInstance, LifeCycleCommandsEditTheMainConfigs) {
    CtlResult early = m.ctl({"instance", "create", "-I", "x"});
    EXPECT_EQ(early.status, 1);
    EXPECT_NE(early.err.find("run `startctl instance init' first"), std::string::npos) << early.err;
    ok({"instance", "init"});
    ok({"instance", "create", "-I", "x", m.dir() + "/elsewhere/x"});
    EXPECT_EQ(test_support::read_file(m.dir() + "/elsewhere/x/startd.conf"),
              "# startd instance x: its main config (startd.conf(5)).\nmulti_instance_name = x\n"
              "multi_instance_enable = no\n");
    EXPECT_EQ(test_support::read_file(m.default_dir() + "/startd.conf"),
              "multi_instance_enable = yes\nmulti_instance_directories = " + m.dir() + "/elsewhere/x\n");
    CtlResult dup = m.ctl({"instance", "create", "-I", "x"});
    EXPECT_EQ(dup.err, "startctl: an instance is already named 'x'\n");
    ok({"instance", "assign", "-i", "x", "-I", "y", "-G", "g1"});
    EXPECT_EQ(listed()[1]["name"], "y");
    EXPECT_EQ(listed()[1]["group"], "g1");
    ok({"instance", "assign", "-i", "y", "-G", "-"});
    EXPECT_EQ(listed()[1]["group"], "");
    ok({"instance", "enable", "-i", "y"});
    EXPECT_EQ(listed()[1]["enabled"], true);
    ok({"instance", "disable", "-i", "y"});
    EXPECT_EQ(listed()[1]["enabled"], false);
    CtlResult which = m.ctl({"instance", "enable"});
    EXPECT_EQ(which.err, "startctl: instance enable: say which instances: -i NAME, -g GROUP or -c DIR\n");
    CtlResult unknown = m.ctl({"instance", "frobnicate"});
    EXPECT_EQ(unknown.status, 1);
    EXPECT_EQ(unknown.err.rfind("startctl: instance: unknown subcommand 'frobnicate'", 0), 0u);
}

} // namespace
