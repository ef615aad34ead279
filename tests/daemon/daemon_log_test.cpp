// Tests DaemonLog: startd's own log lines, their format, the debug switch, and that a turn's lines
// reach the fd in one write at the end of the turn (or sooner once 16 KiB wait).
#include "daemon/daemon_log.h"
#include "fakes/fake_sys.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <memory>
#include <string>

namespace {

using core::LogLevel;
using daemon_main::DaemonLog;

struct DaemonLogTest : ::testing::Test {
    DaemonLogTest() {
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
    DaemonLog log(sys, *loop, pipe.second.get(), false);
    int before = writes();
    log.write(LogLevel::Info, "web main process (42) killed by TERM signal");
    log.write(LogLevel::Warning, "db main process (43) terminated with status 1");
    log.write(LogLevel::Error, "Failed to spawn x main process: exec failed");
    EXPECT_EQ(writes(), before) << "nothing is written in the middle of a turn";
    ASSERT_TRUE(loop->run_once(loop::Wait::No).has_value());
    EXPECT_EQ(writes(), before + 1);
    EXPECT_EQ(written(), "startd: info: web main process (42) killed by TERM signal\n"
                         "startd: warning: db main process (43) terminated with status 1\n"
                         "startd: error: Failed to spawn x main process: exec failed\n");
    log.write(LogLevel::Info, "next turn");
    ASSERT_TRUE(loop->run_once(loop::Wait::No).has_value());
    EXPECT_EQ(written(), "startd: info: next turn\n");
}

TEST_F(DaemonLogTest, DebugLinesOnlyWithDebug) {
    DaemonLog quiet(sys, *loop, pipe.second.get(), false);
    EXPECT_FALSE(quiet.wants(LogLevel::Debug));
    EXPECT_TRUE(quiet.wants(LogLevel::Info));
    quiet.write(LogLevel::Debug, "web state changed from running to pre-stop");
    quiet.flush();
    EXPECT_EQ(written(), "");
    DaemonLog chatty(sys, *loop, pipe.second.get(), true);
    EXPECT_TRUE(chatty.wants(LogLevel::Debug));
    chatty.write(LogLevel::Debug, "web state changed from running to pre-stop");
    chatty.flush();
    EXPECT_EQ(written(), "startd: debug: web state changed from running to pre-stop\n");
}

TEST_F(DaemonLogTest, ALongTurnIsWrittenAsItGoesAndTheRestAtTheEnd) {
    DaemonLog log(sys, *loop, pipe.second.get(), false);
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
    EXPECT_EQ(all.size(), lines * (line.size() + std::string("startd: info: \n").size()));
}

TEST_F(DaemonLogTest, WhatIsWaitingIsWrittenWhenTheLogGoes) {
    {
        DaemonLog log(sys, *loop, pipe.second.get(), false);
        log.write(LogLevel::Info, "startd exiting");
    }
    EXPECT_EQ(written(), "startd: info: startd exiting\n");
    ASSERT_TRUE(loop->run_once(loop::Wait::No).has_value()) << "its posted flush finds it gone";
    EXPECT_EQ(written(), "");
}

} // namespace
