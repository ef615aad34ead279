// Tests ChildWatch: exits through pidfds, the SIGCHLD + waitid(P_ALL) fallback, orphans, and
// real children on the real kernel with bounded waits.
#include "loop/child_watch.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "fakes/fake_sys.h"
#include "loop/timer.h"
#include "support/real_child.h"
#include "sys/linux_sys.h"

namespace {

using namespace std::chrono_literals;
using fakes::FakeSys;
using loop::ChildWatch;
using loop::EventLoop;
using loop::Wait;

class ChildWatchTest : public ::testing::Test {
protected:
    FakeSys fake;
    std::unique_ptr<EventLoop> loop = std::move(EventLoop::create(fake)).value();
    std::unique_ptr<ChildWatch> children = std::move(ChildWatch::create(*loop)).value();
    std::vector<sys::ChildStatus> exits;

    ChildWatch::Callback record() {
        return [this](const sys::ChildStatus& status) { exits.push_back(status); };
    }
    sys::Spawned spawn() { return std::move(fake.spawn(sys::SpawnPlan{})).value(); }
    void turn() { ASSERT_TRUE(loop->run_once(Wait::No)); }
};

TEST_F(ChildWatchTest, AWatchedChildsExitIsDeliveredOnceAndTheChildIsReaped) {
    sys::Spawned child = spawn();
    int pidfd = child.pidfd.get();
    ASSERT_TRUE(children->watch(child.pid, std::move(child.pidfd), record()));
    turn();
    EXPECT_TRUE(exits.empty());
    fake.exit_process(child.pid, 3);
    turn();
    ASSERT_EQ(exits.size(), 1u);
    EXPECT_EQ(exits[0].pid, child.pid);
    EXPECT_TRUE(exits[0].exited());
    EXPECT_EQ(exits[0].status, 3);
    EXPECT_EQ(fake.process(child.pid).state, FakeSys::Process::State::Reaped);
    EXPECT_FALSE(children->watching(child.pid));
    EXPECT_FALSE(fake.is_open(pidfd));
    turn();
    EXPECT_EQ(exits.size(), 1u);
    EXPECT_FALSE(children->uses_sigchld());
}

TEST_F(ChildWatchTest, AKilledChildReportsItsSignal) {
    sys::Spawned child = spawn();
    ASSERT_TRUE(children->watch(child.pid, std::move(child.pidfd), record()));
    fake.kill_process(child.pid, SIGSEGV, true);
    turn();
    ASSERT_EQ(exits.size(), 1u);
    EXPECT_TRUE(exits[0].killed());
    EXPECT_EQ(exits[0].code, CLD_DUMPED);
    EXPECT_EQ(exits[0].status, SIGSEGV);
}

TEST_F(ChildWatchTest, AChildWithoutAPidfdGetsOneFromPidfdOpen) {
    sys::Spawned child = spawn();
    child.pidfd.reset();
    ASSERT_TRUE(children->watch(child.pid, {}, record()));
    EXPECT_EQ(fake.call_count("pidfd_open"), 1);
    fake.exit_process(child.pid, 0);
    turn();
    ASSERT_EQ(exits.size(), 1u);
    EXPECT_FALSE(children->uses_sigchld());
}

TEST_F(ChildWatchTest, WithoutPidfdsTheSigchldRouteReapsTheChild) {
    fake.set_pidfd_supported(false);
    sys::Spawned child = spawn();
    ASSERT_TRUE(children->watch(child.pid, std::move(child.pidfd), record()));
    EXPECT_TRUE(children->uses_sigchld());
    EXPECT_TRUE(sigismember(&fake.blocked_signals(), SIGCHLD));
    turn(); // the initial sweep finds nothing yet
    EXPECT_TRUE(exits.empty());
    fake.exit_process(child.pid, 7);
    turn();
    ASSERT_EQ(exits.size(), 1u);
    EXPECT_EQ(exits[0].status, 7);
    EXPECT_EQ(fake.process(child.pid).state, FakeSys::Process::State::Reaped);
}

TEST_F(ChildWatchTest, AChildThatEndedBeforeSigchldWasBlockedIsStillReaped) {
    fake.set_pidfd_supported(false);
    sys::Spawned child = spawn();
    fake.exit_process(child.pid, 1); // SIGCHLD not blocked yet: the kernel drops it
    EXPECT_FALSE(fake.is_pending(SIGCHLD));
    ASSERT_TRUE(children->watch(child.pid, {}, record()));
    turn();
    ASSERT_EQ(exits.size(), 1u);
    EXPECT_EQ(exits[0].status, 1);
}

TEST_F(ChildWatchTest, WhenBothRoutesAreOnAnExitIsStillDeliveredOnce) {
    ASSERT_TRUE(children->set_orphan_handler([](const sys::ChildStatus&) { ADD_FAILURE() << "not an orphan"; }));
    sys::Spawned child = spawn();
    ASSERT_TRUE(children->watch(child.pid, std::move(child.pidfd), record()));
    fake.exit_process(child.pid, 0); // readable pidfd and a pending SIGCHLD
    turn();
    turn();
    EXPECT_EQ(exits.size(), 1u);
    EXPECT_EQ(loop->watch_count(), 2u); // the timer queue and the SIGCHLD signalfd
}

TEST_F(ChildWatchTest, OrphansAreReapedAndHandedToTheOrphanHandler) {
    std::vector<sys::ChildStatus> orphans;
    ASSERT_TRUE(children->set_orphan_handler([&](const sys::ChildStatus& s) { orphans.push_back(s); }));
    pid_t orphan = fake.add_child_process();
    turn();
    fake.exit_process(orphan, 0);
    turn();
    ASSERT_EQ(orphans.size(), 1u);
    EXPECT_EQ(orphans[0].pid, orphan);
    EXPECT_EQ(fake.process(orphan).state, FakeSys::Process::State::Reaped);
}

TEST_F(ChildWatchTest, AnUnwatchedChildIsLeftUnreaped) {
    sys::Spawned child = spawn();
    ASSERT_TRUE(children->watch(child.pid, std::move(child.pidfd), record()));
    children->unwatch(child.pid);
    fake.exit_process(child.pid, 0);
    turn();
    EXPECT_TRUE(exits.empty());
    EXPECT_EQ(fake.process(child.pid).state, FakeSys::Process::State::Zombie);
}

TEST_F(ChildWatchTest, WatchingTheSamePidTwiceFails) {
    sys::Spawned child = spawn();
    ASSERT_TRUE(children->watch(child.pid, std::move(child.pidfd), record()));
    auto again = children->watch(child.pid, {}, record());
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code(), EEXIST);
}

