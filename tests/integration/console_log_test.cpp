// Integration of `console log` under load, with real processes: chatty and flooding jobs keep
// running with every line in their log, a log that cannot be written drops and counts, startd's
// descriptors stay flat under thousands of instances, and a thousand logging jobs start under
// the usual inherited soft limit of 1,024 descriptors.
#include "control/framing.h"
#include "control/protocol.h"
#include "support/daemon_harness.h"
#include "support/real_child.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace {

using test_support::DaemonHarness;
using test_support::rss_kib;
using namespace std::chrono_literals;

off_t file_size(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

std::size_t count_lines(const std::string& path) {
    std::string text = test_support::read_file(path);
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) {
        ++n;
    }
    return n;
}

TEST(IntegrationConsoleLog, AHundredThousandLinesAllReachTheLogAndTheJobKeepsRunning) {
    DaemonHarness h;
    h.write_job("chatty", "exec sh -c 'seq 1 100000; exec sleep 1000'\n");
    ASSERT_TRUE(h.start_daemon());
    auto started = h.ctl({"start", "chatty"});
    pid_t pid = DaemonHarness::pid_in(started.out);
    ASSERT_GT(pid, 0) << started.out << started.err;
    std::string log = h.log_dir() + "/chatty.log";
    EXPECT_TRUE(DaemonHarness::wait_for([&] { return count_lines(log) >= 100000; }, 20s))
        << count_lines(log) << " lines in the log";
    std::string text = test_support::read_file(log);
    EXPECT_EQ(count_lines(log), 100000u);
    EXPECT_NE(text.find("Z 1\n"), std::string::npos);
    EXPECT_NE(text.find("Z 50000\n"), std::string::npos);
    EXPECT_TRUE(text.ends_with("Z 100000\n"))
        << text.substr(text.size() - std::min<std::size_t>(text.size(), 40));
    EXPECT_EQ(h.ctl({"status", "chatty"}).out, "chatty start/running, process " + std::to_string(pid) + "\n");
}

// `yes` writes as fast as it can: startd reads it for as long as it runs (the job waits on a
// full pipe when startd is behind; it is never cut off with SIGPIPE).
TEST(IntegrationConsoleLog, AFloodingJobKeepsRunningAndItsLogKeepsGrowing) {
    DaemonHarness h;
    h.write_job("flood", "exec yes\n");
    ASSERT_TRUE(h.start_daemon());
    auto started = h.ctl({"start", "flood"});
    pid_t pid = DaemonHarness::pid_in(started.out);
    ASSERT_GT(pid, 0) << started.out << started.err;
    std::string log = h.log_dir() + "/flood.log";
    off_t before = 0;
    for (int second = 0; second < 3; ++second) {
        std::this_thread::sleep_for(1s);
        off_t now = file_size(log);
        EXPECT_GT(now, before) << "after " << second + 1 << " s";
        before = now;
    }
    EXPECT_GT(before, off_t{4} << 20) << "at least 4 MiB in 3 s";
    EXPECT_EQ(h.ctl({"status", "flood"}).out, "flood start/running, process " + std::to_string(pid) + "\n");
    EXPECT_EQ(h.ctl({"version"}).status, 0) << "startd still answers while it drains the flood";
}

