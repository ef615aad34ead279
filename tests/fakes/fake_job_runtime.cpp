// Owns the recording JobRuntime used by the engine's unit tests.
#include "fakes/fake_job_runtime.h"

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace fakes {

void FakeJobRuntime::maybe_throw(std::string_view call) {
    if (auto it = m_throws.find(call); it != m_throws.end()) {
        int err = it->second;
        m_throws.erase(it);
        throw std::system_error(err, std::generic_category());
    }
}

base::Result<pid_t> FakeJobRuntime::spawn(const core::Job& job, core::ProcessType type) {
    maybe_throw("spawn");
    if (auto it = m_spawn_failures.find(type); it != m_spawn_failures.end()) {
        std::string message = std::move(it->second);
        m_spawn_failures.erase(it);
        return base::Error(std::move(message));
    }
    pid_t pid = m_next_pid++;
    spawns.push_back(SpawnRecord{job.display_name(), type, pid, job.env});
    return pid;
}

base::Result<void> FakeJobRuntime::signal_group(const core::Job&, pid_t pid, int sig) {
    maybe_throw("signal_group");
    signals.push_back(SignalRecord{pid, sig, true});
    if (signal_errno != 0) {
        return base::Error::from_errno("kill", signal_errno);
    }
    if (failing_pid != 0 && pid == failing_pid) {
        return base::Error::from_errno("kill", ESRCH);
    }
    return {};
}

std::vector<base::Result<pid_t>> FakeJobRuntime::spawn_batch(std::span<const core::SpawnRequest> batch) {
    maybe_throw("spawn_batch");
    spawn_batches.push_back(batch.size());
    return JobRuntime::spawn_batch(batch);
}

std::vector<base::Result<void>> FakeJobRuntime::signal_groups(std::span<const core::GroupSignal> batch) {
    maybe_throw("signal_groups");
    signal_batches.push_back(batch.size());
    return JobRuntime::signal_groups(batch);
}

base::Result<void> FakeJobRuntime::signal_process(pid_t pid, int sig) {
    maybe_throw("signal_process");
    signals.push_back(SignalRecord{pid, sig, false});
    return {};
}

void FakeJobRuntime::arm_kill_timer(core::Job& job, core::Seconds after) { m_timers[&job] = m_now + after; }

void FakeJobRuntime::cancel_kill_timer(core::Job& job) { m_timers.erase(&job); }

void FakeJobRuntime::log(core::LogLevel, std::string_view message) { logs.emplace_back(message); }

void FakeJobRuntime::arm_respawn_timer(core::Job& job, std::chrono::milliseconds after) {
    m_respawn_timers[&job] = m_now + after;
}

void FakeJobRuntime::cancel_respawn_timer(core::Job& job) {
    m_respawn_timers.erase(&job);
}

std::uint64_t FakeJobRuntime::random() {
    if (randoms.empty()) {
        return m_random();
    }
    std::uint64_t value = randoms.front();
    randoms.erase(randoms.begin());
    return value;
}

void FakeJobRuntime::advance(std::chrono::milliseconds by) {
    core::Clock::time_point end = m_now + by;
    // The earliest due timer first, the clock at its due time when it fires (a timer may cancel
    // or arm others, so the maps are searched again after each).
    for (;;) {
        auto earliest = [end](std::map<core::Job*, core::Clock::time_point>& timers) {
            auto best = timers.end();
            for (auto it = timers.begin(); it != timers.end(); ++it) {
                if (it->second <= end && (best == timers.end() || it->second < best->second)) {
                    best = it;
                }
            }
            return best;
        };
        auto kill = earliest(m_timers);
        auto respawn = earliest(m_respawn_timers);
        bool have_kill = kill != m_timers.end();
        bool have_respawn = respawn != m_respawn_timers.end();
        if (!have_kill && !have_respawn) {
            break;
        }
        if (have_kill && (!have_respawn || kill->second <= respawn->second)) {
            core::Job* job = kill->first;
            m_now = std::max(m_now, kill->second);
            m_timers.erase(kill);
            if (m_engine != nullptr) {
                m_engine->on_kill_timeout(*job);
            }
        } else {
            core::Job* job = respawn->first;
            m_now = std::max(m_now, respawn->second);
            m_respawn_timers.erase(respawn);
            if (m_engine != nullptr) {
                m_engine->on_respawn_timeout(*job);
            }
        }
    }
    m_now = end;
}

std::optional<core::Clock::time_point> FakeJobRuntime::respawn_timer(const core::Job& job) const {
    auto it = m_respawn_timers.find(const_cast<core::Job*>(&job));
    if (it == m_respawn_timers.end()) {
        return std::nullopt;
    }
    return it->second;
}

pid_t FakeJobRuntime::last_pid(core::ProcessType type) const {
    for (auto it = spawns.rbegin(); it != spawns.rend(); ++it) {
        if (it->type == type) {
            return it->pid;
        }
    }
    return 0;
}

bool FakeJobRuntime::logged(std::string_view needle) const {
    for (const std::string& line : logs) {
        if (line.find(needle) != std::string::npos) {
            return true;
        }
    }
    return false;
}

} // namespace fakes
