// Owns FakeJobRuntime: a recording JobRuntime for engine unit tests — spawns return made-up pids,
// signals and log lines are recorded, time only moves when a test calls advance(), random values
// are the test's or a fixed-seed generator's.
#pragma once

#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/engine.h"

namespace fakes {

struct SpawnRecord {
    std::string job; // display name
    core::ProcessType type;
    pid_t pid;
    core::Environ env; // the job's environment at spawn time
};

struct SignalRecord {
    pid_t pid;
    int sig;
    bool group;
};

class FakeJobRuntime final : public core::JobRuntime {
public:
    // The engine receives kill timeouts when time is advanced.
    void attach(core::Engine& engine) { m_engine = &engine; }

    base::Result<pid_t> spawn(const core::Job& job, core::ProcessType type) override;
    // Records the batch's size, then spawns each as spawn().
    std::vector<base::Result<pid_t>> spawn_batch(std::span<const core::SpawnRequest> batch) override;
    base::Result<void> signal_group(const core::Job& job, pid_t pid, int sig) override;
    // Records the batch's size, then signals each as signal_group.
    std::vector<base::Result<void>> signal_groups(std::span<const core::GroupSignal> batch) override;
    base::Result<void> signal_process(pid_t pid, int sig) override;
    void arm_kill_timer(core::Job& job, core::Seconds after) override;
    void cancel_kill_timer(core::Job& job) override;
    void arm_respawn_timer(core::Job& job, std::chrono::milliseconds after) override;
    void cancel_respawn_timer(core::Job& job) override;
    // The next of `randoms` if any are left, else a fixed-seed generator's.
    std::uint64_t random() override;
    void await_ready(const core::Job& job, pid_t pid) override { readiness_watches.emplace_back(job.display_name(), pid); }
    void abort_ready(const core::Job& job) override { aborted_watches.push_back(job.display_name()); }
    void job_changed(const core::Job& job) override { changed_jobs.push_back(job.display_name()); }
    core::Clock::time_point now() override { return m_now; }
    void log(core::LogLevel level, std::string_view message) override;
    bool log_enabled(core::LogLevel level) const override { return level != core::LogLevel::Debug || debug; }

    // Moves time forward, firing due kill and respawn timers in the order they are due (the
    // clock reads each one's due time while it fires).
    void advance(std::chrono::milliseconds by);
    // The next spawn of `type` fails with `message`.
    void fail_next_spawn(core::ProcessType type, std::string message) { m_spawn_failures[type] = std::move(message); }
    // The next call of `call` ("spawn", "spawn_batch", "signal_groups", "signal_group",
    // "signal_process") throws std::system_error(err), as a real runtime does when a thread or
    // an allocation cannot be had.
    void throw_next(std::string call, int err) { m_throws[std::move(call)] = err; }

    std::vector<SpawnRecord> spawns;
    std::vector<SignalRecord> signals;
    std::vector<std::string> logs;
    bool debug = true;    // whether debug messages are wanted (log_enabled)
    int signal_errno = 0; // when set, signal_group records the signal and fails with this errno
    pid_t failing_pid = 0; // signal_group to this pid records the signal and fails with ESRCH
    std::vector<std::size_t> signal_batches; // the size of each signal_groups call, in order
    std::vector<std::size_t> spawn_batches;  // the size of each spawn_batch call, in order
    std::vector<std::pair<std::string, pid_t>> readiness_watches; // await_ready calls (job, pid)
    std::vector<std::string> aborted_watches;                     // abort_ready calls (job)
    std::vector<std::string> changed_jobs;                        // job_changed calls (job)
    std::vector<std::uint64_t> randoms;                           // what random() returns next, in order
    int armed_timers() const { return static_cast<int>(m_timers.size()); }
    int armed_respawn_timers() const { return static_cast<int>(m_respawn_timers.size()); }
    // When the respawn timer of `job` is due, if one is armed.
    std::optional<core::Clock::time_point> respawn_timer(const core::Job& job) const;

    // Spawned processes, by type, of the most recent spawn (0 if none).
    pid_t last_pid(core::ProcessType type) const;
    bool logged(std::string_view needle) const;

private:
    core::Engine* m_engine = nullptr;
    core::Clock::time_point m_now = core::Clock::time_point(std::chrono::hours(1));
    pid_t m_next_pid = 1000;
    std::map<core::Job*, core::Clock::time_point> m_timers;
    std::map<core::Job*, core::Clock::time_point> m_respawn_timers;
    std::mt19937_64 m_random{17};
    std::map<core::ProcessType, std::string> m_spawn_failures;
    std::map<std::string, int, std::less<>> m_throws;
    void maybe_throw(std::string_view call);
};

} // namespace fakes