// A log that cannot be written (here a symlink to /dev/full: every write fails with ENOSPC)
// costs the job nothing: its output is dropped, and counted per instance in status --json.
TEST(IntegrationConsoleLog, ALogThatCannotBeWrittenDropsAndCountsWhileTheJobRuns) {
    DaemonHarness h;
    h.write_job("full", "exec sh -c 'seq 1 100000; exec sleep 1000'\n");
    ASSERT_EQ(::mkdir(h.log_dir().c_str(), 0700), 0);
    ASSERT_EQ(::symlink("/dev/full", (h.log_dir() + "/full.log").c_str()), 0);
    ASSERT_TRUE(h.start_daemon());
    auto started = h.ctl({"start", "full"});
    pid_t pid = DaemonHarness::pid_in(started.out);
    ASSERT_GT(pid, 0) << started.out << started.err;
    nlohmann::json log;
    EXPECT_TRUE(DaemonHarness::wait_for(
        [&] {
            auto status = h.ctl({"status", "--json", "full"});
            auto reply = nlohmann::json::parse(status.out, nullptr, false);
            if (reply.is_discarded() || !reply.contains("statuses") ||
                !reply["statuses"][0].contains("log")) {
                return false;
            }
            log = reply["statuses"][0]["log"];
            return log.value("dropped_lines", 0) >= 100000;
        },
        20s))
        << log.dump();
    EXPECT_EQ(log.value("dropped_lines", 0), 100000);
    EXPECT_GE(log.value("dropped_bytes", 0), 588895) << "at least seq's own output";
    EXPECT_EQ(log.value("path", ""), h.log_dir() + "/full.log");
    EXPECT_EQ(h.ctl({"status", "full"}).out, "full start/running, process " + std::to_string(pid) + "\n");
}

// Sends `requests` over one connection, pipelined, and waits (bounded) for as many replies.
std::vector<control::Response> exchange(const std::string& socket,
                                        const std::vector<control::Request>& requests) {
    std::vector<control::Response> replies;
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    socket.copy(a.sun_path, socket.size());
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return replies;
    }
    std::string out;
    for (const control::Request& r : requests) {
        out += control::encode_frame(control::encode_request(r));
    }
    if (::send(fd, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size())) {
        ::close(fd);
        return replies;
    }
    control::FrameDecoder dec(control::max_response_payload);
    timeval tv{30, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[65536];
    while (replies.size() < requests.size()) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) {
            break;
        }
        dec.feed(std::string_view(buf, static_cast<std::size_t>(n)));
        while (auto payload = dec.next()) {
            if (auto r = control::decode_response(*payload); r) {
                replies.push_back(std::move(r).value());
            }
        }
    }
    ::close(fd);
    return replies;
}

// Each instance logs to its own file. Once an instance is gone, so is every descriptor startd
// held for it: 3,000 of them leave startd's descriptor count where it was.
TEST(IntegrationConsoleLog, ThreeThousandTaskInstancesLeaveStartdsDescriptorsWhereTheyWere) {
    DaemonHarness h;
    h.write_job("worker", "task\ninstance $N\nexec echo worker $N\n");
    ASSERT_TRUE(h.start_daemon());
    pid_t startd = h.daemon_pid();
    std::size_t fds_before = test_support::open_fds(startd).size();
    long rss_before = rss_kib(startd);
    constexpr int total = 3000;
    constexpr int batch = 100;
    for (int first = 0; first < total; first += batch) {
        std::vector<control::Request> requests;
        for (int i = first; i < first + batch; ++i) {
            control::Request r;
            r.id = static_cast<std::uint64_t>(i + 1);
            r.command = "start";
            r.args = {{"job", "worker"}, {"env", {"N=" + std::to_string(i)}}, {"wait", true}};
            requests.push_back(std::move(r));
        }
        auto replies = exchange(h.socket(), requests);
        ASSERT_EQ(replies.size(), requests.size()) << "batch at " << first;
        for (const control::Response& r : replies) {
            ASSERT_TRUE(r.ok) << r.error.message;
        }
    }
    std::size_t fds_after = 0;
    EXPECT_TRUE(DaemonHarness::wait_for(
        [&] { return (fds_after = test_support::open_fds(startd).size()) <= fds_before; }, 10s))
        << fds_before << " fds before, " << fds_after << " after " << total << " instances";
    long rss_after = rss_kib(startd);
    std::cout << "[ figures  ] startd fds " << fds_before << " -> " << fds_after << ", RSS " << rss_before
              << " KiB -> " << rss_after << " KiB after " << total << " instances\n";
    if (!test_support::asan_build) {
        EXPECT_LT(rss_after - rss_before, 32 * 1024) << "KiB of RSS grown";
    }
    EXPECT_EQ(test_support::read_file(h.log_dir() + "/worker-2999.log").substr(21), "worker 2999\n");
    EXPECT_EQ(h.ctl({"version"}).status, 0);
}

