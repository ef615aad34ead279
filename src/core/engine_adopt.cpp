// Owns adoption: a job instance recorded by a startd that ended without stopping it, made an
// instance of this engine again in the state it was in (restart after SIGKILL or a crash).
// Not here: the journal it is read from, or which processes still run (daemon/recovery).
#include "core/engine.h"

#include <algorithm>
#include <csignal>
#include <cstdint>

namespace core {

namespace {

// The process a state waits for, in the states that wait for one.
std::optional<ProcessType> awaited_process(JobState state) {
    switch (state) {
    case JobState::PreStart:
        return ProcessType::PreStart;
    case JobState::Spawned:
    case JobState::Running:
        return ProcessType::Main;
    case JobState::PostStart:
        return ProcessType::PostStart;
    case JobState::PreStop:
        return ProcessType::PreStop;
    case JobState::PostStop:
        return ProcessType::PostStop;
    case JobState::Waiting:
    case JobState::Starting:
    case JobState::Security:
    case JobState::Stopping:
    case JobState::Killed:
        break;
    }
    return std::nullopt;
}

} // namespace

CommandResult<const Job*> Engine::adopt(const AdoptedJob& adopted) {
    ClassEntry* e = entry(adopted.job);
    if (e == nullptr || e->deleted) {
        return CommandError{"unknown-job", "Unknown job: " + adopted.job + " (no job file defines it now)"};
    }
    if (e->instances.find(adopted.instance) != nullptr) {
        return CommandError{"already-known", adopted.job + " (" + adopted.instance + ") is already an instance"};
    }
    if (adopted.state == JobState::Waiting) {
        return CommandError{"invalid-argument", "a job at rest (stop/waiting) has nothing to adopt"};
    }
    auto found = lookup(adopted.job, {}, true, &adopted.instance);
    if (!found) {
        return std::move(found).error();
    }
    Job& job = **found;
    job.goal = adopted.goal;
    job.env = m_env_pool.intern(Environ(adopted.env));
    job.pids = adopted.pids;
    job.main_group = adopted.main_group;
    job.respawn_count = adopted.respawn_count;
    job.respawn_time = adopted.respawn_time;
    job.respawn_attempt = static_cast<std::uint16_t>(std::min<unsigned>(adopted.respawn_attempt, UINT16_MAX));
    job.respawn_delay_ms = adopted.respawn_delay_ms;
    job.respawn_due = adopted.respawn_due;
    job.main_started = adopted.main_started != Clock::time_point{} ||
                               adopted.pids[static_cast<std::size_t>(ProcessType::Main)] <= 0
                           ? adopted.main_started
                           : m_runtime.now();
    job.status_text = adopted.status_text;
    if (!adopted.failure.empty()) {
        job.failed = true;
        job.failure_reason = adopted.failure;
    }
    for (std::size_t i = 0; i < process_type_count; ++i) {
        if (job.pids[i] > 0) {
            m_pids[job.pids[i]] = {&job, static_cast<ProcessType>(i)};
        }
    }
    job.state = adopted.state;
    job.state_since = m_runtime.now(); // when it was adopted: the predecessor's time is not kept
    m_runtime.job_changed(job);
    m_runtime.log(LogLevel::Info, "adopted " + job.display_name() + " in " + std::string(to_string(job.state)));
    // What ended while no startd watched ends now; the job may come to rest and go.
    for (std::size_t i = 0; i < process_type_count; ++i) {
        if (adopted.pids[i] > 0 && adopted.ended[i]) {
            on_process_exit(adopted.pids[i], ExitStatus::ended_unknown());
        }
    }
    Job* still = e->instances.find(adopted.instance);
    if (still == nullptr) {
        return nullptr;
    }
    std::optional<ProcessType> awaited = awaited_process(still->state);
    bool runs = awaited && still->pid(*awaited) > 0;
    if (runs && still->state == JobState::Spawned) {
        // A main process still to say it was ready: whatever watched it (a ptrace, a notify
        // socket) went with the predecessor. It runs, so it is taken as ready, and the job
        // moves on as at its readiness: post-start, then running, which emits `started` (the
        // predecessor had not got that far, so what waits for that event has not started).
        if (still->job_class().expect == ExpectType::Stop) {
            // It stopped itself (SIGSTOP) for the predecessor to continue it. SIGCONT to a
            // process that has not stopped yet does nothing, so one that stops after this
            // stays stopped: the price of no longer being its parent.
            if (auto cont = m_runtime.signal_process(still->pid(ProcessType::Main), SIGCONT); !cont) {
                m_runtime.log(LogLevel::Warning, still->display_name() + ": cannot continue its main process: " +
                                                     cont.error().message());
            }
        }
        if (auto next = advance(*still)) {
            change_state(*still, *next);
        }
        poll();
        return e->instances.find(adopted.instance);
    }
    if (still->waiting_out_delay()) {
        // It was waiting out its respawn delay (its post-stop done): it waits for what is left
        // of it, or respawns now if it is due. Entering post-stop again would run post-stop again.
        m_runtime.log(LogLevel::Info, still->display_name() + ": waiting out its respawn delay again");
        if (auto next = leave_post_stop(*still)) {
            change_state(*still, *next);
        }
        poll();
        return e->instances.find(adopted.instance);
    }
    bool at_rest_without_main =
        still->state == JobState::Running && still->job_class().process(ProcessType::Main) == nullptr;
    if (!runs && !at_rest_without_main) {
        // It waited for something that did not cross over (an event, a kill timer) or for a
        // process not spawned yet: entered again, it does that step again.
        JobState state = still->state;
        m_runtime.log(LogLevel::Info, still->display_name() + ": entering " + std::string(to_string(state)) + " again");
        still->state = JobState::Waiting;
        change_state(*still, state);
        poll();
        still = e->instances.find(adopted.instance);
    }
    return still;
}

} // namespace core
