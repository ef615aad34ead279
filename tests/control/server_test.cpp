// Tests the control server with readiness driven by hand through a recording IoRegistry: over
// real Unix sockets (requests, garbage, oversized frames, stale and live sockets), and over the
// fake kernel for every bound against hostile clients (connection limits, the reserve for root,
// the memory budget, backpressure, fair service, running out of descriptors, I/O errors).
#include "control/server.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <map>

#include "core/engine_fixture.h"
#include "fakes/fake_sys.h"

namespace {

// An IoRegistry driven by hand: turn() is one loop turn (every watch whose fd is ready, as the
// `ready` oracle says, then the functions posted before the turn); fire_timer() is the timer.
class RecordingIo final : public control::IoRegistry {
public:
    struct Watch {
        bool read = false;
        bool write = false;
        std::function<void(std::uint32_t)> ready;
    };
    // The events an fd reports now; by default poll(2) on a real fd.
    std::function<std::uint32_t(int)> ready = [](int fd) {
        pollfd p{fd, POLLIN | POLLOUT, 0};
        if (::poll(&p, 1, 0) != 1) {
            return 0u;
        }
        return ((p.revents & POLLIN) ? std::uint32_t{EPOLLIN} : 0u) | ((p.revents & POLLOUT) ? std::uint32_t{EPOLLOUT} : 0u) |
               ((p.revents & POLLHUP) ? std::uint32_t{EPOLLHUP} : 0u) | ((p.revents & POLLERR) ? std::uint32_t{EPOLLERR} : 0u);
    };

    void watch(int fd, bool read, bool write, std::function<void(std::uint32_t)> cb) override {
        watches[fd] = {read, write, std::move(cb)};
    }
    void unwatch(int fd) override { watches.erase(fd); }
    void post(std::function<void()> fn) override { posted.push_back(std::move(fn)); }
    void wake_after(sys::Duration delay, std::function<void()> fn) override {
        timer_delay = delay;
        timer = std::move(fn);
    }

    // One loop turn; returns how many callbacks ran.
    int turn() {
        int ran = 0;
        auto copy = watches;
        for (auto& [fd, w] : copy) {
            auto it = watches.find(fd);
            if (it == watches.end()) {
                continue;
            }
            std::uint32_t asked = (it->second.read ? std::uint32_t{EPOLLIN} : 0u) |
                                  (it->second.write ? std::uint32_t{EPOLLOUT} : 0u) | EPOLLHUP | EPOLLERR;
            std::uint32_t events = ready(fd) & asked;
            if (events != 0) {
                auto cb = it->second.ready;
                cb(events);
                ++ran;
            }
        }
        std::vector<std::function<void()>> due;
        due.swap(posted);
        for (auto& fn : due) {
            fn();
            ++ran;
        }
        return ran;
    }
    // Turns until nothing runs (bounded).
    void settle() {
        for (int i = 0; i < 1000 && turn() > 0; ++i) {
        }
    }
    void fire_timer() {
        auto fn = std::move(timer);
        timer = nullptr;
        if (fn) {
            fn();
        }
    }

    std::map<int, Watch> watches;
    std::vector<std::function<void()>> posted;
    std::function<void()> timer;
    sys::Duration timer_delay{};
};

class ServerTest : public EngineTest {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/startd-server-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
        path = dir + "/run/control";
        host.reload_configuration = [] { return base::Result<nlohmann::json>(nlohmann::json::object()); };
        host.check_config = [] { return nlohmann::json{{"ok", true}}; };
    }
    void TearDown() override {
        server.close();
        ASSERT_EQ(std::system(("rm -rf '" + dir + "'").c_str()), 0);
    }

    int connect_client() {
        int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        path.copy(a.sun_path, path.size());
        EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        return fd;
    }
    void send_raw(int fd, const std::string& bytes) { ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), (ssize_t)bytes.size()); }
    // Reads one reply frame (the test drives the server first, so the bytes are there).
    control::Response read_reply(int fd) {
        control::FrameDecoder dec(control::max_response_payload);
        char buf[4096];
        for (int i = 0; i < 100; ++i) {
            if (auto p = dec.next()) {
                auto r = control::decode_response(*p);
                EXPECT_TRUE(r.has_value());
                return r ? *r : control::Response{};
            }
            ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n <= 0) {
                io.turn();
                continue;
            }
            dec.feed(std::string_view(buf, n));
        }
        ADD_FAILURE() << "no reply";
        return {};
    }

    std::string dir;
    std::string path;
    RecordingIo io;
    control::CommandHost host{engine, ::geteuid(), "1.0", {}, {}, {}};
    control::Server server{sys::real_sys(), io, host};
};

TEST_F(ServerTest, AnswersAStatusRequestOverTheSocket) {
    define("web", "exec web\n");
    ASSERT_TRUE(server.listen(path, 0700, 0600).has_value());
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    int fd = connect_client();
    io.turn(); // accept
    control::Request req;
    req.id = 5;
    req.command = "status";
    req.args = {{"job", "web"}};
    send_raw(fd, control::encode_frame(control::encode_request(req)));
    io.turn();
    auto reply = read_reply(fd);
    EXPECT_TRUE(reply.ok);
    EXPECT_EQ(reply.id, 5u);
    EXPECT_EQ(reply.result["statuses"][0]["job"], "web");
    ::close(fd);
}

