// Tests the control server's bounds against hostile clients over the fake kernel: connection
// limits, the reserve for root, the memory budget, backpressure, fair service between uids and
// between connections, running out of descriptors, I/O errors, and watches epoll refuses.
#include "control/server.h"

#include <gtest/gtest.h>

#include <cstring>

#include "control/server_fixture.h"

namespace {

TEST_F(ServerBoundsTest, ConnectionsOfOneUidBeyondItsLimitAreRefusedWithBusy) {
    listen(small_limits());
    std::vector<base::UniqueFd> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(connect(1000));
    }
    EXPECT_EQ(server->connections(), 3u);
    base::UniqueFd fourth = connect(1000);
    auto got = receive(fourth);
    ASSERT_EQ(got.replies.size(), 1u);
    EXPECT_EQ(got.replies[0].error.code, "busy");
    EXPECT_NE(got.replies[0].error.message.find("uid 1000 (limit 3)"), std::string::npos)
        << got.replies[0].error.message;
    EXPECT_TRUE(got.closed);
    EXPECT_EQ(server->connections(), 3u);
    base::UniqueFd other = connect(1001); // another user is not held back by the first one's share
    EXPECT_EQ(server->connections(), 4u);
}

TEST_F(ServerBoundsTest, RootGetsThroughWhenUnprivilegedUsersHoldEveryConnectionTheyMay) {
    listen(small_limits()); // 8 connections, 2 of them kept for the privileged
    std::vector<base::UniqueFd> held;
    for (uid_t uid = 1000; uid < 1006; ++uid) {
        held.push_back(connect(uid));
    }
    base::UniqueFd refused = connect(1006);
    auto got = receive(refused);
    ASSERT_EQ(got.replies.size(), 1u);
    EXPECT_EQ(got.replies[0].error.code, "busy");
    EXPECT_NE(got.replies[0].error.message.find("kept for root"), std::string::npos);
    base::UniqueFd root = connect(root_uid);
    base::UniqueFd root2 = connect(root_uid);
    send(root, request("version", 1));
    io.settle();
    auto answer = receive(root);
    ASSERT_EQ(answer.replies.size(), 1u);
    EXPECT_TRUE(answer.replies[0].ok);
    base::UniqueFd over = connect(root_uid); // the total limit holds for root too
    auto over_got = receive(over);
    ASSERT_EQ(over_got.replies.size(), 1u);
    EXPECT_NE(over_got.replies[0].error.message.find("limit 8"), std::string::npos);
    EXPECT_EQ(server->connections(), 8u);
}

TEST_F(ServerBoundsTest, AHalfSentRequestCostsAtMostOneFrame) {
    listen(control::Limits{});
    base::UniqueFd c = connect(1000);
    std::string frame = control::encode_frame(std::string(control::max_request_payload, ' '));
    frame.pop_back();
    send(c, frame);
    io.settle();
    EXPECT_EQ(server->held_bytes(), frame.size());
    EXPECT_EQ(server->connections(), 1u);
}

TEST_F(ServerBoundsTest, UnprivilegedClientsTogetherStayWithinTheMemoryBudgetAndRootIsNotHeldBack) {
    control::Limits limits = small_limits();
    limits.client_input_budget = 10000;
    listen(limits);
    std::string partial = control::encode_frame(std::string(8000, ' ')).substr(0, 4000);
    std::vector<base::UniqueFd> clients;
    for (uid_t uid = 1000; uid < 1005; ++uid) {
        clients.push_back(connect(uid));
        send(clients.back(), partial);
    }
    io.settle();
    EXPECT_EQ(server->unprivileged_held_bytes(), limits.client_input_budget); // full, not ballooned
    base::UniqueFd root = connect(root_uid);
    send(root, request("version", 9));
    io.settle();
    auto answer = receive(root);
    ASSERT_EQ(answer.replies.size(), 1u);
    EXPECT_TRUE(answer.replies[0].ok);
    // A client that leaves frees its share, and the clients that were waiting are read again.
    clients.front().reset();
    clients.erase(clients.begin());
    io.settle();
    EXPECT_EQ(server->connections(), 5u);
    EXPECT_EQ(server->unprivileged_held_bytes(), limits.client_input_budget);
    clients.clear();
    root.reset();
    io.settle();
    EXPECT_EQ(server->connections(), 0u);
    EXPECT_EQ(server->held_bytes(), 0u);
}

