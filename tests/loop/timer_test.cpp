// Tests Timer and TimerQueue: deadlines on the fake clock, one shared timerfd programmed only
// for the earliest deadline, batch semantics, and a real timerfd with a bounded wait.
#include "loop/timer.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "fakes/fake_sys.h"
#include "sys/linux_sys.h"

namespace {

using namespace std::chrono_literals;
using fakes::FakeSys;
using loop::EventLoop;
using loop::Timer;
using loop::Wait;

class TimerTest : public ::testing::Test {
protected:
    FakeSys fake;
    std::unique_ptr<EventLoop> loop = std::move(EventLoop::create(fake)).value();

    void turn() { ASSERT_TRUE(loop->run_once(Wait::No)); }
};

TEST_F(TimerTest, FiresOnceWhenTheClockPassesItsDeadline) {
    int fired = 0;
    Timer timer(*loop, [&] { ++fired; });
    ASSERT_TRUE(timer.arm_after(5s));
    EXPECT_TRUE(timer.armed());
    fake.advance(4999ms);
    turn();
    EXPECT_EQ(fired, 0);
    fake.advance(1ms);
    turn();
    EXPECT_EQ(fired, 1);
    EXPECT_FALSE(timer.armed());
    fake.advance(1h);
    turn();
    EXPECT_EQ(fired, 1);
}

TEST_F(TimerTest, AnIdleQueueLeavesTheTimerfdDisarmed) {
    Timer timer(*loop, [] {});
    ASSERT_TRUE(timer.arm_after(1s));
    EXPECT_TRUE(loop->timers().programmed());
    timer.cancel();
    EXPECT_FALSE(loop->timers().programmed());
    ASSERT_TRUE(timer.arm_after(1s));
    fake.advance(1s);
    turn();
    EXPECT_FALSE(loop->timers().programmed());
    EXPECT_EQ(loop->timers().armed_count(), 0u);
}

TEST_F(TimerTest, ManyTimersShareOneTimerfd) {
    std::vector<std::unique_ptr<Timer>> timers;
    int fired = 0;
    for (int i = 0; i < 100; ++i) {
        timers.push_back(std::make_unique<Timer>(*loop, [&] { ++fired; }));
        ASSERT_TRUE(timers.back()->arm_after(std::chrono::seconds(i + 1)));
    }
    EXPECT_EQ(fake.call_count("timerfd_create"), 1);
    EXPECT_EQ(fake.open_fds().size(), 2u); // epoll + the one timerfd
    for (int i = 0; i < 100; ++i) {
        fake.advance(1s);
        turn();
    }
    EXPECT_EQ(fired, 100);
}

TEST_F(TimerTest, TheTimerfdIsProgrammedOnlyWhenTheEarliestDeadlineChanges) {
    Timer ten(*loop, [] {});
    Timer five(*loop, [] {});
    Timer twenty(*loop, [] {});
    sys::TimePoint start = fake.now();
    ASSERT_TRUE(ten.arm_after(10s));
    ASSERT_TRUE(five.arm_after(5s));
    ASSERT_TRUE(twenty.arm_after(20s));
    EXPECT_EQ(fake.call_count("timerfd_settime"), 2);
    EXPECT_EQ(loop->timers().programmed(), start + 5s);
    twenty.cancel();
    EXPECT_EQ(fake.call_count("timerfd_settime"), 2);
    five.cancel();
    EXPECT_EQ(loop->timers().programmed(), start + 10s);
}

TEST_F(TimerTest, EqualDeadlinesFireInTheOrderTheyWereArmed) {
    std::vector<std::string> order;
    Timer b(*loop, [&] { order.push_back("b"); });
    Timer a(*loop, [&] { order.push_back("a"); });
    Timer c(*loop, [&] { order.push_back("c"); });
    sys::TimePoint when = fake.now() + 1s;
    ASSERT_TRUE(b.arm_at(when));
    ASSERT_TRUE(a.arm_at(when));
    ASSERT_TRUE(c.arm_at(when - 1ms));
    fake.advance(1s);
    turn();
    EXPECT_EQ(order, (std::vector<std::string>{"c", "b", "a"}));
}

TEST_F(TimerTest, ACancelledTimerDoesNotFire) {
    int fired = 0;
    Timer timer(*loop, [&] { ++fired; });
    ASSERT_TRUE(timer.arm_after(1s));
    timer.cancel();
    fake.advance(2s);
    turn();
    EXPECT_EQ(fired, 0);
}

TEST_F(TimerTest, ACallbackCanCancelALaterTimerOfTheSameBatch) {
    int second_fired = 0;
    Timer second(*loop, [&] { ++second_fired; });
    Timer first(*loop, [&] { second.cancel(); });
    ASSERT_TRUE(first.arm_after(1s));
    ASSERT_TRUE(second.arm_after(2s));
    fake.advance(3s); // both due in one batch
    turn();
    EXPECT_EQ(second_fired, 0);
}

TEST_F(TimerTest, RearmingReplacesTheDeadline) {
    int fired = 0;
    Timer timer(*loop, [&] { ++fired; });
    ASSERT_TRUE(timer.arm_after(1s));
    ASSERT_TRUE(timer.arm_after(10s));
    EXPECT_EQ(loop->timers().armed_count(), 1u);
    fake.advance(5s);
    turn();
    EXPECT_EQ(fired, 0);
    fake.advance(5s);
    turn();
    EXPECT_EQ(fired, 1);
}

TEST_F(TimerTest, ACallbackCanRearmItsOwnTimer) {
    int fired = 0;
    std::unique_ptr<Timer> every_second;
    every_second = std::make_unique<Timer>(*loop, [&] {
        ++fired;
        ASSERT_TRUE(every_second->arm_after(1s));
    });
    ASSERT_TRUE(every_second->arm_after(1s));
    for (int i = 0; i < 3; ++i) {
        fake.advance(1s);
        turn();
    }
    EXPECT_EQ(fired, 3);
}

TEST_F(TimerTest, ATimerRearmedForNowWaitsForTheNextTurn) {
    int fired = 0;
    std::unique_ptr<Timer> eager;
    eager = std::make_unique<Timer>(*loop, [&] {
        ++fired;
        ASSERT_TRUE(eager->arm_after(0s));
    });
    ASSERT_TRUE(eager->arm_after(0s));
    turn();
    EXPECT_EQ(fired, 1);
    turn();
    EXPECT_EQ(fired, 2);
}

TEST_F(TimerTest, ACallbackMayDestroyItsOwnTimer) {
    int fired = 0;
    std::unique_ptr<Timer> once;
    once = std::make_unique<Timer>(*loop, [&] {
        ++fired;
        once.reset();
    });
    ASSERT_TRUE(once->arm_after(1s));
    fake.advance(1s);
    turn();
    EXPECT_EQ(fired, 1);
    EXPECT_EQ(once, nullptr);
}

TEST_F(TimerTest, DestroyingAnArmedTimerCancelsIt) {
    {
        Timer doomed(*loop, [] { ADD_FAILURE() << "a destroyed timer fired"; });
        ASSERT_TRUE(doomed.arm_after(1s));
    }
    EXPECT_EQ(loop->timers().armed_count(), 0u);
    EXPECT_FALSE(loop->timers().programmed());
    fake.advance(2s);
    turn();
}

TEST_F(TimerTest, AThrowingCallbackIsReportedAndTheRestOfTheBatchStillRuns) {
    std::vector<std::string> errors;
    loop->set_error_sink([&](std::string_view message) { errors.emplace_back(message); });
    int fired = 0;
    Timer bad(*loop, [] { throw std::runtime_error("timer boom"); });
    Timer good(*loop, [&] { ++fired; });
    ASSERT_TRUE(bad.arm_after(1s));
    ASSERT_TRUE(good.arm_after(1s));
    fake.advance(1s);
    turn();
    EXPECT_EQ(fired, 1);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].find("timer boom"), std::string::npos);
}

