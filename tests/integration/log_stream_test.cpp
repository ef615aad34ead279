// Integration of `startctl log` and `startctl monitor` with real processes: `log -f` shows a line
// within a second of the job writing it, follows a restart and a rotation and loses no line;
// rotation (mv + reopen, and by size) under a writer at full speed loses no line; drops on a full
// disk are said in the log once it has room again; `monitor` shows a blocked `starting` before
// the job's `started`.
#include "support/daemon_harness.h"

#include <algorithm>
#include <chrono>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

using test_support::DaemonHarness;
using namespace std::chrono_literals;

// A startctl that streams into a file until it is interrupted (SIGINT, then reaped; bounded).
class Streaming {
  public:
    Streaming(const DaemonHarness& h, std::vector<std::string> args)
        : m_out(h.dir() + "/stream." + std::to_string(++s_count)) {
        std::vector<std::string> argv = {STARTCTL_BINARY, "--socket", h.socket()};
        argv.insert(argv.end(), args.begin(), args.end());
        m_pid = ::fork();
        if (m_pid == 0) {
            std::vector<char*> raw;
            for (std::string& a : argv) {
                raw.push_back(a.data());
            }
            raw.push_back(nullptr);
            int out = ::open(m_out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            int err = ::open((m_out + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            ::dup2(out, 1);
            ::dup2(err, 2);
            ::execv(raw[0], raw.data());
            ::_exit(127);
        }
    }
    ~Streaming() {
        ::kill(m_pid, SIGINT);
        for (int i = 0; i < 200 && ::waitpid(m_pid, nullptr, WNOHANG) == 0; ++i) {
            std::this_thread::sleep_for(10ms);
        }
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, nullptr, WNOHANG);
    }
    std::string out() const { return test_support::read_file(m_out); }
    std::string err() const { return test_support::read_file(m_out + ".err"); }

  private:
    static inline int s_count = 0;
    std::string m_out;
    pid_t m_pid = -1;
};

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) {
        ++n;
    }
    return n;
}

// The numbers after "Z " on each line of a log ("2026-…Z 17").
std::vector<long> numbers_in(const std::string& text) {
    std::vector<long> n;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (auto z = line.find("Z "); z != std::string::npos && line.find("startd:") == std::string::npos) {
            n.push_back(std::atol(line.c_str() + z + 2));
        }
    }
    return n;
}

TEST(IntegrationLogStream, LogPrintsTheLastLinesAndRefusesWhatItCannotShow) {
    DaemonHarness h;
    h.write_job("counter", "task\nexec seq 1 50\n");
    h.write_job("quiet", "console none\nexec true\n");
    ASSERT_TRUE(h.start_daemon());
    ASSERT_EQ(h.ctl({"start", "counter"}).status, 0);
    ASSERT_TRUE(DaemonHarness::wait_for(
        [&] { return numbers_in(test_support::read_file(h.log_dir() + "/counter.log")).size() == 50; }, 5s));
    auto all = h.ctl({"log", "counter"});
    EXPECT_EQ(all.status, 0) << all.err;
    EXPECT_EQ(numbers_in(all.out).size(), 50u);
    auto three = h.ctl({"log", "counter", "-n", "3"});
    EXPECT_EQ(numbers_in(three.out), (std::vector<long>{48, 49, 50}));
    auto quiet = h.ctl({"log", "quiet"});
    EXPECT_EQ(quiet.status, 1);
    EXPECT_EQ(quiet.err, "startctl: quiet does not log its output (console none)\n");
    auto none = h.ctl({"log", "nosuch"});
    EXPECT_EQ(none.err, "startctl: Unknown job: nosuch\n");
}

