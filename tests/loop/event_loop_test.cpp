// Tests EventLoop: watches and what their callbacks ask for, turns, posted work, quitting, the
// safety net for throwing callbacks, and that an idle loop sleeps without a timeout.
#include "loop/event_loop.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "fakes/fake_sys.h"
#include "loop/timer.h"
#include "sys/linux_sys.h"

namespace {

using namespace std::chrono_literals;
using fakes::FakeSys;
using loop::EventLoop;
using loop::Next;
using loop::Wait;

std::unique_ptr<EventLoop> make_loop(sys::Sys& sys) {
    auto loop = EventLoop::create(sys);
    EXPECT_TRUE(loop) << loop.error().message();
    return std::move(loop).value();
}

struct Counter {
    int calls = 0;
    std::uint32_t last_events = 0;
};

TEST(EventLoop, IdleLoopBlocksWithoutTimeout) {
    FakeSys fake;
    auto loop = make_loop(fake);
    int sleeps = 0;
    fake.when_blocked([&] {
        ++sleeps;
        loop->quit();
    });
    ASSERT_TRUE(loop->run());
    EXPECT_EQ(sleeps, 1);
    EXPECT_EQ(fake.epoll_timeouts(), std::vector<int>{-1});
    EXPECT_EQ(fake.call_count("timerfd_settime"), 0); // no timer armed, no wake-up planned
}

TEST(EventLoop, ReadableFdRunsItsCallbackWithTheReadyEvents) {
    FakeSys fake;
    auto loop = make_loop(fake);
    auto pipe = fake.pipe2(O_NONBLOCK);
    Counter seen;
    auto id = loop->add_watch(pipe->first.get(), EPOLLIN, [&](std::uint32_t events) {
        ++seen.calls;
        seen.last_events = events;
        return Next::Keep;
    });
    ASSERT_TRUE(id);
    EXPECT_EQ(*loop->run_once(Wait::No), 0u);
    ASSERT_TRUE(fake.write(pipe->second.get(), "x", 1));
    EXPECT_EQ(*loop->run_once(Wait::No), 1u);
    EXPECT_EQ(seen.calls, 1);
    EXPECT_EQ(seen.last_events, uint32_t{EPOLLIN});
}

TEST(EventLoop, KeepLeavesTheWatchArmedWhileTheFdStaysReady) {
    FakeSys fake;
    auto loop = make_loop(fake);
    auto pipe = fake.pipe2(O_NONBLOCK);
    int calls = 0;
    ASSERT_TRUE(loop->add_watch(pipe->first.get(), EPOLLIN, [&](std::uint32_t) {
        ++calls;
        return Next::Keep;
    }));
    ASSERT_TRUE(fake.write(pipe->second.get(), "x", 1));
    ASSERT_TRUE(loop->run_once(Wait::No));
    ASSERT_TRUE(loop->run_once(Wait::No));
    EXPECT_EQ(calls, 2); // level-triggered: unread data is reported again
}

TEST(EventLoop, DisarmStopsEventsUntilRearm) {
    FakeSys fake;
    auto loop = make_loop(fake);
    auto pipe = fake.pipe2(O_NONBLOCK);
    int calls = 0;
    auto id = loop->add_watch(pipe->first.get(), EPOLLIN, [&](std::uint32_t) {
        ++calls;
        return Next::Disarm;
    });
    ASSERT_TRUE(fake.write(pipe->second.get(), "x", 1));
    ASSERT_TRUE(loop->run_once(Wait::No));
    EXPECT_FALSE(loop->is_armed(*id));
    ASSERT_TRUE(loop->run_once(Wait::No));
    EXPECT_EQ(calls, 1);
    ASSERT_TRUE(loop->rearm(*id));
    ASSERT_TRUE(loop->run_once(Wait::No));
    EXPECT_EQ(calls, 2);
}

TEST(EventLoop, DisarmedHungUpPipeDoesNotWakeTheLoop) {
    FakeSys fake;
    auto loop = make_loop(fake);
    auto pipe = fake.pipe2(O_NONBLOCK);
    int calls = 0;
    ASSERT_TRUE(loop->add_watch(pipe->first.get(), EPOLLIN, [&](std::uint32_t events) {
        ++calls;
        EXPECT_TRUE(events & EPOLLHUP);
        return Next::Disarm;
    }));
    pipe->second.reset();
    ASSERT_TRUE(loop->run_once(Wait::No));
    EXPECT_EQ(*loop->run_once(Wait::No), 0u); // EPOLLHUP is not reported for a disarmed watch
    EXPECT_EQ(calls, 1);
}

TEST(EventLoop, RemoveForgetsTheWatchAndItsFd) {
    FakeSys fake;
    auto loop = make_loop(fake);
    auto pipe = fake.pipe2(O_NONBLOCK);
    int calls = 0;
    ASSERT_TRUE(loop->add_watch(pipe->first.get(), EPOLLIN, [&](std::uint32_t) {
        ++calls;
        return Next::Remove;
    }));
    std::size_t before = loop->watch_count();
    ASSERT_TRUE(fake.write(pipe->second.get(), "x", 1));
    ASSERT_TRUE(loop->run_once(Wait::No));
    ASSERT_TRUE(loop->run_once(Wait::No));
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(loop->watch_count(), before - 1);
    EXPECT_TRUE(loop->add_watch(pipe->first.get(), EPOLLIN, [](std::uint32_t) { return Next::Keep; }));
}

TEST(EventLoop, ACallbackMayRemoveItsOwnWatch) {
    FakeSys fake;
    auto loop = make_loop(fake);
    auto pipe = fake.pipe2(O_NONBLOCK);
    loop::WatchId id = 0;
    std::string captured = "still alive";
    id = *loop->add_watch(pipe->first.get(), EPOLLIN, [&, captured](std::uint32_t) {
        loop->remove_watch(id);
        EXPECT_EQ(captured, "still alive"); // the callback object outlives its own removal
        return Next::Keep;
    });
    ASSERT_TRUE(fake.write(pipe->second.get(), "x", 1));
    ASSERT_TRUE(loop->run_once(Wait::No));
    EXPECT_EQ(*loop->run_once(Wait::No), 0u);
}

TEST(EventLoop, AWatchRemovedEarlierInTheTurnIsNotCalled) {
    FakeSys fake;
    auto loop = make_loop(fake);
    auto a = fake.pipe2(O_NONBLOCK);
    auto b = fake.pipe2(O_NONBLOCK);
    loop::WatchId a_id = 0;
    loop::WatchId b_id = 0;
    int a_calls = 0;
    int b_calls = 0;
    // Whichever runs first removes the other: exactly one of them is called.
    a_id = *loop->add_watch(a->first.get(), EPOLLIN, [&](std::uint32_t) {
        ++a_calls;
        loop->remove_watch(b_id);
        return Next::Keep;
    });
    b_id = *loop->add_watch(b->first.get(), EPOLLIN, [&](std::uint32_t) {
        ++b_calls;
        loop->remove_watch(a_id);
        return Next::Keep;
    });
    ASSERT_TRUE(fake.write(a->second.get(), "x", 1));
    ASSERT_TRUE(fake.write(b->second.get(), "x", 1));
    ASSERT_TRUE(loop->run_once(Wait::No));
    EXPECT_EQ(a_calls + b_calls, 1);
}

TEST(EventLoop, AThrowingCallbackIsReportedDisarmedAndTheLoopGoesOn) {
    FakeSys fake;
    auto loop = make_loop(fake);
    std::vector<std::string> errors;
    loop->set_error_sink([&](std::string_view message) { errors.emplace_back(message); });
    auto bad = fake.pipe2(O_NONBLOCK);
    auto good = fake.pipe2(O_NONBLOCK);
    int good_calls = 0;
    auto bad_id = loop->add_watch(bad->first.get(), EPOLLIN, [](std::uint32_t) -> Next {
        throw std::runtime_error("boom");
    });
    ASSERT_TRUE(loop->add_watch(good->first.get(), EPOLLIN, [&](std::uint32_t) {
        ++good_calls;
        return Next::Keep;
    }));
    ASSERT_TRUE(fake.write(bad->second.get(), "x", 1));
    ASSERT_TRUE(fake.write(good->second.get(), "x", 1));
    ASSERT_TRUE(loop->run_once(Wait::No));
    ASSERT_TRUE(loop->run_once(Wait::No));
    EXPECT_EQ(good_calls, 2);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].find("boom"), std::string::npos) << errors[0];
    EXPECT_FALSE(loop->is_armed(*bad_id));
}

