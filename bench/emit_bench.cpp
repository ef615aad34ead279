// Event throughput benchmark (issue 5): how many events per second startd handles when 10 of
// its job classes listen to the event, and whether that holds as unrelated classes grow.
//
//   emit_bench engine N EVENTS     in-process: the Engine alone over a null runtime
//   emit_bench gen DIR N           writes N job files: 10 `start on bench-e`, N-10 `start on other-K`
//   emit_bench socket PATH EVENTS  a client sending EVENTS `emit --no-wait bench-e` requests over
//                                  one connection (pipelined in windows of 256) and reading the replies
//
// Each prints one line: "events=E seconds=S events_per_s=R".
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>

#include "config/parser.h"
#include "control/framing.h"
#include "control/protocol.h"
#include "core/engine.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr int listeners = 10;
const char* const event_name = "bench-e";

std::string job_text(int i) {
    if (i < listeners) {
        return "description \"listens to the benchmark event\"\nstart on bench-e\nexec /bin/sleep 1000\n";
    }
    return "description \"unrelated job " + std::to_string(i) + "\"\nstart on other-" + std::to_string(i) +
           "\nstop on stopping other-" + std::to_string(i) + "\nrespawn\nexec /bin/sleep 1000\n";
}

void report(long events, Clock::duration took) {
    double s = std::chrono::duration<double>(took).count();
    std::printf("events=%ld seconds=%.4f events_per_s=%.0f\n", events, s, static_cast<double>(events) / s);
}

// A runtime whose processes never exit: enough for the engine to run jobs to `running`.
class NullRuntime final : public core::JobRuntime {
public:
    base::Result<pid_t> spawn(const core::Job&, core::ProcessType) override { return m_next++; }
    base::Result<void> signal_group(const core::Job&, pid_t, int) override { return {}; }
    base::Result<void> signal_process(pid_t, int) override { return {}; }
    void arm_kill_timer(core::Job&, core::Seconds) override {}
    void cancel_kill_timer(core::Job&) override {}
    void arm_respawn_timer(core::Job&, std::chrono::milliseconds) override {}
    void cancel_respawn_timer(core::Job&) override {}
    std::uint64_t random() override { return 0; }
    void await_ready(const core::Job&, pid_t) override {}
    void abort_ready(const core::Job&) override {}
    core::Clock::time_point now() override { return core::Clock::now(); }
    void log(core::LogLevel, std::string_view) override {}

private:
    pid_t m_next = 100;
};

int engine_bench(int n, long events) {
    NullRuntime runtime;
    core::Engine engine(runtime, {"PATH=/usr/bin:/bin", "TERM=linux", "HOME=/root", "LANG=C.UTF-8"});
    for (int i = 0; i < n; ++i) {
        auto job = config::parse_job(job_text(i), "bench.conf");
        if (!job) {
            std::fprintf(stderr, "parse: %s\n", job.error().to_string().c_str());
            return 1;
        }
        job->name = "job" + std::to_string(i);
        engine.set_class(std::make_shared<core::JobClass>(std::move(job).value()));
    }
    engine.emit(event_name, {}); // the first one starts the listeners; time the steady state
    auto t0 = Clock::now();
    for (long i = 0; i < events; ++i) {
        engine.emit(event_name, {});
    }
    report(events, Clock::now() - t0);
    return 0;
}

int gen(const std::string& dir, int n) {
    for (int i = 0; i < n; ++i) {
        std::ofstream out(dir + "/job" + std::to_string(i) + ".conf");
        out << job_text(i);
        if (!out) {
            std::perror(dir.c_str());
            return 1;
        }
    }
    return 0;
}

bool write_all(int fd, const std::string& bytes) {
    std::size_t off = 0;
    while (off < bytes.size()) {
        ssize_t w = write(fd, bytes.data() + off, bytes.size() - off);
        if (w <= 0) {
            return false;
        }
        off += static_cast<std::size_t>(w);
    }
    return true;
}

int socket_bench(const std::string& path, long events) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        std::perror(path.c_str());
        return 1;
    }
    control::FrameDecoder decoder(control::max_response_payload);
    constexpr long window = 256;
    long sent = 0;
    long received = 0;
    long failed = 0;
    char buf[65536];
    auto t0 = Clock::now();
    while (received < events) {
        std::string batch;
        while (sent < events && sent - received < window) {
            control::Request req;
            req.id = static_cast<std::uint64_t>(++sent);
            req.command = "emit";
            req.args = {{"name", event_name}, {"wait", false}};
            batch += control::encode_frame(control::encode_request(req));
        }
        if (!batch.empty() && !write_all(fd, batch)) {
            std::perror("write");
            return 1;
        }
        ssize_t r = read(fd, buf, sizeof(buf));
        if (r <= 0) {
            std::fprintf(stderr, "connection closed after %ld replies\n", received);
            return 1;
        }
        decoder.feed(std::string_view(buf, static_cast<std::size_t>(r)));
        while (auto payload = decoder.next()) {
            auto resp = control::decode_response(*payload);
            failed += (!resp || !resp->ok) ? 1 : 0;
            ++received;
        }
    }
    report(events, Clock::now() - t0);
    close(fd);
    if (failed != 0) {
        std::fprintf(stderr, "%ld requests failed\n", failed);
        return 1;
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "engine" && argc == 4) {
        return engine_bench(std::atoi(argv[2]), std::atol(argv[3]));
    }
    if (mode == "gen" && argc == 4) {
        return gen(argv[2], std::atoi(argv[3]));
    }
    if (mode == "socket" && argc == 4) {
        return socket_bench(argv[2], std::atol(argv[3]));
    }
    std::fprintf(stderr, "usage: emit_bench engine N EVENTS | gen DIR N | socket PATH EVENTS\n");
    return 2;
}
