// Owns JobRuntime: what the job engine asks of the outside world (spawning, signalling, timers,
// time, logging). The daemon implements it over Sys and the event loop; unit tests implement it
// with a recording fake, so every lifecycle path runs without real processes.
#pragma once

#include "base/result.h"
#include "core/job_class.h"

#include <chrono>
#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace core {

class Job;

using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::seconds;

enum class LogLevel : unsigned char { Debug, Info, Warning, Error };

// One process of a batch of spawns: `type` of `job`.
struct SpawnRequest {
    const Job* job;
    ProcessType type;
};

// One signal of a batch: `sig` to the process group led by `pid`, a process of `job`.
struct GroupSignal {
    const Job* job;
    pid_t pid;
    int sig;
};

// The error a runtime call that threw amounts to: std::system_error when a thread cannot be
// created, std::bad_alloc. The engine calls the runtime through this net, so such a throw fails
// only the jobs the call was for. Call it only inside a catch block.
inline base::Error error_of_current_exception() {
    try {
        throw;
    } catch (const std::exception& e) {
        return base::Error(e.what());
    } catch (...) {
        return base::Error("unknown exception");
    }
}

class JobRuntime {
public:
    virtual ~JobRuntime() = default;

    // Starts `type` of `job` (its command, environment, credentials and limits come from the job
    // and its class). Returns the pid, or an error whose message says which step failed
    // ("setuid failed: EPERM", "exec failed: No such file or directory").
    virtual base::Result<pid_t> spawn(const Job& job, ProcessType type) = 0;
    // spawn() of each of `requests`, results in the same order. The engine hands over together
    // the main processes one round of its work decided to start (all of them, in a bring-up),
    // so a runtime can create several at a time while each waits for its exec.
    virtual std::vector<base::Result<pid_t>> spawn_batch(std::span<const SpawnRequest> requests) {
        std::vector<base::Result<pid_t>> results;
        results.reserve(requests.size());
        for (const SpawnRequest& r : requests) {
            results.push_back(spawn(*r.job, r.type));
        }
        return results;
    }

    // Sends `sig` to the process group led by `pid` (and, where supported, the job's cgroup).
    virtual base::Result<void> signal_group(const Job& job, pid_t pid, int sig) = 0;
    // Sends each of `signals` as signal_group does, in order, and returns their results in the
    // same order. The engine hands over together the signals one round of its work decided
    // (every job that reached `killed` in it), so a runtime can read what it needs — the
    // process tree — once for all of them rather than once per job.
    virtual std::vector<base::Result<void>> signal_groups(std::span<const GroupSignal> signals) {
        std::vector<base::Result<void>> results;
        results.reserve(signals.size());
        for (const GroupSignal& s : signals) {
            results.push_back(signal_group(*s.job, s.pid, s.sig));
        }
        return results;
    }
    // Sends `sig` to `pid` only (reload signal).
    virtual base::Result<void> signal_process(pid_t pid, int sig) = 0;

    // One pending kill timer per job: arming again replaces it. When it fires the runtime calls
    // Engine::on_kill_timeout(job).
    virtual void arm_kill_timer(Job& job, Seconds after) = 0;
    virtual void cancel_kill_timer(Job& job) = 0;

    // One pending respawn timer per job (`respawn delay`): arming again replaces it. When it
    // fires the runtime calls Engine::on_respawn_timeout(job).
    virtual void arm_respawn_timer(Job& job, std::chrono::milliseconds after) = 0;
    virtual void cancel_respawn_timer(Job& job) = 0;
    // A uniformly distributed 64-bit value: the jitter of respawn delays (core/respawn_delay.h).
    // Need not be unpredictable, only differ between jobs and between startds.
    virtual std::uint64_t random() = 0;

    // Readiness of a main process whose class has an `expect` stanza (fork, daemon, stop,
    // notify). The runtime watches `pid` and reports through Engine::on_main_forked,
    // on_main_ready or on_main_not_ready (which it calls after killing what the job left), always
    // within its readiness timeout.
    virtual void await_ready(const Job& job, pid_t pid) = 0;
    // The job is being stopped while still not ready: kill whatever the watch follows and forget
    // it. The exit of the main process then moves the job on as usual.
    virtual void abort_ready(const Job& job) = 0;

    // `job` changed (goal, state, a pid, its respawn accounting): what the runtime keeps of it
    // outside the engine (the state journal) is out of date. Called at every such change, often
    // several times a turn for one job: keep it cheap.
    virtual void job_changed(const Job& job) { (void)job; }

    // `job` is gone (it reached its rest state and was destroyed): what the runtime kept for it
    // can go. A later job may have the same address.
    virtual void forget(const Job& job) { (void)job; }

    virtual Clock::time_point now() = 0;
    virtual void log(LogLevel level, std::string_view message) = 0;
    // Whether log() keeps messages of `level`: a message that would be dropped (debug, usually)
    // need not be built.
    virtual bool log_enabled(LogLevel level) const {
        (void)level;
        return true;
    }
};

} // namespace core
