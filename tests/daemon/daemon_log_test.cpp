// Tests DaemonLog: startd's own log lines, their format (a local timestamp on standard error),
// the log priority, that a turn's lines reach the fd in one write at the end of the turn (or
// sooner once 16 KiB wait), and syslog first with /dev/kmsg or the fd for what it does not take.
#include "daemon/daemon_log.h"
#include "fakes/fake_sys.h"

#include <cstdlib>
#include <ctime>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <memory>
#include <string>

namespace {

using core::LogLevel;
using daemon_main::DaemonLog;
using daemon_main::DaemonLogOptions;
using daemon_main::LogPriority;

constexpr DaemonLogOptions at_info{};
constexpr DaemonLogOptions at_debug{LogPriority::Debug, false, false};
// Every line's stamp in these tests: the fake wall clock is set to 2026-12-07 20:31:02.123 UTC.
constexpr const char* stamp = "2026-12-07 20:31:02.123 ";

struct DaemonLogTest : ::testing::Test {
    DaemonLogTest() {
        ::setenv("TZ", "UTC", 1);
        ::tzset();
        sys.set_wall_clock(std::chrono::system_clock::from_time_t(1796675462) +
                           std::chrono::milliseconds(123));
        auto l = loop::EventLoop::create(sys);
        EXPECT_TRUE(l.has_value());
        loop = std::move(l).value();
        auto p = sys.pipe2(O_CLOEXEC);
        EXPECT_TRUE(p.has_value());
        pipe = std::move(p).value();
    }
    // Everything written to the pipe so far.
    std::string written() {
        (void)sys.set_nonblocking(pipe.first.get(), sys::NonBlocking::Yes);
        std::string out;
        char buf[4096];
        for (;;) {
            auto n = sys.read(pipe.first.get(), buf, sizeof buf);
            if (!n || *n == 0) {
                return out;
            }
            out.append(buf, *n);
        }
    }
    int writes() const { return sys.call_count("write"); }

