// Tests streaming replies through the control server over real Unix sockets: items reach the
// client with its request's id and version, a client that does not read never makes the server
// hold more than the connection's bound (the rest is skipped and said), and a client that goes
// closes its stream.
#include "control/server.h"
#include "control/server_fixture.h"

#include <cstdlib>
#include <gtest/gtest.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

class ServerStreamTest : public EngineTest {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/startd-stream-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir = tmpl;
        path = dir + "/control";
        host.monitor = [this](control::StreamPtr s) { streams.push_back(std::move(s)); };
        ASSERT_TRUE(server.listen(path, 0700, 0600).has_value());
        fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        path.copy(a.sun_path, path.size());
        ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        io.turn();
        control::Request req;
        req.version = 2;
        req.id = 9;
        req.command = "monitor";
        std::string frame = control::encode_frame(control::encode_request(req));
        ASSERT_EQ(::write(fd, frame.data(), frame.size()), static_cast<ssize_t>(frame.size()));
        io.turn();
        ASSERT_EQ(streams.size(), 1u);
    }
    void TearDown() override {
        if (fd >= 0) {
            ::close(fd);
        }
        server.close();
        ASSERT_EQ(std::system(("rm -rf '" + dir + "'").c_str()), 0);
    }
    // Every frame the client can read now, driving the server between reads.
    std::vector<control::Response> read_all() {
        std::vector<control::Response> got;
        char buf[65536];
        for (int idle = 0; idle < 3;) {
            ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n > 0) {
                decoder.feed(std::string_view(buf, static_cast<std::size_t>(n)));
                idle = 0;
            } else {
                ++idle;
            }
            io.turn();
            while (auto p = decoder.next()) {
                auto r = control::decode_response(*p);
                EXPECT_TRUE(r.has_value());
                got.push_back(*r);
            }
        }
        return got;
    }

    std::string dir;
    std::string path;
    int fd = -1;
    RecordingIo io;
    control::CommandHost host{engine, ::geteuid(), "1.0", {}, {}, {}};
    control::Server server{sys::real_sys(), io, host};
    std::vector<control::StreamPtr> streams;
    control::FrameDecoder decoder{control::max_response_payload};
};

TEST_F(ServerStreamTest, ItemsCarryTheRequestsIdAndVersion) {
    control::StreamFeed feed(streams[0]);
    feed.offer(nlohmann::json{{"n", 1}}, 1, 0);
    auto got = read_all();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].id, 9u);
    EXPECT_EQ(got[0].version, 2);
    ASSERT_TRUE(got[0].item.has_value());
    EXPECT_EQ((*got[0].item)["n"], 1);
}

TEST_F(ServerStreamTest, AReaderThatDoesNotReadCostsAtMostTheConnectionsBoundAndIsToldWhatItMissed) {
    control::StreamFeed feed(streams[0]);
    std::string kib(1024, 'x');
    for (int i = 0; i < 20000; ++i) { // 20 MiB offered
        feed.offer(nlohmann::json{{"data", kib}}, 1, kib.size());
    }
    EXPECT_LE(server.held_bytes(), control::default_output_high_water + 2048);
    EXPECT_GT(feed.skipped_items(), 10000u);
    std::size_t skipped = feed.skipped_items();
    auto got = read_all();
    std::size_t received = got.size();
    feed.offer(nlohmann::json{{"data", "after"}}, 1, 5);
    got = read_all();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ((*got[0].item)["skipped"]["items"], skipped);
    EXPECT_EQ((*got[1].item)["data"], "after");
    EXPECT_EQ(received + skipped, 20000u) << "every item was either sent or counted";
}

TEST_F(ServerStreamTest, AClientThatGoesClosesItsStream) {
    EXPECT_TRUE(streams[0]->open());
    ::close(fd);
    fd = -1;
    for (int i = 0; i < 3; ++i) {
        io.turn();
    }
    EXPECT_FALSE(streams[0]->open());
}

} // namespace