TEST_F(ServerBoundsTest, AClientThatDoesNotReadItsRepliesIsNotServedEither) {
    control::Limits limits = small_limits();
    listen(limits);
    int checks = 0;
    host.check_config = [&checks] {
        ++checks;
        return nlohmann::json{{"ok", true}};
    };
    base::UniqueFd c = connect(1000);
    fake.limit_buffer(c.get(), 256); // the client's socket buffer fills: it does not read
    std::string burst;
    for (std::uint64_t i = 0; i < 2000; ++i) {
        burst += request("check-config", i);
    }
    send(c, burst);
    for (int i = 0; i < 50; ++i) {
        io.turn();
    }
    // Service stops once the unsent replies pass the high-water mark (about 50 bytes a reply).
    EXPECT_LT(checks, 20) << "requests were served while their replies piled up";
    EXPECT_LT(server->held_bytes(), burst.size() + limits.output_high_water + 100);
    // Once the client reads, service resumes, in order, until every request is answered.
    std::vector<control::Response> all;
    for (int i = 0; i < 5000 && all.size() < 2000; ++i) {
        io.turn();
        auto got = receive(c);
        all.insert(all.end(), got.replies.begin(), got.replies.end());
    }
    ASSERT_EQ(all.size(), 2000u);
    for (std::uint64_t i = 0; i < 2000; ++i) {
        ASSERT_EQ(all[i].id, i);
    }
    EXPECT_EQ(server->held_bytes(), 0u);
}

TEST_F(ServerBoundsTest, ConnectionsAreServedInTurnsSoAPipelinerCannotStallOthers) {
    control::Limits limits = small_limits();
    listen(limits);
    base::UniqueFd busy = connect(1000);
    base::UniqueFd root = connect(root_uid);
    std::string burst;
    for (std::uint64_t i = 0; i < 40; ++i) {
        burst += request("check-config", i);
    }
    send(busy, burst);
    send(root, request("version", 77));
    io.turn();
    auto root_got = receive(root);
    ASSERT_EQ(root_got.replies.size(), 1u) << "root waited behind another client's pipeline";
    EXPECT_EQ(root_got.replies[0].id, 77u);
    // One turn from readiness, one from the run queue at the end of the turn.
    std::size_t answered = receive(busy).replies.size();
    EXPECT_LE(answered, 2 * limits.requests_per_turn);
    for (int i = 0; i < 20; ++i) {
        io.turn();
        answered += receive(busy).replies.size();
    }
    EXPECT_EQ(answered, 40u);
}

TEST_F(ServerBoundsTest, OutOfDescriptorsTheReserveLetsRootInAndTellsOthersToRetry) {
    listen(small_limits());
    base::UniqueFd user = fake.connect_client(path, ucred{5000, 1000, 1000});
    fake.fail_next("accept4", EMFILE);
    io.turn();
    auto got = receive(user);
    ASSERT_EQ(got.replies.size(), 1u);
    EXPECT_EQ(got.replies[0].error.code, "busy");
    EXPECT_NE(got.replies[0].error.message.find("out of file descriptors"), std::string::npos);
    EXPECT_TRUE(got.closed);
    base::UniqueFd root = fake.connect_client(path, ucred{5001, root_uid, 0});
    fake.fail_next("accept4", EMFILE);
    io.turn();
    EXPECT_EQ(server->connections(), 1u);
    send(root, request("version", 3));
    io.settle();
    ASSERT_EQ(receive(root).replies.size(), 1u);
    EXPECT_FALSE(server->listener_paused());
}

TEST_F(ServerBoundsTest, WhenEvenTheReserveCannotHelpTheListenerRestsInsteadOfSpinning) {
    listen(small_limits());
    base::UniqueFd user = fake.connect_client(path, ucred{5000, 1000, 1000});
    fake.fail_next("accept4", EMFILE);
    fake.fail_next("accept4", EMFILE); // the retry with the reserve freed fails too
    io.turn();
    EXPECT_TRUE(server->listener_paused());
    EXPECT_EQ(io.turn(), 0) << "a listener that cannot accept must not be watched";
    EXPECT_EQ(io.timer_delay, control::default_accept_retry);
    io.fire_timer();
    io.turn();
    EXPECT_FALSE(server->listener_paused());
    EXPECT_EQ(server->connections(), 1u);
}