// The job writes a numbered line every 20 ms and "marker" when asked (a file appears). The
// follower sees the marker within a second, and across a restart and a rotation holds exactly
// the lines the log files hold.
TEST(IntegrationLogStream, FollowShowsALineWithinASecondAcrossARestartAndARotationLosingNothing) {
    DaemonHarness h;
    std::string go = h.dir() + "/go";
    h.write_job("ticker", "exec sh -c 'i=0; while :; do i=$((i+1)); echo $i; if [ -e " + go +
                              " ]; then rm -f " + go + "; echo 0 marker; fi; sleep 0.02; done'\n");
    ASSERT_TRUE(h.start_daemon());
    ASSERT_EQ(h.ctl({"start", "ticker"}).status, 0);
    std::this_thread::sleep_for(200ms);
    Streaming follow(h, {"log", "-f", "-n", "0", "ticker"});
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return !follow.out().empty(); }, 5s)) << follow.err();
    { std::ofstream touch(go); }
    auto asked = std::chrono::steady_clock::now();
    ASSERT_TRUE(
        DaemonHarness::wait_for([&] { return follow.out().find("marker") != std::string::npos; }, 5s));
    EXPECT_LT(std::chrono::steady_clock::now() - asked, 1s) << "the job checks every 20 ms";

    ASSERT_EQ(h.ctl({"restart", "ticker"}).status, 0);
    std::string log = h.log_dir() + "/ticker.log";
    ASSERT_EQ(::rename(log.c_str(), (log + ".1").c_str()), 0);
    ASSERT_EQ(h.ctl({"log", "--reopen"}).status, 0);
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return std::filesystem::exists(log); }, 5s));
    std::this_thread::sleep_for(300ms);
    ASSERT_EQ(h.ctl({"stop", "ticker"}).status, 0);
    std::this_thread::sleep_for(300ms);

    std::string files = test_support::read_file(log + ".1") + test_support::read_file(log);
    std::string seen = follow.out();
    // What the follower saw is the files' end, from where it began: nothing lost or doubled.
    ASSERT_GT(seen.size(), 0u);
    EXPECT_TRUE(files.ends_with(seen))
        << "follower saw " << seen.size() << " bytes, files hold " << files.size();
    std::vector<long> n = numbers_in(seen);
    EXPECT_EQ(std::count(n.begin(), n.end(), 1L), 1) << "the restart began again at 1";
    EXPECT_GT(numbers_in(test_support::read_file(log)).size(), 3u) << "lines after the rotation";
    EXPECT_TRUE(follow.err().empty()) << follow.err();
}

// A writer at full speed while its log is rotated (mv, then reopen) every 50 ms: every line is
// in one of the files, once.
TEST(IntegrationLogStream, RotationByMoveAndReopenUnderAFullSpeedWriterLosesNoLine) {
    DaemonHarness h;
    const long total = 1000000;
    h.write_job("flood", "task\nexec seq 1 " + std::to_string(total) + "\n");
    ASSERT_TRUE(h.start_daemon());
    ASSERT_EQ(h.ctl({"start", "-n", "flood"}).status, 0);
    std::string log = h.log_dir() + "/flood.log";
    int rotations = 0;
    auto running = [&] { return h.ctl({"status", "flood"}).out.find("start/") != std::string::npos; };
    for (auto until = std::chrono::steady_clock::now() + 60s;
         std::chrono::steady_clock::now() < until && running();) {
        std::this_thread::sleep_for(50ms);
        if (::rename(log.c_str(), (log + "." + std::to_string(++rotations)).c_str()) == 0) {
            h.ctl({"log", "--reopen"});
        }
    }
    ASSERT_FALSE(running()) << "seq did not finish";
    std::vector<long> all;
    for (int i = 1; i <= rotations; ++i) {
        auto n = numbers_in(test_support::read_file(log + "." + std::to_string(i)));
        all.insert(all.end(), n.begin(), n.end());
    }
    auto rest = numbers_in(test_support::read_file(log));
    all.insert(all.end(), rest.begin(), rest.end());
    ASSERT_EQ(static_cast<long>(all.size()), total) << rotations << " rotations";
    for (long i = 0; i < total; ++i) {
        ASSERT_EQ(all[static_cast<std::size_t>(i)], i + 1);
    }
    EXPECT_GT(rotations, 1);
}

TEST(IntegrationLogStream, RotationBySizeKeepsKFilesOfAtMostSBytesAndLosesNoLine) {
    DaemonHarness h;
    h.write_job("flood", "task\nexec seq 1 100000\n");
    ASSERT_TRUE(h.start_daemon({"--log-max-size", "256K", "--log-keep", "20"}));
    ASSERT_EQ(h.ctl({"start", "flood"}).status, 0);
    std::string log = h.log_dir() + "/flood.log";
    std::vector<long> all;
    auto gather = [&] {
        all.clear();
        for (int i = 20; i >= 1; --i) {
            std::string path = log + "." + std::to_string(i);
            if (std::filesystem::exists(path)) {
                auto n = numbers_in(test_support::read_file(path));
                all.insert(all.end(), n.begin(), n.end());
            }
        }
        auto rest = numbers_in(test_support::read_file(log));
        all.insert(all.end(), rest.begin(), rest.end());
        return all.size() >= 100000;
    };
    ASSERT_TRUE(DaemonHarness::wait_for(gather, 10s)) << all.size();
    for (int i = 1; i <= 20; ++i) {
        std::string path = log + "." + std::to_string(i);
        if (std::filesystem::exists(path)) {
            EXPECT_LE(std::filesystem::file_size(path), 256u << 10) << path;
        }
    }
    ASSERT_EQ(all.size(), 100000u); // 2.9 MB of records: 12 files
    for (std::size_t i = 0; i < all.size(); ++i) {
        ASSERT_EQ(all[i], static_cast<long>(i + 1));
    }
}

