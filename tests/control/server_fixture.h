// Owns the control server's test fixtures: RecordingIo (an IoRegistry driven by hand, whose
// watches can be made to fail) and ServerBoundsTest (a Server over the fake kernel, with clients
// of any uid). Not here: the tests (server_test.cpp over real sockets, server_bounds_test.cpp).
#pragma once

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/epoll.h>

#include <cerrno>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "control/server.h"
#include "core/engine_fixture.h"
#include "fakes/fake_sys.h"

// An IoRegistry driven by hand: turn() is one loop turn (every watch whose fd is ready, as the
// `ready` oracle says, then the functions posted so far); fire_timer() is the timer.
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
        return ((p.revents & POLLIN) ? std::uint32_t{EPOLLIN} : 0u) |
               ((p.revents & POLLOUT) ? std::uint32_t{EPOLLOUT} : 0u) |
               ((p.revents & POLLHUP) ? std::uint32_t{EPOLLHUP} : 0u) |
               ((p.revents & POLLERR) ? std::uint32_t{EPOLLERR} : 0u);
    };

    base::Result<void> watch(int fd, bool read, bool write, std::function<void(std::uint32_t)> cb) override {
        ++watch_calls;
        if (failing_watches > 0) {
            --failing_watches;
            watches.erase(fd); // as the daemon's registry: a watch that could not be set is gone
            return base::Error::from_errno("epoll_ctl", watch_error);
        }
        watches[fd] = {read, write, std::move(cb)};
        return {};
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
    int failing_watches = 0; // the next this many watch() calls fail with watch_error
    int watch_error = ENOMEM;
    int watch_calls = 0;
    std::vector<std::function<void()>> posted;
    std::function<void()> timer;
    sys::Duration timer_delay{};
};

// ---- bounds, over the fake kernel -------------------------------------------------------------

inline constexpr uid_t root_uid = 0;

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
        server->set_log([this](std::string_view line) { logged.emplace_back(line); });
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
    static std::string request(const std::string& cmd, std::uint64_t id,
                               nlohmann::json args = nlohmann::json::object()) {
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
        control::FrameDecoder& dec =
            decoders.try_emplace(fd.get(), control::max_response_payload).first->second;
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
    std::vector<std::string> logged;               // what the server told the daemon's log
};

// Limits small enough to reach in a test.
inline control::Limits small_limits() {
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