TEST_F(TimerTest, AFailedArmLeavesTheTimerDisarmed) {
    Timer timer(*loop, [] {});
    fake.fail_next("timerfd_settime", EINVAL);
    auto armed = timer.arm_after(1s);
    ASSERT_FALSE(armed);
    EXPECT_EQ(armed.error().code(), EINVAL);
    EXPECT_FALSE(timer.armed());
    EXPECT_EQ(loop->timers().armed_count(), 0u);
}

TEST_F(TimerTest, AnIdleLoopWithAnArmedTimerSleepsUntilItsDeadline) {
    // The fake's blocked wait moves the clock to the next deadline, as a real sleep would.
    fake.when_blocked([&] { fake.advance_to_next_timer(); });
    sys::TimePoint start = fake.now();
    Timer timer(*loop, [&] { loop->quit(); });
    ASSERT_TRUE(timer.arm_after(30s));
    ASSERT_TRUE(loop->run());
    EXPECT_EQ(fake.now() - start, 30s);
    EXPECT_EQ(fake.epoll_timeouts(), std::vector<int>{-1}); // the loop itself never polls
}

TEST(TimerRealKernel, FiresAfterItsDelayOnARealTimerfd) {
    sys::LinuxSys real;
    auto loop = std::move(EventLoop::create(real)).value();
    bool fired = false;
    bool timed_out = false;
    Timer timer(*loop, [&] {
        fired = true;
        loop->quit();
    });
    Timer guard(*loop, [&] {
        timed_out = true;
        loop->quit();
    });
    ASSERT_TRUE(guard.arm_after(5s));
    sys::TimePoint start = real.now();
    ASSERT_TRUE(timer.arm_after(20ms));
    ASSERT_TRUE(loop->run());
    EXPECT_TRUE(fired);
    EXPECT_FALSE(timed_out);
    EXPECT_GE(real.now() - start, 20ms);
}

} // namespace