TEST_F(ServerBoundsTest, ReadAndWriteErrorsCloseOnlyThatConnection) {
    listen(small_limits());
    base::UniqueFd a = connect(1000);
    base::UniqueFd b = connect(1001);
    send(a, request("version", 1));
    fake.fail_next("read", ECONNRESET);
    io.turn();
    EXPECT_EQ(server->connections(), 1u);
    send(b, request("version", 2));
    fake.fail_next("write", EAGAIN); // the reply waits for the socket to drain
    io.turn();
    EXPECT_EQ(server->held_bytes() > 0, true);
    io.settle();
    ASSERT_EQ(receive(b).replies.size(), 1u);
    EXPECT_EQ(server->held_bytes(), 0u);
    send(b, request("version", 3));
    fake.fail_next("read", EAGAIN); // a spurious wake-up
    io.turn();
    fake.fail_next("write", EPIPE);
    io.settle();
    EXPECT_EQ(server->connections(), 0u);
    EXPECT_EQ(server->held_bytes(), 0u);
}

TEST_F(ServerBoundsTest, AReplyThatHadToWaitForTheSocketStopsWatchingForWritingOnceSent) {
    // Regression (issue 12, random fault test): the last of a reply flushed on EPOLLOUT left
    // the write interest on, and a writable socket woke the loop on every turn for nothing.
    listen(small_limits());
    base::UniqueFd c = connect(1000);
    send(c, request("version", 1));
    fake.fail_next("write", EAGAIN); // the reply waits for the socket to drain
    io.turn();
    ASSERT_GT(server->held_bytes(), 0u);
    io.turn(); // EPOLLOUT: the reply goes out
    ASSERT_EQ(receive(c).replies.size(), 1u);
    EXPECT_EQ(server->held_bytes(), 0u);
    for (const auto& [fd, w] : io.watches) {
        EXPECT_FALSE(w.write) << "fd " << fd << " is watched for writing with nothing to write";
    }
    EXPECT_EQ(io.turn(), 0) << "the loop is woken with nothing to do";
}

TEST_F(ServerBoundsTest, ATooLargeRequestWhoseErrorReplyOverflowsTheOutputCapEndsTheConnectionThere) {
    // Regression (control_fuzz): the too-large error reply took the connection past
    // max_unsent_output, send dropped it, and serve went on to flush it: a write on fd -1.
    control::Limits limits = small_limits();
    limits.max_unsent_output = 16; // less than any reply
    listen(limits);
    base::UniqueFd c = connect(root_uid);
    std::uint32_t n = control::max_request_payload + 1;
    std::string header{static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                       static_cast<char>(n)};
    send(c, header);
    io.settle();
    EXPECT_EQ(server->connections(), 0u);
    EXPECT_EQ(server->held_bytes(), 0u);
    auto got = receive(c);
    EXPECT_TRUE(got.replies.empty());
    EXPECT_TRUE(got.closed);
}

TEST_F(ServerBoundsTest, AConnectionWhoseWatchFailsIsWatchedAgainAtTheEndOfTheTurnAndServed) {
    listen(small_limits());
    io.failing_watches = 1; // epoll_ctl ADD: ENOMEM
    base::UniqueFd c = connect(1000);
    EXPECT_EQ(server->connections(), 1u);
    send(c, request("version", 1));
    io.settle();
    auto got = receive(c);
    ASSERT_EQ(got.replies.size(), 1u);
    EXPECT_TRUE(got.replies[0].ok);
    EXPECT_TRUE(logged.empty());
}

TEST_F(ServerBoundsTest, AConnectionThatCannotBeWatchedAtAllIsToldWhyClosedAndLogged) {
    listen(small_limits());
    int before = io.watch_calls;
    io.failing_watches = 100;
    io.watch_error = ENOSPC; // max_user_watches reached: it will not pass soon
    base::UniqueFd c = fake.connect_client(path, ucred{5000, 1000, 1000});
    io.settle();
    EXPECT_EQ(io.watch_calls - before, control::watch_attempts) << "tried a bounded number of times, no spin";
    EXPECT_EQ(server->connections(), 0u);
    EXPECT_EQ(server->held_bytes(), 0u);
    auto got = receive(c);
    ASSERT_EQ(got.replies.size(), 1u);
    EXPECT_EQ(got.replies[0].error.code, "busy");
    EXPECT_NE(got.replies[0].error.message.find(std::strerror(ENOSPC)), std::string::npos)
        << got.replies[0].error.message;
    EXPECT_TRUE(got.closed);
    ASSERT_EQ(logged.size(), 1u);
    EXPECT_NE(logged[0].find("uid 1000"), std::string::npos) << logged[0];
    EXPECT_NE(logged[0].find(std::strerror(ENOSPC)), std::string::npos) << logged[0];
    // Once epoll takes watches again, clients are served as before.
    io.failing_watches = 0;
    base::UniqueFd next = connect(1000);
    send(next, request("version", 2));
    io.settle();
    ASSERT_EQ(receive(next).replies.size(), 1u);
}

