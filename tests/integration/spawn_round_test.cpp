// Integration: process creation as jobs see it. Many jobs of every `expect` kind created in one
// round (one batch, several threads) all start with the right main pid; a job's processes hold
// stdin, stdout and stderr only, whatever descriptors startd itself inherited.
#include "base/unique_fd.h"
#include "support/daemon_harness.h"
#include "support/real_child.h"
#include "support/real_daemons.h"

#include <algorithm>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <map>
#include <sstream>
#include <unistd.h>

namespace {

using test_support::DaemonHarness;
using test_support::forking_daemon;
using test_support::read_file;
using namespace std::chrono_literals;

// job name → its line in `startctl list` ("name start/running, process 123").
std::map<std::string, std::string> list_by_name(DaemonHarness& h) {
    std::map<std::string, std::string> lines;
    std::istringstream in(h.ctl({"list"}).out);
    for (std::string line; std::getline(in, line);) {
        lines[line.substr(0, line.find(' '))] = line;
    }
    return lines;
}

class IntegrationSpawnRound : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::access("/usr/bin/python3", X_OK) != 0) {
            GTEST_SKIP() << "python3 is not installed";
        }
    }
    DaemonHarness h;
};

TEST_F(IntegrationSpawnRound, EveryExpectKindStartingInOneRoundStartsWithItsRealMainPid) {
    // Issue 12, item 2: the batch spawn created children on worker threads; a traced child
    // (expect fork/daemon) then had a worker as its tracer, which exited, and the child died of
    // its exec SIGTRAP ("killed by TRAP signal without forking"), at random.
    std::map<std::string, std::string> pidfiles; // forking jobs → where they write their pid
    for (int i = 0; i < 12; ++i) {
        std::string name = "fork" + std::to_string(i);
        pidfiles[name] = h.dir() + "/" + name + ".pid";
        h.write_job(name, "start on startup\nexpect fork\n" + forking_daemon(1, pidfiles[name]));
    }
    for (int i = 0; i < 3; ++i) {
        std::string name = "daemon" + std::to_string(i);
        pidfiles[name] = h.dir() + "/" + name + ".pid";
        h.write_job(name, "start on startup\nexpect daemon\n" + forking_daemon(2, pidfiles[name]));
    }
    std::vector<std::string> others;
    for (int i = 0; i < 3; ++i) {
        others.push_back("stop" + std::to_string(i));
        h.write_job(others.back(),
                    "start on startup\nexpect stop\nexec /bin/sh -c 'kill -STOP $$; exec sleep 300'\n");
        others.push_back("notify" + std::to_string(i));
        h.write_job(others.back(), "start on startup\nexpect notify\n" +
                                       test_support::notifying_daemon("pass", "s.sendto(b'READY=1', a)"));
    }
    for (int i = 0; i < 8; ++i) {
        others.push_back("plain" + std::to_string(i));
        h.write_job(others.back(), "start on startup\nexec sleep 300\n");
    }
    // Generous bounds: python starting twenty times at once on a loaded 2-CPU machine is slow.
    ASSERT_TRUE(h.start_daemon({"--ready-timeout", "60"})) << h.daemon_output();

    const std::size_t jobs = pidfiles.size() + others.size();
    std::map<std::string, std::string> lines;
    bool settled = DaemonHarness::wait_for(
        [&] {
            lines = list_by_name(h);
            return lines.size() == jobs && std::all_of(lines.begin(), lines.end(), [](const auto& kv) {
                       return kv.second.find("start/running, process") != std::string::npos ||
                              kv.second.find("stop/waiting") != std::string::npos;
                   });
        },
        90s);
    ASSERT_TRUE(settled) << h.daemon_output();
    for (const auto& [name, line] : lines) {
        EXPECT_NE(line.find("start/running, process "), std::string::npos) << line << "\n"
                                                                           << h.daemon_output();
    }
    for (const auto& [name, pidfile] : pidfiles) {
        pid_t tracked = DaemonHarness::pid_in(lines[name]);
        ASSERT_TRUE(DaemonHarness::wait_for([&] { return !read_file(pidfile).empty(); }, 10s)) << name;
        EXPECT_EQ(tracked, std::atoi(read_file(pidfile).c_str()))
            << name << ": the main pid is the daemon's own";
    }
    for (const std::string& name : others) {
        pid_t pid = DaemonHarness::pid_in(lines[name]);
        EXPECT_TRUE(pid > 0 && DaemonHarness::process_exists(pid)) << lines[name];
        std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
        auto close = stat.rfind(')');
        ASSERT_NE(close, std::string::npos) << name;
        EXPECT_NE(stat[close + 2], 'T') << name << " is not left stopped";
    }
    EXPECT_EQ(h.stop_daemon(), 0);
}

TEST(IntegrationSpawnFds, AJobHoldsOnlyStdioThoughStartdInheritedMore) {
    // Issue 12, item 6: a descriptor the launcher left open (no close-on-exec) reached every job.
    DaemonHarness h;
    base::UniqueFd leak(::fcntl(STDERR_FILENO, F_DUPFD, 100)); // inherited by startd: no CLOEXEC
    ASSERT_TRUE(leak.valid());
    h.write_job("direct", "start on startup\nexec sleep 300\n");
    h.write_job("shell", "start on startup\nscript\n  sleep 300\n  true\nend script\n");
    h.write_job("quiet", "start on startup\nconsole none\nexec sleep 300\n");
    for (int i = 0; i < 6; ++i) { // enough for a batch on worker threads
        h.write_job("more" + std::to_string(i), "start on startup\nexec sleep 300\n");
    }
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    ASSERT_EQ(
        ::access(("/proc/" + std::to_string(h.daemon_pid()) + "/fd/" + std::to_string(leak.get())).c_str(),
                 F_OK),
        0)
        << "startd inherited the descriptor";
    std::map<std::string, std::string> lines;
    ASSERT_TRUE(DaemonHarness::wait_for([&] {
        lines = list_by_name(h);
        return lines.size() == 9 && std::all_of(lines.begin(), lines.end(), [](const auto& kv) {
                   return kv.second.find("start/running, process") != std::string::npos;
               });
    })) << h.daemon_output();
    // Every process of every job: the main processes, and the shell job's sleep.
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return h.descendants().size() == 10; }))
        << h.descendants().size();
    for (pid_t pid : h.descendants()) {
        EXPECT_EQ(test_support::open_fds_settled(pid, {0, 1, 2}), (std::vector<int>{0, 1, 2}))
            << "process " << pid << " (" << read_file("/proc/" + std::to_string(pid) + "/cmdline") << ")";
    }
    EXPECT_EQ(h.stop_daemon(), 0);
}

} // namespace
