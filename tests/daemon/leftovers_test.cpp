// Tests the end-of-shutdown sweep: what is still below startd gets TERM once, KILL after the
// timeout, and the sweep ends when nothing is left or when processes outlive KILL.
#include "daemon/leftovers.h"
#include "support/fake_proc.h"

#include <csignal>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using fakes::FakeSys;

class LeftoversTest : public ::testing::Test {
  protected:
    void SetUp() override {
        self = proc.sys.self_pid();
        proc.process(self, 'S', 1);
    }
    // A running process the fake lets us signal; its place in /proc is set by the test.
    pid_t orphan() { return proc.sys.add_child_process(); }
    std::vector<std::pair<pid_t, int>> sent() const {
        std::vector<std::pair<pid_t, int>> out;
        for (const auto& s : proc.sys.signals_sent()) {
            out.emplace_back(s.pid, s.sig);
        }
        return out;
    }
    void turn() { ASSERT_TRUE(loop->run_once(loop::Wait::No)); }

    test_support::FakeProc proc;
    pid_t self = 0;
    std::unique_ptr<loop::EventLoop> loop = std::move(loop::EventLoop::create(proc.sys)).value();
    proc::ProcessTree tree{proc.sys};
    std::vector<std::string> logged;
    int gave_up = 0;
    daemon_main::Leftovers leftovers{
        proc.sys,
        *loop,
        tree,
        [this](core::LogLevel, std::string_view text) { logged.emplace_back(text); },
        [this] { ++gave_up; },
        5s};
};

TEST_F(LeftoversTest, NothingBelowStartdEndsTheSweepAtOnceAndSignalsNobody) {
    EXPECT_FALSE(leftovers.sweep());
    EXPECT_TRUE(sent().empty());
    EXPECT_TRUE(logged.empty());
}

TEST_F(LeftoversTest, AdoptedOrphansAndTheirChildrenGetTermOnceThenKillAfterTheTimeout) {
    pid_t daemon = orphan();
    pid_t worker = orphan();
    proc.process(daemon, 'S', self);
    proc.process(worker, 'S', daemon);
    proc.children_file(self, self, std::to_string(daemon) + " ");
    proc.children_file(daemon, daemon, std::to_string(worker) + " ");

    EXPECT_TRUE(leftovers.sweep());
    EXPECT_EQ(sent(), (std::vector<std::pair<pid_t, int>>{{daemon, SIGTERM}, {worker, SIGTERM}}));
    ASSERT_EQ(logged.size(), 1U);
    EXPECT_NE(logged[0].find(std::to_string(daemon) + " " + std::to_string(worker)), std::string::npos)
        << logged[0];

    // Another reap (of something else) sweeps again: no second TERM for the same processes.
    EXPECT_TRUE(leftovers.sweep());
    EXPECT_EQ(sent().size(), 2U);

    proc.sys.advance(4999ms);
    turn();
    EXPECT_EQ(sent().size(), 2U);
    proc.sys.advance(1ms);
    turn();
    EXPECT_EQ(sent(), (std::vector<std::pair<pid_t, int>>{
                          {daemon, SIGTERM}, {worker, SIGTERM}, {daemon, SIGKILL}, {worker, SIGKILL}}));

    // Both gone (zombies are not processes to wait for): the sweep is over.
    proc.process(worker, 'Z', daemon);
    proc.process(daemon, 'Z', self);
    EXPECT_FALSE(leftovers.sweep());
    EXPECT_EQ(gave_up, 0);
}

TEST_F(LeftoversTest, ProcessesOutlivingKillAreGivenUpOnAfterAnotherTimeout) {
    pid_t stuck = orphan();
    proc.process(stuck, 'D', self);
    proc.children_file(self, self, std::to_string(stuck) + " ");
    EXPECT_TRUE(leftovers.sweep());
    proc.sys.advance(5s);
    turn();
    EXPECT_EQ(sent().back(), (std::pair<pid_t, int>{stuck, SIGKILL}));
    EXPECT_EQ(gave_up, 0);
    proc.sys.advance(5s);
    turn();
    EXPECT_EQ(gave_up, 1);
    EXPECT_FALSE(leftovers.sweep());
    EXPECT_NE(logged.back().find("outlived KILL"), std::string::npos) << logged.back();
}

} // namespace