// A wrapper that starts startd with this soft RLIMIT_NOFILE (the hard one unchanged).
std::vector<std::string> with_soft_nofile(rlim_t soft) {
    return {"/bin/sh", "-c", "ulimit -Sn " + std::to_string(soft) + " && exec \"$0\" \"$@\""};
}

// startd raises its own soft limit (each `console log` job holds a pipe in startd) while its
// jobs keep the 1,024 programs using select() need, unless their own `limit nofile` says otherwise.
TEST(IntegrationConsoleLog, ElevenHundredLoggingJobsStartUnderAnInheritedSoftLimitOf1024) {
    rlimit lim{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &lim), 0);
    if (lim.rlim_max < 2048) {
        GTEST_SKIP() << "the hard RLIMIT_NOFILE (" << lim.rlim_max << ") leaves startd no room to raise";
    }
    DaemonHarness h;
    constexpr int n = 1100;
    for (int i = 1; i < n; ++i) {
        h.write_job("svc" + std::to_string(i), "start on startup\nexec sleep 300\n");
    }
    h.write_job("svc0", "start on startup\nexec sh -c 'ulimit -Sn; exec sleep 300'\n");
    h.write_job("own", "start on startup\nlimit nofile 2000 2000\nexec sh -c 'ulimit -Sn; exec sleep 300'\n");
    ASSERT_TRUE(h.start_daemon({}, with_soft_nofile(1024)));
    std::string list;
    EXPECT_TRUE(DaemonHarness::wait_for(
        [&] {
            list = h.ctl({"list"}).out;
            return count_of(list, "start/running") == n + 1;
        },
        60s))
        << count_of(list, "start/running") << " running\n"
        << h.daemon_output().substr(0, 2000);
    EXPECT_TRUE(DaemonHarness::wait_for([&] {
        return test_support::read_file(h.log_dir() + "/svc0.log").ends_with("Z 1024\n");
    })) << test_support::read_file(h.log_dir() + "/svc0.log");
    EXPECT_TRUE(DaemonHarness::wait_for([&] {
        return test_support::read_file(h.log_dir() + "/own.log").ends_with("Z 2000\n");
    })) << test_support::read_file(h.log_dir() + "/own.log");
    EXPECT_EQ(h.daemon_output().find("out of file descriptors"), std::string::npos) << h.daemon_output();
}

// Where the hard limit leaves no room, the jobs that cannot have the descriptors they need
// fail, saying why: startd is out of file descriptors.
TEST(IntegrationConsoleLog, JobsThatFindStartdOutOfDescriptorsFailSayingSo) {
    DaemonHarness h;
    constexpr int n = 80;
    for (int i = 0; i < n; ++i) {
        h.write_job("svc" + std::to_string(i), "start on go\nexec sleep 300\n");
    }
    ASSERT_TRUE(h.start_daemon({}, {"/bin/sh", "-c", "ulimit -n 64 && exec \"$0\" \"$@\""}));
    auto emitted = h.ctl({"emit", "go"});
    EXPECT_NE(emitted.status, 0);
    EXPECT_NE(emitted.err.find("out of file descriptors"), std::string::npos) << emitted.err;
    // Every job that could not be spawned says why; the rest run, and startd still answers.
    std::string out;
    EXPECT_TRUE(DaemonHarness::wait_for([&] {
        return (out = h.daemon_output()).find("Failed to spawn") != std::string::npos;
    })) << out;
    std::size_t failed = count_of(out, "Failed to spawn");
    EXPECT_EQ(count_of(out, "(startd is out of file descriptors)"), failed) << out;
    auto list = h.ctl({"list"});
    EXPECT_EQ(list.status, 0);
    // A spawn batch prepares 32 plans with their pipes at once, so near the limit more jobs fail
    // than strictly must; under ASan (which holds descriptors of its own) none may be left over.
    if (!test_support::asan_build) {
        EXPECT_GT(count_of(list.out, "start/running"), 0u) << list.out << out;
    }
}

} // namespace