TEST_F(ServerBoundsTest, AListenerWhoseWatchCannotBeRestoredRestsAgainInsteadOfGoingDeaf) {
    listen(small_limits());
    base::UniqueFd user = fake.connect_client(path, ucred{5000, 1000, 1000});
    fake.fail_next("accept4", EMFILE);
    fake.fail_next("accept4", EMFILE); // the retry with the reserve freed fails too
    io.turn();
    ASSERT_TRUE(server->listener_paused());
    io.failing_watches = 1;
    io.fire_timer(); // the rest is over, but the listener cannot be watched
    EXPECT_TRUE(server->listener_paused());
    ASSERT_TRUE(io.timer != nullptr) << "nothing would ever watch the listener again";
    EXPECT_EQ(io.timer_delay, control::default_accept_retry);
    ASSERT_EQ(logged.size(), 1u);
    EXPECT_NE(logged[0].find(std::strerror(ENOMEM)), std::string::npos) << logged[0];
    io.fire_timer();
    io.turn();
    EXPECT_FALSE(server->listener_paused());
    EXPECT_EQ(server->connections(), 1u);
}

TEST_F(ServerBoundsTest, ListenFailsCleanlyWhenTheSocketCannotBeWatched) {
    server = std::make_unique<control::Server>(fake, io, host, small_limits());
    io.failing_watches = 1;
    auto refused = server->listen(path, 0755, 0666);
    ASSERT_FALSE(refused.has_value());
    EXPECT_NE(refused.error().message().find("cannot watch"), std::string::npos) << refused.error().message();
    EXPECT_NE(refused.error().message().find(std::strerror(ENOMEM)), std::string::npos);
    EXPECT_TRUE(server->path().empty());
    EXPECT_TRUE(server->listen(path, 0755, 0666).has_value()) << "nothing was left behind";
}

TEST_F(ServerBoundsTest, EachUidHasOneRequestBudgetPerTurnWhateverItsNumberOfConnections) {
    // Regression (issue 12): the budget was per connection, so 20 connections of one uid got 20
    // budgets a turn and every other client, root included, waited behind their backlog.
    control::Limits limits;
    limits.requests_per_turn = 4;
    listen(limits);
    std::string burst;
    for (std::uint64_t i = 0; i < 40; ++i) {
        burst += request("list", i);
    }
    std::vector<base::UniqueFd> crowd;
    for (int i = 0; i < 20; ++i) {
        crowd.push_back(connect(1000));
    }
    base::UniqueFd other = connect(1001);
    base::UniqueFd root = connect(root_uid);
    for (const auto& c : crowd) {
        send(c, burst);
    }
    send(other, burst);
    send(root, request("version", 77));
    std::size_t crowd_total = 0;
    std::size_t other_total = 0;
    std::vector<int> first_reply(crowd.size(), -1);
    for (int turn = 0; turn < 1000 && (crowd_total < 800 || other_total < 40); ++turn) {
        io.turn();
        std::size_t crowd_now = 0;
        for (std::size_t i = 0; i < crowd.size(); ++i) {
            std::size_t n = receive(crowd[i]).replies.size();
            if (n > 0 && first_reply[i] < 0) {
                first_reply[i] = turn;
            }
            crowd_now += n;
        }
        std::size_t other_now = receive(other).replies.size();
        if (turn == 0) {
            auto root_got = receive(root);
            ASSERT_EQ(root_got.replies.size(), 1u) << "root waited behind uid 1000's backlog";
            EXPECT_EQ(root_got.replies[0].id, 77u);
        }
        EXPECT_LE(crowd_now, limits.requests_per_turn)
            << "turn " << turn << ": uid 1000 got more than its budget";
        EXPECT_LE(other_now, limits.requests_per_turn) << "turn " << turn;
        if (other_total < 40) {
            EXPECT_GT(other_now, 0u) << "turn " << turn << ": uid 1001 waited behind uid 1000's backlog";
        }
        crowd_total += crowd_now;
        other_total += other_now;
        if (HasFailure()) {
            return;
        }
    }
    EXPECT_EQ(crowd_total, 800u);
    EXPECT_EQ(other_total, 40u);
    for (std::size_t i = 0; i < crowd.size(); ++i) {
        EXPECT_GE(first_reply[i], 0);
        EXPECT_LE(first_reply[i], static_cast<int>(crowd.size()))
            << "connection " << i << " of uid 1000 waited behind the others of its uid";
    }
}
} // namespace
