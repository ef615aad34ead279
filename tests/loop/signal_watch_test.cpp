// Tests SignalWatch: blocking, delivery with siginfo through the loop, restoring the mask, read
// errors (transient: kept; permanent: a new signalfd after a pause), and a real signal sent to
// ourselves.
#include "loop/signal_watch.h"

#include <gtest/gtest.h>
#include <pthread.h>

#include <cstring>
#include <string>
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

    // What the loop reported, and the signal numbers a watch made by record_signals() received.
    std::vector<std::string> errors;
    std::vector<int> got_signals;
    void collect_errors() {
        loop->set_error_sink([this](std::string_view message) { errors.emplace_back(message); });
    }
    std::unique_ptr<SignalWatch> record_signals(std::initializer_list<int> signals) {
        auto watch = SignalWatch::create(*loop, signals, [this](const signalfd_siginfo& info) {
            got_signals.push_back(static_cast<int>(info.ssi_signo));
        });
        EXPECT_TRUE(watch);
        return watch ? std::move(watch).value() : nullptr;
    }
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
    collect_errors();
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

TEST_F(SignalWatchTest, ATransientReadErrorKeepsTheWatchAndTheSignalArrivesOnTheNextTurn) {
    // Regression (issue 12): any read error but EAGAIN disarmed the signalfd for good, so after
    // one EINTR or ENOMEM startd never saw SIGCHLD or SIGTERM again.
    collect_errors();
    auto watch = record_signals({SIGTERM, SIGCHLD});
    ASSERT_TRUE(watch);
    for (int err : {EINTR, ENOMEM}) {
        fake.raise_signal(SIGCHLD);
        fake.fail_next("read", err);
        turn(); // the read fails
        turn(); // and is tried again
    }
    fake.raise_signal(SIGTERM);
    turn();
    EXPECT_EQ(got_signals, (std::vector<int>{SIGCHLD, SIGCHLD, SIGTERM}));
    ASSERT_EQ(errors.size(), 1u) << "EINTR is not worth a word; ENOMEM is";
    EXPECT_NE(errors[0].find(std::strerror(ENOMEM)), std::string::npos) << errors[0];
}

TEST_F(SignalWatchTest, ATransientErrorThatLastsIsReportedOnceNotOnEveryTurn) {
    collect_errors();
    int calls = 0;
    auto watch = SignalWatch::create(*loop, {SIGCHLD}, [&](const signalfd_siginfo&) { ++calls; });
    ASSERT_TRUE(watch);
    fake.raise_signal(SIGCHLD);
    for (int i = 0; i < 5; ++i) {
        fake.fail_next("read", ENOMEM);
        turn();
    }
    turn();
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(errors.size(), 1u);
    fake.raise_signal(SIGCHLD); // a new streak after a good read is reported again
    fake.fail_next("read", ENOMEM);
    turn();
    turn();
    EXPECT_EQ(calls, 2);
    EXPECT_EQ(errors.size(), 2u);
}

TEST_F(SignalWatchTest, APermanentReadErrorDoesNotSpinAndANewSignalfdTakesOverAfterAPause) {
    collect_errors();
    auto watch = record_signals({SIGTERM, SIGCHLD});
    ASSERT_TRUE(watch);
    std::size_t fds = fake.open_fds().size();
    fake.raise_signal(SIGCHLD);
    fake.fail_next("read", EINVAL); // nothing a retry of the same read can cure
    turn();
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].find(std::strerror(EINVAL)), std::string::npos) << errors[0];
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(*loop->run_once(Wait::No), 0u) << "the loop spins on a signalfd it cannot read";
    }
    EXPECT_TRUE(got_signals.empty());
    fake.advance(loop::signalfd_retry_delay);
    turn(); // the retry timer: a new signalfd
    turn(); // which has the signal that waited in the kernel
    EXPECT_EQ(got_signals, (std::vector<int>{SIGCHLD}));
    fake.raise_signal(SIGTERM);
    turn();
    EXPECT_EQ(got_signals, (std::vector<int>{SIGCHLD, SIGTERM}));
    EXPECT_EQ(fake.open_fds().size(), fds) << "the old signalfd is closed";
    EXPECT_TRUE(sigismember(&fake.blocked_signals(), SIGCHLD)) << "the signals stay blocked meanwhile";
}

TEST_F(SignalWatchTest, ASignalfdThatCannotBeReopenedIsTriedAgainAfterAnotherPause) {
    collect_errors();
    int calls = 0;
    auto watch = SignalWatch::create(*loop, {SIGCHLD}, [&](const signalfd_siginfo&) { ++calls; });
    ASSERT_TRUE(watch);
    fake.raise_signal(SIGCHLD);
    fake.fail_next("read", EINVAL);
    turn();
    fake.fail_next("signalfd", EMFILE);
    fake.advance(loop::signalfd_retry_delay);
    turn();
    turn();
    EXPECT_EQ(calls, 0);
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_NE(errors[1].find(std::strerror(EMFILE)), std::string::npos) << errors[1];
    EXPECT_EQ(*loop->run_once(Wait::No), 0u);
    fake.advance(loop::signalfd_retry_delay);
    turn();
    turn();
    EXPECT_EQ(calls, 1);
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
