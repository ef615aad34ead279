// Owns SupervisorTest: a real Supervisor and the real EventLoop over FakeSys, driven the way the
// kernel would drive startd — processes exit, signals kill them, clients talk on the socket —
// with every step bounded. Not here: the scenarios (supervisor_test.cpp and the random test).
#pragma once

#include "control/framing.h"
#include "control/protocol.h"
#include "daemon/supervisor.h"
#include "fakes/fake_sys.h"
#include "loop/event_loop.h"

#include <csignal>
#include <gtest/gtest.h>
#include <memory>
#include <set>
#include <string>
#include <sys/epoll.h>
#include <vector>

class SupervisorTest : public ::testing::Test {
  protected:
    static constexpr const char* jobs_dir = "/etc/startd/jobs";
    static constexpr const char* socket_path = "/run/startd/control";
    static constexpr const char* log_dir = "/var/log/startd";
    static constexpr const char* journal_path = "/run/startd/state.journal";

    SupervisorTest() {
        sys.add_file("/dev/null", "");
        sys.add_dir(jobs_dir);
        settings.endpoint.mode = control::Mode::System;
        settings.endpoint.config_dir = "/etc/startd";
        settings.endpoint.jobs_dir = jobs_dir;
        settings.endpoint.socket = socket_path;
        settings.endpoint.journal = journal_path;
        settings.endpoint.log_dir = log_dir;
        settings.job_env = {"PATH=/usr/bin:/bin"};
    }
    ~SupervisorTest() override {
        supervisor.reset(); // before the loop it watches through
        loop.reset();
    }

    void write_job(const std::string& name, const std::string& text) {
        sys.add_file(std::string(jobs_dir) + "/" + name + ".conf", text);
    }

    // Creates the loop and the Supervisor and runs its start(); false (with the reason recorded
    // as a test failure) when either fails.
    bool boot() {
        auto created = loop::EventLoop::create(sys);
        if (!created) {
            ADD_FAILURE() << "event loop: " << created.error().message();
            return false;
        }
        loop = std::move(created).value();
        loop->set_error_sink([this](std::string_view message) { loop_errors.emplace_back(message); });
        supervisor = std::make_unique<daemon_main::Supervisor>(sys, *loop, settings);
        auto started = supervisor->start();
        if (!started) {
            ADD_FAILURE() << "start: " << started.error().message();
            return false;
        }
        settle();
        return true;
    }

    // Runs loop turns until nothing is left to do, delivering the signals startd sent to its
    // children in between (each dies of it unless it ignores it). Bounded: a loop that never
    // settles fails the test.
    void settle() {
        // Settled after a few idle turns in a row: one turn can be cut short (EINTR).
        int idle = 0;
        for (int turn = 0; turn < 1000; ++turn) {
            bool delivered = deliver_signals();
            auto ran = loop->run_once(loop::Wait::No);
            if (!ran) {
                ADD_FAILURE() << "run_once: " << ran.error().message();
                return;
            }
            idle = *ran == 0 && !delivered ? idle + 1 : 0;
            if (idle == 3) {
                return;
            }
        }
        ADD_FAILURE() << "the loop did not settle within 1000 turns";
    }

    // Kills, as the kernel would, every running fake process that a signal sent since the last
    // call reached, unless the process ignores that signal. Returns whether any died.
    bool deliver_signals() {
        bool any = false;
        const auto& sent = sys.signals_sent();
        for (; m_signals_seen < sent.size(); ++m_signals_seen) {
            fakes::FakeSys::SentSignal s = sent[m_signals_seen];
            if (s.sig == 0 || s.sig == SIGCONT || s.sig == SIGCHLD || s.sig == SIGHUP || s.sig == SIGUSR1) {
                continue; // what the jobs here take without dying (reload, status)
            }
            for (pid_t pid : running_processes()) {
                bool hit = s.pid > 0 ? pid == s.pid : sys.process(pid).pgid == -s.pid;
                if (hit && !(s.sig != SIGKILL && ignores_term.count(pid) != 0)) {
                    sys.kill_process(pid, s.sig);
                    any = true;
                }
            }
        }
        return any;
    }