    fakes::FakeSys sys;
    std::unique_ptr<loop::EventLoop> loop;
    sys::FdPair pipe;
};

TEST_F(DaemonLogTest, TheLinesOfOneTurnGoOutInOneWriteWhenTheTurnEnds) {
    DaemonLog log(sys, *loop, pipe.second.get(), at_info);
    int before = writes();
    log.write(LogLevel::Info, "web main process (42) killed by TERM signal");
    log.write(LogLevel::Warning, "db main process (43) terminated with status 1");
    log.write(LogLevel::Error, "Failed to spawn x main process: exec failed");
    EXPECT_EQ(writes(), before) << "nothing is written in the middle of a turn";
    ASSERT_TRUE(loop->run_once(loop::Wait::No).has_value());
    EXPECT_EQ(writes(), before + 1);
    EXPECT_EQ(written(), std::string(stamp) + "startd: info: web main process (42) killed by TERM signal\n" +
                             stamp + "startd: warning: db main process (43) terminated with status 1\n" +
                             stamp + "startd: error: Failed to spawn x main process: exec failed\n");
    sys.advance(std::chrono::milliseconds(1900));
    log.write(LogLevel::Info, "next turn");
    ASSERT_TRUE(loop->run_once(loop::Wait::No).has_value());
    EXPECT_EQ(written(), "2026-12-07 20:31:04.023 startd: info: next turn\n")
        << "the stamp follows the clock";
}

TEST_F(DaemonLogTest, DebugLinesOnlyWithDebug) {
    DaemonLog quiet(sys, *loop, pipe.second.get(), at_info);
    EXPECT_FALSE(quiet.wants(LogLevel::Debug));
    EXPECT_TRUE(quiet.wants(LogLevel::Info));
    quiet.write(LogLevel::Debug, "web state changed from running to pre-stop");
    quiet.flush();
    EXPECT_EQ(written(), "");
    DaemonLog chatty(sys, *loop, pipe.second.get(), at_debug);
    EXPECT_TRUE(chatty.wants(LogLevel::Debug));
    chatty.write(LogLevel::Debug, "web state changed from running to pre-stop");
    chatty.flush();
    EXPECT_EQ(written(), std::string(stamp) + "startd: debug: web state changed from running to pre-stop\n");
}

TEST_F(DaemonLogTest, ALongTurnIsWrittenAsItGoesAndTheRestAtTheEnd) {
    DaemonLog log(sys, *loop, pipe.second.get(), at_info);
    int before = writes();
    std::string line(100, 'x');
    std::size_t lines = 2 * DaemonLog::flush_at / line.size();
    for (std::size_t i = 0; i < lines; ++i) {
        log.write(LogLevel::Info, line);
    }
    int during = writes() - before;
    EXPECT_GE(during, 1) << "16 KiB are not held";
    EXPECT_LE(during, 2);
    std::string first = written();
    ASSERT_TRUE(loop->run_once(loop::Wait::No).has_value());
    std::string all = first + written();
    EXPECT_EQ(all.size(),
              lines * (line.size() + std::string(stamp).size() + std::string("startd: info: \n").size()));
}

TEST_F(DaemonLogTest, WhatIsWaitingIsWrittenWhenTheLogGoes) {
    {
        DaemonLog log(sys, *loop, pipe.second.get(), at_info);
        log.write(LogLevel::Info, "startd exiting");
    }
    EXPECT_EQ(written(), std::string(stamp) + "startd: info: startd exiting\n");
    ASSERT_TRUE(loop->run_once(loop::Wait::No).has_value()) << "its posted flush finds it gone";
    EXPECT_EQ(written(), "");
}

TEST_F(DaemonLogTest, ThePriorityKeepsItsLevelAndAboveAndCanChangeWhileRunning) {
    DaemonLog log(sys, *loop, pipe.second.get(), at_info);
    log.set_priority(LogPriority::Warn);
    EXPECT_EQ(log.priority(), LogPriority::Warn);
    log.write(LogLevel::Info, "web main process (42) killed by TERM signal");
    log.write(LogLevel::Warning, "db respawning too fast, stopped");
    log.set_priority(LogPriority::Fatal);
    log.write(LogLevel::Error, "not kept at fatal");
    log.set_priority(LogPriority::Debug);
    log.write(LogLevel::Debug, "kept at debug");
    log.flush();
    EXPECT_EQ(written(), std::string(stamp) + "startd: warning: db respawning too fast, stopped\n" + stamp +
                             "startd: debug: kept at debug\n");
}

TEST_F(DaemonLogTest, InSystemModeLinesGoToSyslogAsDatagramsAndNotToTheFd) {
    DaemonLog log(sys, *loop, pipe.second.get(), DaemonLogOptions{LogPriority::Info, true, false});
    log.write(LogLevel::Info, "web main process (42) killed by TERM signal");
    log.write(LogLevel::Error, "Failed to spawn x main process: exec failed");
    log.flush();
    EXPECT_EQ(written(), "");
    ASSERT_EQ(sys.sent_datagrams().size(), 2u);
    std::string pid = std::to_string(sys.getpid());
    EXPECT_EQ(sys.sent_datagrams()[0].to, "/dev/log");
    // Facility daemon (3): info is <30>, error <27>; RFC 3164's timestamp, as syslog(3) sends it.
    EXPECT_EQ(sys.sent_datagrams()[0].bytes,
              "<30>Dec  7 20:31:02 startd[" + pid + "]: web main process (42) killed by TERM signal");
    EXPECT_EQ(sys.sent_datagrams()[1].bytes,
              "<27>Dec  7 20:31:02 startd[" + pid + "]: Failed to spawn x main process: exec failed");
}

TEST_F(DaemonLogTest, WhatSyslogDoesNotTakeGoesToTheFdAndSyslogIsTriedAgainASecondLaterWithANote) {
    DaemonLog log(sys, *loop, pipe.second.get(), DaemonLogOptions{LogPriority::Info, true, false});
    sys.fail_next("send_datagram", ENOENT); // no syslog daemon (yet)
    log.write(LogLevel::Info, "first");
    log.write(LogLevel::Info, "second"); // not tried: syslog rests for a second
    log.flush();
    EXPECT_EQ(written(), std::string(stamp) + "startd: info: first\n" + stamp + "startd: info: second\n");
    EXPECT_TRUE(sys.sent_datagrams().empty());
    EXPECT_EQ(sys.call_count("send_datagram"), 1) << "one refused send, then a rest";
    sys.advance(std::chrono::seconds(1));
    log.write(LogLevel::Info, "third");
    log.flush();
    EXPECT_EQ(written(), "");
    ASSERT_EQ(sys.sent_datagrams().size(), 2u);
    EXPECT_NE(sys.sent_datagrams()[0].bytes.find("]: third"), std::string::npos);
    EXPECT_NE(
        sys.sent_datagrams()[1].bytes.find("]: syslog did not take 2 log lines: see startd's standard error"),
        std::string::npos)
        << sys.sent_datagrams()[1].bytes;
}

TEST_F(DaemonLogTest, AsPid1WhatSyslogDoesNotTakeGoesToTheKernelLog) {
    sys.add_file("/dev/kmsg", "");
    DaemonLog log(sys, *loop, pipe.second.get(), DaemonLogOptions{LogPriority::Info, true, true});
    sys.fail_next("send_datagram", ECONNREFUSED);
    log.write(LogLevel::Warning, "db respawning too fast, stopped");
    log.flush();
    EXPECT_EQ(written(), "");
    EXPECT_EQ(sys.file_content("/dev/kmsg").value_or("(none)"),
              "<28>startd[" + std::to_string(sys.getpid()) + "]: db respawning too fast, stopped\n");
}

TEST_F(DaemonLogTest, AsPid1WithoutAKernelLogTheFdIsTheLastResort) {
    DaemonLog log(sys, *loop, pipe.second.get(), DaemonLogOptions{LogPriority::Info, true, true});
    sys.fail_next("send_datagram", ENOENT);
    log.write(LogLevel::Info, "no syslog, no /dev/kmsg");
    log.flush();
    EXPECT_EQ(written(), std::string(stamp) + "startd: info: no syslog, no /dev/kmsg\n");
}

} // namespace