TEST_F(ChildWatchTest, WatchingAChildThatIsGoneFailsWithEsrch) {
    sys::Spawned child = spawn();
    fake.exit_process(child.pid, 0);
    ASSERT_TRUE(fake.waitid(P_PID, static_cast<id_t>(child.pid), WEXITED));
    auto watched = children->watch(child.pid, {}, record());
    ASSERT_FALSE(watched);
    EXPECT_EQ(watched.error().code(), ESRCH);
}

TEST_F(ChildWatchTest, TheCallbackMayWatchANewChild) {
    sys::Spawned first = spawn();
    sys::Spawned second = spawn();
    pid_t second_pid = second.pid;
    ASSERT_TRUE(children->watch(first.pid, std::move(first.pidfd), [&](const sys::ChildStatus&) {
        ASSERT_TRUE(children->watch(second_pid, std::move(second.pidfd), record())); // a respawn
    }));
    fake.exit_process(first.pid, 1);
    turn();
    EXPECT_TRUE(children->watching(second_pid));
    fake.exit_process(second_pid, 2);
    turn();
    ASSERT_EQ(exits.size(), 1u);
    EXPECT_EQ(exits[0].status, 2);
}

TEST_F(ChildWatchTest, TheCallbackMayDestroyTheChildWatch) {
    fake.set_pidfd_supported(false);
    sys::Spawned a = spawn();
    sys::Spawned b = spawn();
    int calls = 0;
    auto destroy = [&](const sys::ChildStatus&) {
        ++calls;
        children.reset();
    };
    ASSERT_TRUE(children->watch(a.pid, {}, destroy));
    ASSERT_TRUE(children->watch(b.pid, {}, destroy));
    turn();
    fake.exit_process(a.pid, 0);
    fake.exit_process(b.pid, 0);
    turn(); // one sweep would reap both; it stops once its owner is gone
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(children, nullptr);
    EXPECT_FALSE(sigismember(&fake.blocked_signals(), SIGCHLD));
}

