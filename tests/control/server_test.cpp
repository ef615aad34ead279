// Tests the control server over real Unix sockets, with readiness driven by hand through a
// recording IoRegistry: requests, garbage, oversized frames, hang-ups, stale and live sockets.
// Not here: the bounds against hostile clients, over the fake kernel (server_bounds_test.cpp).
#include "control/server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "control/server_fixture.h"

namespace {

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

// A client that connects and sends at once (startctl, scripts) is answered in the turn that
// accepts it: each extra turn would cost it a share of whatever else the loop does (a log flood).
TEST_F(ServerBoundsTest, ARequestSentWithTheConnectionIsAnsweredInTheTurnThatAcceptsIt) {
    listen(small_limits());
    for (uid_t uid : {root_uid, uid_t{1000}}) {
        base::UniqueFd client = fake.connect_client(path, ucred{4000, uid, uid});
        send(client, request("version", 7));
        io.turn();
        auto got = receive(client);
        ASSERT_EQ(got.replies.size(), 1u) << "uid " << uid;
        EXPECT_TRUE(got.replies[0].ok);
        EXPECT_EQ(got.replies[0].id, 7u);
    }
    // One that connects first and sends later is served when it sends, as before.
    base::UniqueFd late = fake.connect_client(path, ucred{4001, 0, 0});
    io.turn();
    EXPECT_TRUE(receive(late).replies.empty());
    send(late, request("version", 8));
    io.turn();
    EXPECT_EQ(receive(late).replies.size(), 1u);
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

} // namespace