TEST(EventLoop, PostedWorkRunsAtTheEndOfTheTurnInOrder) {
    FakeSys fake;
    auto loop = make_loop(fake);
    auto pipe = fake.pipe2(O_NONBLOCK);
    std::vector<std::string> order;
    ASSERT_TRUE(loop->add_watch(pipe->first.get(), EPOLLIN, [&](std::uint32_t) {
        order.push_back("io");
        loop->post([&] { order.push_back("posted by io"); });
        return Next::Remove;
    }));
    loop->post([&] { order.push_back("first"); });
    loop->post([&] { order.push_back("second"); });
    ASSERT_TRUE(fake.write(pipe->second.get(), "x", 1));
    ASSERT_TRUE(loop->run_once(Wait::Yes)); // posted work makes this wait non-blocking
    EXPECT_EQ(order, (std::vector<std::string>{"io", "first", "second", "posted by io"}));
    EXPECT_EQ(fake.epoll_timeouts(), std::vector<int>{0});
}

TEST(EventLoop, WorkPostedByPostedWorkWaitsForTheNextTurn) {
    FakeSys fake;
    auto loop = make_loop(fake);
    int runs = 0;
    std::function<void()> again = [&] {
        ++runs;
        loop->post(again);
    };
    loop->post(again);
    ASSERT_TRUE(loop->run_once());
    EXPECT_EQ(runs, 1);
    ASSERT_TRUE(loop->run_once());
    EXPECT_EQ(runs, 2);
}

