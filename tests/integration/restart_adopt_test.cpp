// Integration: startd killed with SIGKILL and started again adopts the jobs that still run —
// the same pids, none started twice, the ones that ended meanwhile handled as exits, and
// adopted jobs stoppable — with real processes (issue 13).
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "support/daemon_harness.h"

namespace {

using test_support::DaemonHarness;
using test_support::read_file;
using namespace std::chrono_literals;

std::size_t lines_in(const std::string& path) {
    std::string text = read_file(path);
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// The job processes of the test: killed by pid at the end, whatever happened (once startd is
// SIGKILLed they are no longer its descendants, so the harness would not find them).
class Pids {
  public:
    void add(pid_t pid) {
        if (pid > 0) {
            m_pids.push_back(pid);
        }
    }
    ~Pids() {
        for (pid_t pid : m_pids) {
            if (DaemonHarness::process_exists(pid)) {
                ::kill(pid, SIGKILL);
            }
        }
    }

  private:
    std::vector<pid_t> m_pids;
};

// `list` as job name (with instance) → its status line.
std::map<std::string, std::string> listing(DaemonHarness& h) {
    std::map<std::string, std::string> jobs;
    std::istringstream in(h.ctl({"list"}).out);
    for (std::string line; std::getline(in, line);) {
        std::string key = line.substr(0, line.find(" start/") != std::string::npos ? line.find(" start/")
                                                                                    : line.find(" stop/"));
        jobs[key] = line;
    }
    return jobs;
}

TEST(Integration, ASigkilledStartdsJobsAreAdoptedByTheNextOneAndNoneIsStartedTwice) {
    DaemonHarness h;
    Pids pids;
    const std::string dir = h.dir();
    // Each start of a job appends a line to its own file: a job started twice has two.
    auto counted = [&](const std::string& name, const std::string& main) {
        return "exec sh -c 'echo $$ >> " + dir + "/starts." + name + "; exec " + main + "'\n";
    };
    for (int i = 0; i < 8; ++i) {
        std::string name = "svc" + std::to_string(i);
        h.write_job(name, std::string(i % 2 ? "respawn\n" : "") + counted(name, "sleep 1000"));
    }
    h.write_job("inst", "instance $N\n" + counted("inst$N", "sleep 1000"));
    h.write_job("boot", "start on startup\ntask\nexec sh -c 'echo ran >> " + dir + "/boot.count'\n");
    h.write_job("hook", "pre-start exec sleep 2\n" + counted("hook", "sleep 1000"));
    h.write_job("forker", "expect fork\nexec sh -c 'echo x >> " + dir + "/starts.forker; sleep 1000 & exit 0'\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return lines_in(dir + "/boot.count") == 1; }));
    for (int i = 0; i < 8; ++i) {
        auto r = h.ctl({"start", "svc" + std::to_string(i)});
        ASSERT_EQ(r.status, 0) << r.err;
        pids.add(DaemonHarness::pid_in(r.out));
    }
    for (int n = 0; n < 4; ++n) {
        auto r = h.ctl({"start", "inst", "N=" + std::to_string(n)});
        ASSERT_EQ(r.status, 0) << r.err;
        pids.add(DaemonHarness::pid_in(r.out));
    }
    auto forker = h.ctl({"start", "forker"});
    ASSERT_EQ(forker.status, 0) << forker.err;
    pids.add(DaemonHarness::pid_in(forker.out));
    ASSERT_EQ(h.ctl({"start", "--no-wait", "hook"}).status, 0); // killed while its pre-start sleeps
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return h.ctl({"status", "hook"}).out.find("pre-start") != std::string::npos; }));
    pids.add(DaemonHarness::pid_in(h.ctl({"status", "hook"}).out));
    std::map<std::string, std::string> before = listing(h);

