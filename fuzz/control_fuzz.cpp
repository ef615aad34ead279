// libFuzzer target: the control server end to end over the fake kernel — connections from root
// and unprivileged uids, raw bytes and well-formed requests (frame decoding, request parsing,
// dispatch against an engine with a few jobs), clients that stop reading or hang up, and failing
// system calls — with the server's small limits, so every bound is reached.
//
// Input: a sequence of operations, each chosen by one byte (see run()).
//
// Invariants checked (a violation traps, so libFuzzer records the input as a crash):
//   - everything the server writes is a sequence of frames, each a well-formed reply;
//   - unprivileged clients together never hold more than the budgets plus one reply;
//   - no more connections than the limit, and none of an unprivileged uid past its share;
//   - once every client has gone, the server holds no connection and no byte;
//   - the fake kernel never saw a misuse (a blocking call that would hang, an unmodelled call):
//     its failures are reported through GoogleTest, which this target turns into a trap.
#include <gtest/gtest.h>
#include <sys/epoll.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/parser.h"
#include "control/server.h"
#include "core/engine.h"
#include "fakes/fake_job_runtime.h"
#include "fakes/fake_sys.h"

namespace {

void check(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

// Any failure the fake kernel reports (ADD_FAILURE outside a test) is a finding.
class TrapOnFailure : public ::testing::EmptyTestEventListener {
    void OnTestPartResult(const ::testing::TestPartResult& result) override {
        if (result.failed()) {
            std::fprintf(stderr, "%s\n", result.message());
            __builtin_trap();
        }
    }
};

const bool listener_installed = [] {
    ::testing::UnitTest::GetInstance()->listeners().Append(new TrapOnFailure);
    return true;
}();

// One loop turn at a time, readiness from the fake kernel, as the daemon's event loop would.
class HandIo final : public control::IoRegistry {
public:
    explicit HandIo(fakes::FakeSys& fake) : m_fake(fake) {}
    base::Result<void> watch(int fd, bool read, bool write,
                             std::function<void(std::uint32_t)> ready) override {
        if (m_failing_watches > 0) { // epoll_ctl ADD: ENOMEM; the fd is then not watched at all
            --m_failing_watches;
            m_watches.erase(fd);
            return base::Error::from_errno("epoll_ctl", ENOMEM);
        }
        m_watches[fd] = {read, write, std::move(ready)};
        return {};
    }
    void fail_next_watch() { ++m_failing_watches; }
    void clear_failures() { m_failing_watches = 0; }
    void unwatch(int fd) override { m_watches.erase(fd); }
    void post(std::function<void()> fn) override { m_posted.push_back(std::move(fn)); }
    void wake_after(sys::Duration, std::function<void()> fn) override { m_timer = std::move(fn); }

    bool turn() {
        bool ran = false;
        auto copy = m_watches;
        for (auto& [fd, w] : copy) {
            auto it = m_watches.find(fd);
            if (it == m_watches.end()) {
                continue;
            }
            std::uint32_t asked = (it->second.read ? std::uint32_t{EPOLLIN} : 0u) |
                                  (it->second.write ? std::uint32_t{EPOLLOUT} : 0u) | EPOLLHUP | EPOLLERR;
            if (std::uint32_t events = m_fake.ready_events(fd) & asked; events != 0) {
                auto cb = it->second.ready;
                cb(events);
                ran = true;
            }
        }
        std::vector<std::function<void()>> due;
        due.swap(m_posted);
        for (auto& fn : due) {
            fn();
            ran = true;
        }
        return ran;
    }
    void fire_timer() {
        auto fn = std::move(m_timer);
        m_timer = nullptr;
        if (fn) {
            fn();
        }
    }

private:
    struct Watch {
        bool read;
        bool write;
        std::function<void(std::uint32_t)> ready;
    };
    fakes::FakeSys& m_fake;
    std::map<int, Watch> m_watches;
    std::vector<std::function<void()>> m_posted;
    std::function<void()> m_timer;
    int m_failing_watches = 0;
};

const std::vector<std::shared_ptr<core::JobClass>>& job_classes() {
    static const std::vector<std::shared_ptr<core::JobClass>> classes = [] {
        std::vector<std::shared_ptr<core::JobClass>> out;
        for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
                 {"svc", "start on startup\nexec /bin/svc\n"},
                 {"task", "task\nexec /bin/true\n"},
                 {"inst", "instance $N\nenv N=0\nusage \"inst N=...\"\nexec /bin/inst $N\n"},
                 {"hooks", "pre-start exec /bin/pre\npost-stop exec /bin/post\nexec /bin/main\nemits ready\n"}}) {
            auto job = config::parse_job(text, name + ".conf");
            check(job.has_value());
            job->name = name;
            out.push_back(std::make_shared<core::JobClass>(std::move(job).value()));
        }
        return out;
    }();
    return classes;
}

struct Client {
    base::UniqueFd fd;
    uid_t uid = 0;
    control::FrameDecoder decoder{control::max_response_payload};
};

class Input {
public:
    Input(const std::uint8_t* data, std::size_t size) : m_data(data), m_size(size) {}
    bool done() const { return m_pos >= m_size; }
    std::uint8_t byte() { return m_pos < m_size ? m_data[m_pos++] : 0; }
    std::string bytes(std::size_t n) {
        n = std::min(n, m_size - m_pos);
        std::string s(reinterpret_cast<const char*>(m_data + m_pos), n);
        m_pos += n;
        return s;
    }

private:
    const std::uint8_t* m_data;
    std::size_t m_size;
    std::size_t m_pos = 0;
};

