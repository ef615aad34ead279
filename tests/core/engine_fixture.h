// Owns EngineTest: an Engine over a FakeJobRuntime, with job classes written as job-file text.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "config/parser.h"
#include "core/engine.h"
#include "fakes/fake_job_runtime.h"

class EngineTest : public ::testing::Test {
protected:
    EngineTest() : engine(runtime, {"PATH=/usr/bin:/bin", "TERM=linux"}) {
        runtime.attach(engine);
        engine.observe_events([this](const core::Event& ev) {
            std::string line = ev.name;
            for (const std::string& kv : ev.env) {
                line += " " + kv;
            }
            events.push_back(line);
        });
    }

    // Registers job `name` from job-file text.
    void define(const std::string& name, const std::string& text) {
        auto job = config::parse_job(text, name + ".conf");
        ASSERT_TRUE(job.has_value()) << job.error().to_string();
        job->name = name;
        engine.set_class(std::make_shared<core::JobClass>(std::move(job).value()));
    }

    // Commands whose waiter outcomes land in `outcomes`. The try_ forms return the reply; the
    // plain forms require the command to be accepted.
    core::CommandResult<core::JobStatus> try_start(const std::string& name, core::Environ env = {}) {
        return engine.start(name, env, [this](const core::JobOutcome& o) { outcomes.push_back(o); });
    }
    core::CommandResult<core::JobStatus> try_stop(const std::string& name, core::Environ env = {}) {
        return engine.stop(name, env, [this](const core::JobOutcome& o) { outcomes.push_back(o); });
    }
    void start(const std::string& name, core::Environ env = {}) {
        auto r = try_start(name, std::move(env));
        EXPECT_TRUE(r.has_value()) << "start " << name << ": " << (r ? "" : r.error().message);
    }
    void stop(const std::string& name, core::Environ env = {}) {
        auto r = try_stop(name, std::move(env));
        EXPECT_TRUE(r.has_value()) << "stop " << name << ": " << (r ? "" : r.error().message);
    }

    const core::Job* job(const std::string& name, const std::string& instance = "") {
        return engine.find_instance(name, instance);
    }
    core::JobState state(const std::string& name, const std::string& instance = "") {
        const core::Job* j = job(name, instance);
        return j ? j->state : core::JobState::Waiting;
    }
    void exit_with(pid_t pid, int status) { ASSERT_TRUE(engine.on_process_exit(pid, core::ExitStatus::exited(status))); }
    void kill_with(pid_t pid, int sig) { ASSERT_TRUE(engine.on_process_exit(pid, core::ExitStatus::killed(sig))); }
    pid_t pid_of(core::ProcessType type) { return runtime.last_pid(type); }

    // Events whose line starts with `prefix`, e.g. "stopped JOB=web".
    std::vector<std::string> events_starting_with(const std::string& prefix) const {
        std::vector<std::string> out;
        for (const std::string& e : events) {
            if (e.rfind(prefix, 0) == 0) {
                out.push_back(e);
            }
        }
        return out;
    }

    fakes::FakeJobRuntime runtime;
    core::Engine engine;
    std::vector<std::string> events;
    std::vector<core::JobOutcome> outcomes;
};