// The log dir is a 256 KiB tmpfs in startd's own mount namespace (root only). The job fills it,
// writes lines that cannot be stored, frees the space and writes again: status --json counts
// the drops, and the log says them before the next line.
TEST(IntegrationLogStream, DropsOnAFullDiskAreSaidInTheLogOnceItHasRoomAgain) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "needs root (a tmpfs in a private mount namespace)";
    }
    if (::access("/usr/bin/unshare", X_OK) != 0) {
        GTEST_SKIP() << "no unshare";
    }
    DaemonHarness h;
    std::filesystem::create_directories(h.log_dir());
    std::string go = h.dir() + "/go";
    h.write_job("filler", "exec sh -c 'dd if=/dev/zero of=" + h.log_dir() +
                              "/filler bs=4k 2>/dev/null; seq 1 1000; while [ ! -e " + go +
                              " ]; do sleep 0.05; done; rm " + h.log_dir() +
                              "/filler; sleep 0.2; echo after; exec sleep 1000'\n");
    ASSERT_TRUE(
        h.start_daemon({}, {"/usr/bin/unshare", "-m", "/bin/sh", "-c",
                            "mount -t tmpfs -o size=256k tmpfs '" + h.log_dir() + "' && exec \"$@\"", "sh"}));
    ASSERT_EQ(h.ctl({"start", "filler"}).status, 0);
    nlohmann::json log;
    ASSERT_TRUE(DaemonHarness::wait_for(
        [&] {
            auto r = h.ctl({"status", "--json", "filler"});
            auto doc = nlohmann::json::parse(r.out, nullptr, false);
            if (doc.is_discarded()) {
                return false;
            }
            log = doc["statuses"][0].value("log", nlohmann::json::object());
            return log.value("dropped_lines", 0) >= 1000;
        },
        10s))
        << log.dump();
    { std::ofstream touch(go); }
    // The file lives in startd's mount namespace: seen through its root.
    std::string inside = "/proc/" + std::to_string(h.daemon_pid()) + "/root" + h.log_dir() + "/filler.log";
    ASSERT_TRUE(DaemonHarness::wait_for(
        [&] { return test_support::read_file(inside).find("after") != std::string::npos; }, 10s))
        << test_support::read_file(inside);
    std::string text = test_support::read_file(inside);
    std::size_t notice = text.find("startd: ");
    ASSERT_NE(notice, std::string::npos) << text;
    EXPECT_NE(text.find(" lines) dropped\n", notice), std::string::npos) << text;
    EXPECT_LT(notice, text.find("after"));
    EXPECT_EQ(count_of(text, "dropped"), 1u);
}

// gate starts on `starting svc` and takes a second: svc's starting event is held until gate is
// done. monitor shows that event, gate's run, then svc's started.
TEST(IntegrationLogStream, MonitorShowsABlockedStartingBeforeTheJobsStarted) {
    DaemonHarness h;
    h.write_job("svc", "exec sleep 1000\n");
    h.write_job("gate", "start on starting svc\ntask\nexec sleep 1\n");
    ASSERT_TRUE(h.start_daemon());
    Streaming text(h, {"monitor"});
    Streaming json(h, {"monitor", "--json"});
    std::this_thread::sleep_for(300ms);
    ASSERT_EQ(h.ctl({"start", "svc", "ENV_SECRET=1"}).status, 0);
    ASSERT_TRUE(DaemonHarness::wait_for(
        [&] { return text.out().find("event started JOB=svc") != std::string::npos; }, 5s))
        << text.out() << text.err();
    std::string out = text.out();
    std::size_t starting = out.find("event starting JOB=svc");
    std::size_t gate_runs = out.find("job gate start/running");
    std::size_t started = out.find("event started JOB=svc");
    ASSERT_NE(starting, std::string::npos) << out;
    ASSERT_NE(gate_runs, std::string::npos) << out;
    EXPECT_LT(starting, gate_runs);
    EXPECT_LT(gate_runs, started);
    EXPECT_NE(out.find("job svc start/starting"), std::string::npos) << out;
    EXPECT_NE(out.find("job svc start/running, process "), std::string::npos) << out;
    ASSERT_TRUE(
        DaemonHarness::wait_for([&] { return json.out().find("\"started\"") != std::string::npos; }, 5s));
    std::istringstream lines(json.out());
    std::string line;
    int events = 0;
    while (std::getline(lines, line)) {
        auto doc = nlohmann::json::parse(line, nullptr, false);
        ASSERT_FALSE(doc.is_discarded()) << line;
        EXPECT_TRUE(doc.contains("time_ms"));
        events += doc["type"] == "event" ? 1 : 0;
    }
    EXPECT_GE(events, 2);
}

} // namespace