    // The fake processes that are still running.
    std::vector<pid_t> running_processes() const {
        std::vector<pid_t> out;
        for (pid_t pid : sys.spawned()) {
            if (sys.process(pid).state == fakes::FakeSys::Process::State::Running) {
                out.push_back(pid);
            }
        }
        return out;
    }
    std::size_t zombies() const {
        std::size_t n = 0;
        for (pid_t pid : sys.spawned()) {
            n += sys.process(pid).state == fakes::FakeSys::Process::State::Zombie ? 1 : 0;
        }
        return n;
    }

    const core::Job* job(const std::string& name, const std::string& instance = "") {
        return supervisor->engine().find_instance(name, instance);
    }
    pid_t main_pid(const std::string& name, const std::string& instance = "") {
        const core::Job* j = job(name, instance);
        return j == nullptr ? 0 : j->pid(core::ProcessType::Main);
    }
    // The path of the last process spawned (its argv[0] is enough to tell the jobs here apart).
    std::string last_spawned_file() const {
        return sys.spawn_attempts().empty() ? std::string() : sys.spawn_attempts().back().file;
    }

    // Sends one request over a fresh connection, lets the loop run, and returns the reply (or
    // nullopt when none came: the test then fails unless it expects that).
    std::optional<control::Response> request(const std::string& command,
                                             nlohmann::json args = nlohmann::json::object()) {
        ClientIo io(*this);
        base::UniqueFd client = sys.connect_client(socket_path, ucred{4242, 0, 0});
        if (!client.valid()) {
            return std::nullopt;
        }
        control::Request req;
        req.id = ++m_request_id;
        req.command = command;
        req.args = std::move(args);
        std::string frame = control::encode_frame(control::encode_request(req));
        for (std::size_t done = 0; done < frame.size();) {
            auto n = sys.write(client.get(), frame.data() + done, frame.size() - done);
            if (!n) {
                return std::nullopt;
            }
            done += *n;
        }
        control::FrameDecoder decoder(control::max_response_payload);
        for (int turn = 0; turn < 50; ++turn) {
            io.pause();
            settle();
            if (connection_waits()) {
                // The listener rests after accept could not get a descriptor, and only the clock
                // ends that rest: let the time pass that a real client would wait.
                sys.advance(control::default_accept_retry);
                settle();
            }
            io.resume();
            char buf[4096];
            for (;;) {
                auto n = sys.read(client.get(), buf, sizeof buf);
                if (!n || *n == 0) {
                    break;
                }
                decoder.feed(std::string_view(buf, *n));
            }
            if (auto payload = decoder.next()) {
                auto reply = control::decode_response(*payload);
                if (reply && reply->id == req.id) {
                    return *reply;
                }
                return std::nullopt;
            }
        }
        return std::nullopt;
    }

    // Whether a client's connection waits on the listening socket, not accepted yet.
    bool connection_waits() {
        for (int fd : sys.open_fds()) {
            if (sys.fd_path(fd) == socket_path && (sys.ready_events(fd) & EPOLLIN) != 0) {
                return true;
            }
        }
        return false;
    }

    // The failure a status request reports for `name` ("" when none, or when no reply came).
    std::string status_failure(const std::string& name, const std::string& instance = "") {
        nlohmann::json args = {{"job", name}};
        if (!instance.empty()) {
            args["instance"] = instance;
        }
        auto reply = request("status", std::move(args));
        if (!reply || !reply->ok || reply->result["statuses"].empty()) {
            return {};
        }
        return reply->result["statuses"][0].value("failure", "");
    }

    fakes::FakeSys sys;
    daemon_main::Settings settings;
    std::unique_ptr<loop::EventLoop> loop;
    std::unique_ptr<daemon_main::Supervisor> supervisor;
    std::set<pid_t> ignores_term; // these die of SIGKILL only
    std::vector<std::string> loop_errors;
    // True while the test's own end of a connection makes calls: a fault policy leaves them be.
    bool client_io = false;

  private:
    // Sets client_io for the test's own calls of one request, not for the daemon's turns.
    class ClientIo {
      public:
        explicit ClientIo(SupervisorTest& t) : m_t(t) { m_t.client_io = true; }
        ~ClientIo() { m_t.client_io = false; }
        void pause() { m_t.client_io = false; }
        void resume() { m_t.client_io = true; }

      private:
        SupervisorTest& m_t;
    };
    std::size_t m_signals_seen = 0;
    std::uint64_t m_request_id = 0;
};