TEST_F(ServerTest, GarbageGetsAnErrorReplyAndTheConnectionStaysUsable) {
    ASSERT_TRUE(server.listen(path, 0700, 0600).has_value());
    int fd = connect_client();
    io.turn();
    send_raw(fd, control::encode_frame("this is not json"));
    io.turn();
    auto bad = read_reply(fd);
    EXPECT_FALSE(bad.ok);
    EXPECT_EQ(bad.error.code, "bad-request");
    control::Request req;
    req.id = 2;
    req.command = "version";
    send_raw(fd, control::encode_frame(control::encode_request(req)));
    io.turn();
    EXPECT_TRUE(read_reply(fd).ok);
    ::close(fd);
}

TEST_F(ServerTest, OversizedFrameIsRefusedAndTheConnectionClosed) {
    ASSERT_TRUE(server.listen(path, 0700, 0600).has_value());
    int fd = connect_client();
    io.turn();
    std::string header = control::encode_frame("").substr(0, 0);
    std::uint32_t n = control::max_request_payload + 1;
    header += static_cast<char>(n >> 24);
    header += static_cast<char>(n >> 16);
    header += static_cast<char>(n >> 8);
    header += static_cast<char>(n);
    send_raw(fd, header);
    io.turn();
    auto reply = read_reply(fd);
    EXPECT_EQ(reply.error.code, "too-large");
    EXPECT_EQ(server.connections(), 0u);
    ::close(fd);
}

TEST_F(ServerTest, ClientHangingUpIsForgotten) {
    ASSERT_TRUE(server.listen(path, 0700, 0600).has_value());
    int fd = connect_client();
    io.turn();
    EXPECT_EQ(server.connections(), 1u);
    ::close(fd);
    io.turn();
    EXPECT_EQ(server.connections(), 0u);
}

TEST_F(ServerTest, StaleSocketFileIsReplacedButALiveServerIsNeverStolen) {
    ASSERT_TRUE(server.listen(path, 0700, 0600).has_value());
    control::Server second(sys::real_sys(), io, host);
    auto refused = second.listen(path, 0700, 0600);
    ASSERT_FALSE(refused.has_value());
    EXPECT_NE(refused.error().message().find("already listening"), std::string::npos);
    server.close();
    // Leave a stale socket file behind, as a crashed startd would.
    int stale = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    path.copy(a.sun_path, path.size());
    ASSERT_EQ(::bind(stale, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ::close(stale);
    EXPECT_TRUE(second.listen(path, 0700, 0600).has_value());
}


// ---- bounds, over the fake kernel -------------------------------------------------------------

constexpr uid_t root_uid = 0;

class ServerBoundsTest : public EngineTest {
protected:
    void SetUp() override {
        fake.add_dir("/run");
        io.ready = [this](int fd) { return fake.ready_events(fd); };
        host.reload_configuration = [] { return base::Result<nlohmann::json>(nlohmann::json::object()); };
        host.check_config = [] { return nlohmann::json{{"ok", true}}; };
    }
    void TearDown() override {
        if (server) {
            server->close();
        }
    }
    void listen(control::Limits limits) {
        server = std::make_unique<control::Server>(fake, io, host, limits);
        ASSERT_TRUE(server->listen(path, 0755, 0666).has_value());
    }
    base::UniqueFd connect(uid_t uid) {
        base::UniqueFd fd = fake.connect_client(path, ucred{4000 + static_cast<pid_t>(uid), uid, uid});
        io.turn();
        return fd;
    }
    void send(const base::UniqueFd& fd, const std::string& bytes) {
        auto n = fake.write(fd.get(), bytes.data(), bytes.size());
        ASSERT_TRUE(n.has_value());
        ASSERT_EQ(*n, bytes.size());
    }
    static std::string request(const std::string& cmd, std::uint64_t id, nlohmann::json args = nlohmann::json::object()) {
        control::Request r;
        r.id = id;
        r.command = cmd;
        r.args = std::move(args);
        return control::encode_frame(control::encode_request(r));
    }
    // Everything the server has sent to fd so far, as replies; `closed` tells whether it hung up.
    struct Received {
        std::vector<control::Response> replies;
        bool closed = false;
    };
    Received receive(const base::UniqueFd& fd) {
        Received got;
        control::FrameDecoder& dec = decoders.try_emplace(fd.get(), control::max_response_payload).first->second;
        char buf[4096];
        for (;;) {
            auto n = fake.read(fd.get(), buf, sizeof buf);
            if (!n || *n == 0) {
                got.closed = n.has_value();
                break;
            }
            dec.feed(std::string_view(buf, *n));
        }
        while (auto p = dec.next()) {
            auto r = control::decode_response(*p);
            EXPECT_TRUE(r.has_value());
            if (r) {
                got.replies.push_back(*r);
            }
        }
        return got;
    }

    const std::string path = "/run/startd/control";
    fakes::FakeSys fake;
    RecordingIo io;
    control::CommandHost host{engine, root_uid, "1.0", {}, {}, {}};
    std::unique_ptr<control::Server> server;
    std::map<int, control::FrameDecoder> decoders; // per client fd
};

control::Limits small_limits() {
    control::Limits l;
    l.max_connections = 8;
    l.privileged_reserve = 2;
    l.max_connections_per_uid = 3;
    l.output_high_water = 512;
    l.client_input_budget = 64U << 10;
    l.client_output_budget = 64U << 10;
    l.requests_per_turn = 4;
    return l;
}

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
    EXPECT_NE(got.replies[0].error.message.find("uid 1000 (limit 3)"), std::string::npos) << got.replies[0].error.message;
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
} // namespace