TEST(EventLoop, QuitFromACallbackEndsRunAfterThatTurn) {
    FakeSys fake;
    auto loop = make_loop(fake);
    auto pipe = fake.pipe2(O_NONBLOCK);
    int calls = 0;
    ASSERT_TRUE(loop->add_watch(pipe->first.get(), EPOLLIN, [&](std::uint32_t) {
        ++calls;
        loop->quit();
        return Next::Keep;
    }));
    ASSERT_TRUE(fake.write(pipe->second.get(), "x", 1));
    ASSERT_TRUE(loop->run());
    EXPECT_EQ(calls, 1);
}

TEST(EventLoop, InterruptedWaitIsRetriedAndOtherWaitErrorsEndRun) {
    FakeSys fake;
    auto loop = make_loop(fake);
    fake.fail_next("epoll_wait", EINTR);
    fake.when_blocked([&] { loop->quit(); });
    ASSERT_TRUE(loop->run());
    EXPECT_EQ(fake.call_count("epoll_wait"), 2);
    fake.fail_next("epoll_wait", EBADF);
    auto failed = loop->run();
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code(), EBADF);
}

TEST(EventLoop, RegularFilesCannotBeWatched) {
    FakeSys fake;
    fake.add_file("/etc/startd.conf", "");
    auto loop = make_loop(fake);
    auto file = fake.open("/etc/startd.conf", O_RDONLY);
    auto id = loop->add_watch(file->get(), EPOLLIN, [](std::uint32_t) { return Next::Keep; });
    ASSERT_FALSE(id);
    EXPECT_EQ(id.error().code(), EPERM);
}

TEST(EventLoop, ModifyWatchChangesTheEventsOfInterest) {
    FakeSys fake;
    auto loop = make_loop(fake);
    auto pipe = fake.pipe2(O_NONBLOCK); // its write end: never readable, writable while there is room
    std::uint32_t seen = 0;
    auto id = loop->add_watch(pipe->second.get(), EPOLLIN, [&](std::uint32_t events) {
        seen = events;
        return Next::Keep;
    });
    EXPECT_EQ(*loop->run_once(Wait::No), 0u);
    ASSERT_TRUE(loop->modify_watch(*id, EPOLLIN | EPOLLOUT));
    ASSERT_TRUE(loop->run_once(Wait::No));
    EXPECT_EQ(seen, uint32_t{EPOLLOUT});
}

TEST(EventLoop, NowIsTheMonotonicTimeOfItsSys) {
    FakeSys fake;
    auto loop = make_loop(fake);
    sys::TimePoint before = loop->now();
    fake.advance(90s);
    EXPECT_EQ(loop->now() - before, 90s);
}

TEST(EventLoop, CreateReportsWhyItCouldNotStart) {
    FakeSys fake;
    fake.fail_next("epoll_create1", EMFILE);
    auto no_epoll = EventLoop::create(fake);
    ASSERT_FALSE(no_epoll);
    EXPECT_EQ(no_epoll.error().code(), EMFILE);
    fake.fail_next("timerfd_create", ENOMEM);
    auto no_timerfd = EventLoop::create(fake);
    ASSERT_FALSE(no_timerfd);
    EXPECT_EQ(no_timerfd.error().code(), ENOMEM);
    EXPECT_TRUE(fake.open_fds().empty()); // nothing leaked by the failed attempts
}

TEST(EventLoop, DestroyingTheLoopClosesEveryFdItOpened) {
    FakeSys fake;
    {
        auto loop = make_loop(fake);
        EXPECT_EQ(fake.open_fds().size(), 2u); // the epoll fd and the timer queue's timerfd
    }
    EXPECT_TRUE(fake.open_fds().empty());
}

TEST(EventLoop, RealKernelLoopDispatchesAPipeAndQuits) {
    sys::LinuxSys real;
    auto loop = make_loop(real);
    auto pipe = real.pipe2(O_NONBLOCK);
    ASSERT_TRUE(pipe);
    std::string got;
    ASSERT_TRUE(loop->add_watch(pipe->first.get(), EPOLLIN, [&](std::uint32_t) {
        char buf[16];
        auto n = real.read(pipe->first.get(), buf, sizeof buf);
        got.assign(buf, n ? *n : 0);
        loop->quit();
        return Next::Remove;
    }));
    bool timed_out = false;
    loop::Timer guard(*loop, [&] {
        timed_out = true;
        loop->quit();
    });
    ASSERT_TRUE(guard.arm_after(5s));
    ASSERT_TRUE(real.write(pipe->second.get(), "ping", 4));
    ASSERT_TRUE(loop->run());
    EXPECT_FALSE(timed_out);
    EXPECT_EQ(got, "ping");
}

} // namespace