TEST_F(ChildWatchTest, DestroyingItClosesEveryPidfd) {
    sys::Spawned a = spawn();
    sys::Spawned b = spawn();
    ASSERT_TRUE(children->watch(a.pid, std::move(a.pidfd), record()));
    ASSERT_TRUE(children->watch(b.pid, std::move(b.pidfd), record()));
    EXPECT_EQ(fake.open_fds().size(), 4u);
    children.reset();
    EXPECT_EQ(fake.open_fds().size(), 2u);
    EXPECT_EQ(loop->watch_count(), 1u);
}

// --- real kernel -------------------------------------------------------------------------------

class ChildWatchRealKernel : public ::testing::Test {
protected:
    sys::LinuxSys real;
    std::unique_ptr<EventLoop> loop = std::move(EventLoop::create(real)).value();
    bool timed_out = false;
    loop::Timer guard{*loop, [this] {
                          timed_out = true;
                          loop->quit();
                      }};

    sys::Spawned spawn_shell(const std::string& script) {
        auto child = real.spawn(test_support::shell_plan(script));
        EXPECT_TRUE(child) << child.error().message();
        return child ? std::move(child).value() : sys::Spawned{};
    }
    void run_bounded() {
        ASSERT_TRUE(guard.arm_after(test_support::real_bound));
        ASSERT_TRUE(loop->run());
        EXPECT_FALSE(timed_out);
    }
};

TEST_F(ChildWatchRealKernel, ARealChildsExitArrivesThroughItsPidfd) {
    auto children = std::move(ChildWatch::create(*loop)).value();
    sys::Spawned child = spawn_shell("exit 5");
    test_support::ChildGuard cleanup(child.pid);
    std::optional<sys::ChildStatus> got;
    ASSERT_TRUE(children->watch(child.pid, std::move(child.pidfd), [&](const sys::ChildStatus& s) {
        got = s;
        loop->quit();
    }));
    run_bounded();
    ASSERT_TRUE(got);
    cleanup.reaped();
    EXPECT_EQ(got->pid, child.pid);
    EXPECT_TRUE(got->exited());
    EXPECT_EQ(got->status, 5);
}

TEST_F(ChildWatchRealKernel, ARealUnwatchedChildIsReapedThroughSigchld) {
    auto children = std::move(ChildWatch::create(*loop)).value();
    sys::Spawned child = spawn_shell("exit 6");
    test_support::ChildGuard cleanup(child.pid);
    std::optional<sys::ChildStatus> got;
    ASSERT_TRUE(children->set_orphan_handler([&](const sys::ChildStatus& s) {
        got = s;
        loop->quit();
    }));
    run_bounded();
    ASSERT_TRUE(got);
    cleanup.reaped();
    EXPECT_EQ(got->pid, child.pid);
    EXPECT_EQ(got->status, 6);
}

TEST_F(ChildWatchRealKernel, ASubreaperReapsTheOrphanOfADoubleFork) {
    ASSERT_TRUE(real.set_child_subreaper(true));
    auto children = std::move(ChildWatch::create(*loop)).value();
    std::optional<sys::ChildStatus> parent_exit;
    std::optional<sys::ChildStatus> orphan_exit;
    ASSERT_TRUE(children->set_orphan_handler([&](const sys::ChildStatus& s) {
        orphan_exit = s;
        if (parent_exit) {
            loop->quit();
        }
    }));
    // The shell forks `exit 4` into the background and exits at once, as a daemon would.
    sys::Spawned child = spawn_shell("(sleep 0.05; exit 4) & exit 0");
    test_support::ChildGuard cleanup(child.pid);
    ASSERT_TRUE(children->watch(child.pid, std::move(child.pidfd), [&](const sys::ChildStatus& s) {
        parent_exit = s;
        if (orphan_exit) {
            loop->quit();
        }
    }));
    run_bounded();
    ASSERT_TRUE(real.set_child_subreaper(false));
    ASSERT_TRUE(parent_exit);
    cleanup.reaped();
    ASSERT_TRUE(orphan_exit);
    EXPECT_NE(orphan_exit->pid, parent_exit->pid);
    EXPECT_EQ(orphan_exit->status, 4);
}

} // namespace