    h.kill_daemon(); // reaped: it died of the signal
    // While no startd runs: one respawning and one plain service end.
    pid_t respawner = DaemonHarness::pid_in(before["svc1"]);
    pid_t plain = DaemonHarness::pid_in(before["svc2"]);
    ASSERT_EQ(::kill(respawner, SIGKILL), 0);
    ASSERT_EQ(::kill(plain, SIGKILL), 0);

    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    std::map<std::string, std::string> after = listing(h);
    for (const auto& [job, line] : before) {
        if (job == "svc1" || job == "svc2" || job == "hook" || job == "boot") {
            continue;
        }
        EXPECT_EQ(after[job], line) << "adopted as it was";
    }
    EXPECT_EQ(lines_in(dir + "/boot.count"), 1u) << "startup is not emitted again";
    EXPECT_EQ(after["svc2"], "svc2 stop/waiting") << "a service that ended meanwhile is stopped";
    // The respawning one that ended is started again (a second start); the others were not.
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return lines_in(dir + "/starts.svc1") == 2; }))
        << h.daemon_output();
    pids.add(DaemonHarness::pid_in(h.ctl({"status", "svc1"}).out));
    // The job whose pre-start was running when startd died goes on to run its main process once.
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return h.ctl({"status", "hook"}).out.find("start/running") != std::string::npos; }, 10s))
        << h.ctl({"status", "hook"}).out << h.daemon_output();
    pids.add(DaemonHarness::pid_in(h.ctl({"status", "hook"}).out));
    for (const char* name : {"svc0", "svc3", "svc4", "svc5", "svc6", "svc7", "inst0", "inst1", "inst2", "inst3", "hook", "forker"}) {
        EXPECT_EQ(lines_in(dir + "/starts." + std::string(name)), 1u) << name << " started once";
    }
    EXPECT_NE(h.daemon_output().find("adopted 14 jobs"), std::string::npos) << h.daemon_output();

    // An adopted job stops: its process, which is not startd's child, is gone after `stop`.
    pid_t svc0 = DaemonHarness::pid_in(after["svc0"]);
    auto stopped = h.ctl({"stop", "svc0"});
    EXPECT_EQ(stopped.status, 0) << stopped.err;
    EXPECT_EQ(stopped.out, "svc0 stop/waiting\n");
    EXPECT_TRUE(DaemonHarness::wait_for([&] {
        return !DaemonHarness::process_exists(svc0) ||
               read_file("/proc/" + std::to_string(svc0) + "/stat").find(") Z") != std::string::npos;
    }));
    // The forking daemon adopted through its recorded pid stops too.
    pid_t forked = DaemonHarness::pid_in(after["forker"]);
    EXPECT_EQ(h.ctl({"stop", "forker"}).status, 0);
    EXPECT_TRUE(DaemonHarness::wait_for([&] {
        return !DaemonHarness::process_exists(forked) ||
               read_file("/proc/" + std::to_string(forked) + "/stat").find(") Z") != std::string::npos;
    }));
    // A clean stop of startd stops the rest and leaves no journal: the next start is a fresh one.
    EXPECT_EQ(h.stop_daemon(), 0);
    EXPECT_FALSE(std::ifstream(h.socket() + ".journal").good());
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return lines_in(dir + "/boot.count") == 2; }))
        << "after a clean stop, startup comes again";
}

TEST(Integration, AConsoleLogJobKeepsRunningAndLoggingAcrossASigkilledStartd) {
    DaemonHarness h;
    Pids pids;
    // A line every 20 ms, numbered: none may be missing from the log, before, during or after
    // the time no startd runs.
    h.write_job("chatty", "exec sh -c 'i=0; while [ $i -lt 100000 ]; do i=$((i+1)); echo line $i; sleep 0.02; done'\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    auto started = h.ctl({"start", "chatty"});
    ASSERT_EQ(started.status, 0) << started.err;
    pid_t pid = DaemonHarness::pid_in(started.out);
    pids.add(pid);
    std::string log = h.log_dir() + "/chatty.log";
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return read_file(log).find("line 10\n") != std::string::npos; }));

    h.kill_daemon();
    std::this_thread::sleep_for(500ms); // ~25 lines written while nobody reads the pipe
    ASSERT_TRUE(DaemonHarness::process_exists(pid));
    ASSERT_EQ(read_file("/proc/" + std::to_string(pid) + "/stat").find(") Z"), std::string::npos)
        << "the job did not die of SIGPIPE";
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    EXPECT_EQ(h.ctl({"status", "chatty"}).out, started.out);
    // Lines written after the restart reach the log, and so do those of the gap.
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return read_file(log).find("line 60\n") != std::string::npos; }, 10s))
        << h.daemon_output();
    EXPECT_NE(h.daemon_output().find("1 log pipes taken back"), std::string::npos) << h.daemon_output();
    EXPECT_EQ(h.stop_daemon(), 0);
    std::string text = read_file(log);
    int last = 0;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        auto at = line.find("line ");
        if (at == std::string::npos) {
            continue;
        }
        int n = std::atoi(line.c_str() + at + 5);
        EXPECT_EQ(n, last + 1) << "no line lost or repeated";
        last = n;
    }
    EXPECT_GE(last, 60);
}

} // namespace