const char* const commands[] = {"start",   "stop",     "restart",      "reload",  "status",  "list",
                                "show-config", "check-config", "reload-configuration", "version", "emit",
                                "usage",   "list-env", "get-env",      "set-env", "unset-env", "reset-env", "bogus"};

void drain(fakes::FakeSys& fake, Client& c) {
    char buf[4096];
    for (;;) {
        auto n = fake.read(c.fd.get(), buf, sizeof buf);
        if (!n || *n == 0) {
            break;
        }
        c.decoder.feed(std::string_view(buf, *n));
    }
    check(!c.decoder.failed());
    while (auto payload = c.decoder.next()) {
        check(control::decode_response(*payload).has_value());
    }
}

void run(const std::uint8_t* data, std::size_t size) {
    fakes::FakeSys fake;
    fake.add_dir("/run");
    fakes::FakeJobRuntime runtime;
    core::Engine engine(runtime, {"PATH=/usr/bin:/bin"});
    runtime.attach(engine);
    for (const auto& cls : job_classes()) {
        engine.set_class(cls);
    }
    control::CommandHost host{engine, 0, "fuzz", {}, {}, {}};
    host.reload_configuration = [] { return base::Result<nlohmann::json>(nlohmann::json::object()); };
    host.check_config = [] { return nlohmann::json{{"ok", true}, {"report", nlohmann::json::array()}}; };
    control::Limits limits;
    limits.max_connections = 5;
    limits.privileged_reserve = 2;
    limits.max_connections_per_uid = 2;
    limits.output_high_water = 300;
    limits.client_input_budget = 4096;
    limits.client_output_budget = 4096;
    limits.requests_per_turn = 2;
    HandIo io(fake);
    control::Server server(fake, io, host, limits);
    const std::string path = "/run/startd/control";
    check(server.listen(path, 0755, 0666).has_value());

    std::vector<Client> clients;
    Input in(data, size);
    auto pick = [&]() -> Client* { return clients.empty() ? nullptr : &clients[in.byte() % clients.size()]; };
    for (int ops = 0; !in.done() && ops < 200; ++ops) {
        switch (in.byte() % 9) {
        case 0: { // a client connects: root, the owner, or one of three unprivileged uids
            if (clients.size() >= 8) {
                break;
            }
            std::uint8_t who = in.byte() % 4;
            Client c;
            c.uid = who == 0 ? 0 : 1000 + who;
            c.fd = fake.connect_client(path, ucred{static_cast<pid_t>(2000 + clients.size()), c.uid, c.uid});
            clients.push_back(std::move(c));
            break;
        }
        case 1: { // raw bytes: whatever frames (or garbage) the input holds
            Client* c = pick();
            std::size_t n = in.byte() | (std::size_t{in.byte()} << 8);
            std::string raw = in.bytes(n);
            if (c != nullptr) {
                (void)fake.write(c->fd.get(), raw.data(), raw.size());
            }
            break;
        }
        case 2: { // a well-formed request with arguments from the input (JSON text, if it parses)
            Client* c = pick();
            control::Request r;
            r.id = in.byte();
            r.command = commands[in.byte() % std::size(commands)];
            std::string args = in.bytes(in.byte());
            auto parsed = nlohmann::json::parse(args, nullptr, false);
            if (!parsed.is_discarded() && parsed.is_object()) {
                r.args = std::move(parsed);
            }
            std::string frame = control::encode_frame(control::encode_request(r));
            if (c != nullptr) {
                (void)fake.write(c->fd.get(), frame.data(), frame.size());
            }
            break;
        }
        case 3:
            io.turn();
            break;
        case 4: // a client reads what it has been sent
            if (Client* c = pick()) {
                drain(fake, *c);
            }
            break;
        case 5: // a client hangs up
            if (!clients.empty()) {
                clients.erase(clients.begin() + static_cast<std::ptrdiff_t>(in.byte() % clients.size()));
            }
            break;
        case 6: // a client's socket buffer: it reads slowly, or not at all
            if (Client* c = pick()) {
                fake.limit_buffer(c->fd.get(), std::size_t{in.byte()} * 16);
            }
            break;
        case 7: { // the next accept, read, write or watch fails
            static const char* const calls[] = {"accept4", "read", "write", "socket", "watch"};
            static const int errors[] = {EAGAIN, EINTR, EMFILE, ENFILE, ENOBUFS, EPIPE, ECONNRESET, ENOMEM};
            const char* call = calls[in.byte() % std::size(calls)];
            int err = errors[in.byte() % std::size(errors)];
            if (std::string_view(call) == "watch") {
                io.fail_next_watch();
            } else {
                fake.fail_next(call, err);
            }
            break;
        }
        case 8: // time passes: the listener's rest ends, kill timers fire
            io.fire_timer();
            runtime.advance(core::Seconds(in.byte() % 8));
            break;
        }
        check(server.connections() <= limits.max_connections);
        check(server.unprivileged_held_bytes() <=
              limits.client_input_budget + limits.client_output_budget + 8 * control::max_request_payload);
    }
    fake.clear_injections();
    io.clear_failures();
    for (int i = 0; i < 64; ++i) {
        io.fire_timer();
        io.turn();
    }
    for (Client& c : clients) {
        fake.limit_buffer(c.fd.get(), static_cast<std::size_t>(-1));
        drain(fake, c);
    }
    clients.clear();
    for (int i = 0; i < 10000 && io.turn(); ++i) {
    }
    check(server.connections() == 0);
    check(server.held_bytes() == 0);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    (void)listener_installed;
    run(data, size);
    return 0;
}
