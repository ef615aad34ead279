// Tests SignalWatch: blocking, delivery with siginfo through the loop, restoring the mask, and a
// real signal sent to ourselves.
#include "loop/signal_watch.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <vector>

#include "fakes/fake_sys.h"
#include "loop/timer.h"
#include "sys/linux_sys.h"

namespace {

using namespace std::chrono_literals;
using fakes::FakeSys;
using loop::EventLoop;
using loop::SignalWatch;
using loop::Wait;

class SignalWatchTest : public ::testing::Test {
protected:
    FakeSys fake;
    std::unique_ptr<EventLoop> loop = std::move(EventLoop::create(fake)).value();

    void turn() { ASSERT_TRUE(loop->run_once(Wait::No)); }
};

TEST_F(SignalWatchTest, TheSignalArrivesThroughTheLoopWithItsSiginfo) {
    std::vector<signalfd_siginfo> got;
    auto watch = SignalWatch::create(*loop, {SIGTERM, SIGHUP}, [&](const signalfd_siginfo& info) { got.push_back(info); });
    ASSERT_TRUE(watch) << watch.error().message();
    EXPECT_TRUE(sigismember(&fake.blocked_signals(), SIGTERM));
    EXPECT_TRUE(sigismember(&fake.blocked_signals(), SIGHUP));
    fake.raise_signal(SIGTERM, 4242);
    turn();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].ssi_signo, static_cast<uint32_t>(SIGTERM));
    EXPECT_EQ(got[0].ssi_pid, 4242u);
}

TEST_F(SignalWatchTest, EachPendingSignalTakesOneTurn) {
    std::vector<int> got;
    auto watch = SignalWatch::create(*loop, {SIGTERM, SIGHUP},
                                     [&](const signalfd_siginfo& info) { got.push_back(static_cast<int>(info.ssi_signo)); });
    fake.raise_signal(SIGHUP);
    fake.raise_signal(SIGTERM);
    fake.raise_signal(SIGTERM); // coalesces with the pending one
    turn();
    EXPECT_EQ(got.size(), 1u);
    turn();
    EXPECT_EQ(got, (std::vector<int>{SIGHUP, SIGTERM}));
    EXPECT_EQ(*loop->run_once(Wait::No), 0u);
}

TEST_F(SignalWatchTest, DestroyingItUnblocksOnlyWhatItBlocked) {
    ASSERT_TRUE(fake.sigprocmask(SIG_BLOCK, sys::make_sigset({SIGHUP})));
    {
        auto watch = SignalWatch::create(*loop, {SIGHUP, SIGUSR1}, [](const signalfd_siginfo&) {});
        ASSERT_TRUE(watch);
        EXPECT_TRUE(sigismember(&fake.blocked_signals(), SIGUSR1));
    }
    EXPECT_TRUE(sigismember(&fake.blocked_signals(), SIGHUP));
    EXPECT_FALSE(sigismember(&fake.blocked_signals(), SIGUSR1));
    EXPECT_EQ(fake.open_fds().size(), 2u); // only the loop's own fds remain
}

TEST_F(SignalWatchTest, TheCallbackMayDestroyItsOwnWatch) {
    std::unique_ptr<SignalWatch> watch;
    int calls = 0;
    watch = std::move(SignalWatch::create(*loop, {SIGTERM}, [&](const signalfd_siginfo&) {
                          ++calls;
                          watch.reset(); // a shutdown handler tearing things down
                      })).value();
    fake.raise_signal(SIGTERM);
    turn();
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(watch, nullptr);
    EXPECT_FALSE(sigismember(&fake.blocked_signals(), SIGTERM));
}

TEST_F(SignalWatchTest, AFailedCreateLeavesNothingBlockedAndNothingOpen) {
    fake.fail_next("signalfd", EMFILE);
    auto watch = SignalWatch::create(*loop, {SIGTERM}, [](const signalfd_siginfo&) {});
    ASSERT_FALSE(watch);
    EXPECT_EQ(watch.error().code(), EMFILE);
    EXPECT_FALSE(sigismember(&fake.blocked_signals(), SIGTERM));
    EXPECT_EQ(fake.open_fds().size(), 2u);
}

TEST_F(SignalWatchTest, AThrowingCallbackIsReportedAndTheWatchKeepsWorking) {
    std::vector<std::string> errors;
    loop->set_error_sink([&](std::string_view message) { errors.emplace_back(message); });
    int calls = 0;
    auto watch = SignalWatch::create(*loop, {SIGUSR2}, [&](const signalfd_siginfo&) {
        if (++calls == 1) {
            throw std::runtime_error("signal boom");
        }
    });
    fake.raise_signal(SIGUSR2);
    turn();
    fake.raise_signal(SIGUSR2);
    turn();
    EXPECT_EQ(calls, 2);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].find("signal boom"), std::string::npos);
}

TEST(SignalWatchRealKernel, ASignalSentToOurselvesArrivesThroughTheLoop) {
    sys::LinuxSys real;
    auto loop = std::move(EventLoop::create(real)).value();
    sigset_t before;
    ASSERT_EQ(::pthread_sigmask(SIG_SETMASK, nullptr, &before), 0);
    ASSERT_FALSE(sigismember(&before, SIGUSR1));
    signalfd_siginfo got{};
    bool timed_out = false;
    {
        auto watch = SignalWatch::create(*loop, {SIGUSR1}, [&](const signalfd_siginfo& info) {
            got = info;
            loop->quit();
        });
        ASSERT_TRUE(watch) << watch.error().message();
        loop::Timer guard(*loop, [&] {
            timed_out = true;
            loop->quit();
        });
        ASSERT_TRUE(guard.arm_after(5s));
        ASSERT_TRUE(real.kill(real.getpid(), SIGUSR1));
        ASSERT_TRUE(loop->run());
    }
    EXPECT_FALSE(timed_out);
    EXPECT_EQ(got.ssi_signo, static_cast<uint32_t>(SIGUSR1));
    EXPECT_EQ(got.ssi_pid, static_cast<uint32_t>(real.getpid()));
    sigset_t after;
    ASSERT_EQ(::pthread_sigmask(SIG_SETMASK, nullptr, &after), 0);
    EXPECT_FALSE(sigismember(&after, SIGUSR1));
}

} // namespace
