// Owns the job lifecycle's moving parts: goal changes, the state-change loop, each state's entry
// action, job events, failure and completion. The table of transitions is job_state.cpp.
#include <csignal>

#include "core/engine.h"
#include "core/signal_names.h"
#include "core/unsupported_stanzas.h"

namespace core {

namespace {

bool has(const Job& job, ProcessType type) { return job.job_class().process(type) != nullptr; }

std::string failure_message(WaitFor what) {
    return what == WaitFor::Start ? "Job failed to start" : "Job failed while stopping";
}

} // namespace

void Engine::change_goal(Job& job, JobGoal goal) {
    if (job.goal == goal) {
        return;
    }
    job.goal = goal;
    m_runtime.job_changed(job);
    if (goal == JobGoal::Stop && job.state == JobState::Spawned && job.awaiting_ready) {
        // Upstart waited here for a fork that might never come. We kill what the expect watch
        // follows instead; the main process's exit then takes the job through stopping.
        job.awaiting_ready = false;
        m_runtime.log(LogLevel::Info, job.display_name() + ": stopped before it was ready");
        m_runtime.abort_ready(job);
        return;
    }
    if (job.waiting_out_delay()) {
        // Stopped while waiting out its respawn delay (or restarted: stop, then start): the
        // pending respawn is cancelled and the job goes to rest (or respawns now).
        cut_delay(job);
        return;
    }
    // A goal acts at once only in the rest states; elsewhere it is picked up when the step the
    // job is waiting for completes.
    if ((goal == JobGoal::Start && job.state == JobState::Waiting) ||
        (goal == JobGoal::Stop && job.state == JobState::Running)) {
        if (auto next = advance(job)) {
            change_state(job, *next);
        }
    }
}

std::optional<JobState> Engine::advance(Job& job) {
    MainAlive alive = !job.job_class().process(ProcessType::Main) ? MainAlive::None
                      : job.main_alive()                         ? MainAlive::Yes
                                                                 : MainAlive::No;
    auto next = next_state(job.state, job.goal, alive);
    if (!next) {
        // Never expected; said loudly rather than left as a job that silently stops moving.
        m_runtime.log(LogLevel::Error, "internal error: " + job.display_name() + " has no state to go to from " +
                                           std::string(to_string(job.state)) + " with goal " +
                                           std::string(to_string(job.goal)));
    }
    if (job.goal == JobGoal::Respawn) {
        job.goal = JobGoal::Start; // respawn is transient: it only routes post-start/pre-stop to stopping
    }
    return next;
}

void Engine::change_state(Job& job, JobState state) {
    std::optional<JobState> next = state;
    while (next) {
        JobState from = job.state;
        job.state = *next;
        job.state_since = m_runtime.now();
        record_transition(job);
        m_runtime.job_changed(job); // before enter_state: entering waiting destroys the job
        if (m_runtime.log_enabled(LogLevel::Debug)) {
            m_runtime.log(LogLevel::Debug, job.display_name() + " state changed from " +
                                               std::string(to_string(from)) + " to " +
                                               std::string(to_string(job.state)));
        }
        next = enter_state(job, from);
    }
}

std::optional<JobState> Engine::enter_state(Job& job, JobState from) {
    const JobClass& cls = job.job_class();
    switch (job.state) {
    case JobState::Waiting:
        emit_job_event(job, "stopped", false);
        job_finished(job, WaitFor::Stop);
        destroy(job);
        return std::nullopt;

    case JobState::Starting:
        if (job.start_env) {
            job.env = m_env_pool.intern(std::move(*job.start_env));
            job.start_env.reset();
        }
        job.stop_env.clear();
        job.failed = false;
        job.failed_by_respawn_limit = false;
        job.failed_status.reset();
        job.failure_reason.clear();
        job.status_text.clear();
        job.stop_cause = StopCause::None;
        job.stop_event = base::CompactString();
        emit_job_event(job, "starting", true);
        return std::nullopt;

    case JobState::Security:
        // A stanza this system cannot honour fails the start here, before any process runs.
        if (auto unsupported = unsupported_stanza(cls)) {
            m_runtime.log(LogLevel::Error, "Failed to spawn " + job.display_name() + " " +
                                               std::string(to_string(unsupported->process)) +
                                               " process: " + unsupported->reason);
            job_failed(job, unsupported->process, std::nullopt, "could not be started: " + unsupported->reason);
        }
        return advance(job);

    case JobState::PreStart:
        if (has(job, ProcessType::PreStart)) {
            if (spawn_process(job, ProcessType::PreStart)) {
                return std::nullopt;
            }
            job_failed(job, ProcessType::PreStart, std::nullopt);
        }
        return advance(job);

    case JobState::Spawned:
        if (has(job, ProcessType::Main)) {
            // Spawned with the other main processes of this round once poll() has drained it
            // (send_spawns): a bring-up's children are then created several at a time. Nothing
            // but that moves a job on from here, so it is still here, in spawned, then.
            m_spawns.push_back(&job);
            return std::nullopt;
        }
        return advance(job);

    case JobState::PostStart:
        if (has(job, ProcessType::PostStart) && spawn_process(job, ProcessType::PostStart)) {
            return std::nullopt;
        }
        return advance(job); // a post-start that cannot be spawned does not fail the job

    case JobState::Running:
        if (from == JobState::PreStop) {
            job.stop_env.clear(); // the stop was cancelled: no started event
            job_finished(job, WaitFor::Start);
            return std::nullopt;
        }
        emit_job_event(job, "started", false);
        if (!cls.task) {
            job_finished(job, WaitFor::Start);
        } else if (!has(job, ProcessType::Main)) {
            // A task of hooks only has done its work once they have run: it ends now rather
            // than sit in running forever with nothing that could end it.
            job.goal = JobGoal::Stop;
            return advance(job);
        }
        return std::nullopt;

    case JobState::PreStop:
        if (has(job, ProcessType::PreStop) && spawn_process(job, ProcessType::PreStop)) {
            return std::nullopt;
        }
        return advance(job);

    case JobState::Stopping:
        emit_job_event(job, "stopping", true);
        return std::nullopt;

    case JobState::Killed:
        if (job.main_alive()) {
            // Sent with the other kills of this round once poll() has drained it (send_kills).
            m_kills.push_back(&job);
            return std::nullopt;
        }
        return advance(job);

    case JobState::PostStop:
        if (has(job, ProcessType::PostStop)) {
            if (spawn_process(job, ProcessType::PostStop)) {
                return std::nullopt;
            }
            job_failed(job, ProcessType::PostStop, std::nullopt);
        }
        return leave_post_stop(job);
    }
    return std::nullopt;
}

void Engine::send_kills() {
    // Jobs wait in `killed` for their main process, which only a later turn of the loop can
    // report, so every job queued here still exists and is still in `killed`.
    std::vector<Job*> jobs;
    jobs.swap(m_kills);
    std::vector<GroupSignal> signals;
    signals.reserve(jobs.size());
    for (Job* job : jobs) {
        signals.push_back(GroupSignal{job, job->pid(ProcessType::Main), job->job_class().kill_signal});
    }
    std::vector<base::Result<void>> sent;
    try {
        sent = m_runtime.signal_groups(signals);
    } catch (...) {
        // Nothing says the processes are gone: each job waits for its kill timeout, when KILL
        // is tried again (on_kill_timeout), rather than forget a process that may still run.
        base::Error why = error_of_current_exception();
        for (Job* job : jobs) {
            m_runtime.log(LogLevel::Warning, "Failed to signal " + job->display_name() + " main process: " +
                                                 why.message() + "; KILL follows after the kill timeout");
            m_runtime.arm_kill_timer(*job, Seconds(job->job_class().kill_timeout));
        }
        return;
    }
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        Job& job = *jobs[i];
        const JobClass& cls = job.job_class();
        if (i < sent.size() && sent[i]) {
            m_runtime.arm_kill_timer(job, Seconds(cls.kill_timeout));
            continue;
        }
        std::string why = i < sent.size() ? sent[i].error().message() : "not sent";
        m_runtime.log(LogLevel::Warning, "Failed to send " + signal_name(cls.kill_signal) + " to " +
                                             job.display_name() + " main process (" +
                                             std::to_string(signals[i].pid) + "): " + why);
        if (auto next = advance(job)) {
            change_state(job, *next);
        }
    }
}

void Engine::send_spawns() {
    std::vector<Job*> jobs;
    jobs.swap(m_spawns);
    std::vector<Job*> spawning;
    std::vector<SpawnRequest> requests;
    spawning.reserve(jobs.size());
    requests.reserve(jobs.size());
    for (Job* job : jobs) {
        if (job->state != JobState::Spawned || job->pid(ProcessType::Main) != 0) {
            m_runtime.log(LogLevel::Error, "internal error: " + job->display_name() + " queued for spawning while " +
                                               std::string(to_string(job->state)));
            continue;
        }
        if (job->goal == JobGoal::Stop) {
            // Stopped in the same round, before its main process existed: it never will.
            if (auto next = advance(*job)) {
                change_state(*job, *next);
            }
            continue;
        }
        spawning.push_back(job);
        requests.push_back(SpawnRequest{job, ProcessType::Main});
    }
    if (requests.empty()) {
        return;
    }
    std::vector<base::Result<pid_t>> pids;
    try {
        pids = m_runtime.spawn_batch(requests);
    } catch (...) {
        // Nothing says which were created, so none counts as started: every job of the batch
        // fails with the reason. (A runtime must not throw after creating a child.)
        pids.clear();
        pids.resize(requests.size(), error_of_current_exception());
    }
    if (pids.size() != requests.size()) {
        m_runtime.log(LogLevel::Error, "internal error: " + std::to_string(pids.size()) + " spawn results for " +
                                           std::to_string(requests.size()) + " requests");
        pids.resize(requests.size(), base::Error("the runtime gave no result for this spawn"));
    }
    for (std::size_t i = 0; i < spawning.size(); ++i) {
        main_spawned(*spawning[i], record_spawn(*spawning[i], ProcessType::Main, pids[i]));
    }
}

void Engine::main_spawned(Job& job, bool ok) {
    if (!ok) {
        job_failed(job, ProcessType::Main, std::nullopt);
    } else if (job.job_class().expect != ExpectType::None) {
        // The job stays spawned until the runtime says the daemon is ready (or is not, within
        // its timeout): on_main_ready / on_main_not_ready.
        job.awaiting_ready = true;
        m_runtime.await_ready(job, job.pid(ProcessType::Main));
        return;
    }
    if (auto next = advance(job)) {
        change_state(job, *next);
    }
}

bool Engine::spawn_process(Job& job, ProcessType type) {
    try {
        return record_spawn(job, type, m_runtime.spawn(job, type));
    } catch (...) {
        return record_spawn(job, type, error_of_current_exception());
    }
}

bool Engine::record_spawn(Job& job, ProcessType type, const base::Result<pid_t>& pid) {
    if (!pid) {
        job.spawn_error = pid.error().message();
        m_runtime.log(LogLevel::Error, "Failed to spawn " + job.display_name() + " " + std::string(to_string(type)) +
                                           " process: " + pid.error().message());
        return false;
    }
    job.pid(type) = *pid;
    if (type == ProcessType::Main) {
        job.main_group = *pid;
        job.main_started = m_runtime.now();
    }
    m_pids[*pid] = {&job, type};
    m_runtime.job_changed(job);
    m_runtime.log(LogLevel::Info, job.display_name() + " " + std::string(to_string(type)) + " process (" +
                                      std::to_string(*pid) + ")");
    return true;
}

Environ Engine::job_event_env(const Job& job, bool with_result) const {
    Environ env = {"JOB=" + job.name(), "INSTANCE=" + job.instance()};
    if (with_result) {
        if (job.failed) {
            env.push_back("RESULT=failed");
            env.push_back("PROCESS=" + std::string(job.failed_by_respawn_limit ? "respawn" : to_string(job.failed_process)));
            if (job.failed_status) {
                if (job.failed_status->signaled) {
                    env.push_back("EXIT_SIGNAL=" + signal_name(job.failed_status->code));
                } else {
                    env.push_back("EXIT_STATUS=" + std::to_string(job.failed_status->code));
                }
            }
        } else {
            env.push_back("RESULT=ok");
        }
    }
    // Exported variables follow, never overriding the built-in ones.
    for (const std::string& key : job.job_class().exports) {
        if (env_get(env, key)) {
            continue;
        }
        if (auto value = env_get(job.env, key)) {
            env.push_back(key + "=" + std::string(*value));
        }
    }
    return env;
}

void Engine::emit_job_event(Job& job, const char* name, bool blocking) {
    bool with_result = name[0] == 's' && name[3] == 'p'; // stopping, stopped
    Event& ev = m_events.emit(name, job_event_env(job, with_result));
    if (blocking) {
        job.blocker = ev.id;
        ev.blocked_job = &job;
    }
}

void Engine::job_failed(Job& job, ProcessType process, std::optional<ExitStatus> status, std::string why) {
    job.goal = JobGoal::Stop;
    job.stop_cause = StopCause::Failed;
    m_runtime.job_changed(job);
    if (job.failed) {
        return; // only the first failure is recorded until the job starts again
    }
    job.failed = true;
    job.failed_process = process;
    job.failed_status = status;
    if (why.empty() && !status) {
        why = job.spawn_error.empty() ? "could not be started" : "could not be started: " + job.spawn_error;
    }
    job.failure_reason = job.display_name() + " " + std::string(to_string(process)) + " process " +
                         (status ? describe(*status) + (why.empty() ? "" : " " + why) : why);
    // The events that started or stopped the job are released now, failed (as Upstart does): a
    // job that has failed must not keep others waiting while it winds down.
    for (std::uint64_t id : job.blocking) {
        if (Event* ev = m_events.find(id)) {
            ev->failures.edit().push_back(job.failure_reason.str());
        }
        m_events.unblock(id, true);
    }
    job.blocking.clear();
    // Whoever waits learns of the failure now, not when the job has finished stopping.
    auto waiters = std::move(job.waiters);
    job.waiters.clear();
    for (auto& [what, waiter] : waiters) {
        waiter(
            JobOutcome{true, failure_message(what) + ": " + job.failure_reason, job.status(m_runtime.now())});
    }
}

void Engine::job_finished(Job& job, WaitFor reached) {
    for (std::uint64_t id : job.blocking) {
        m_events.unblock(id, job.failed);
    }
    job.blocking.clear();
    auto waiters = std::move(job.waiters);
    job.waiters.clear();
    JobStatus status = job.status(m_runtime.now());
    for (auto& [what, waiter] : waiters) {
        bool failed = job.failed && what != reached;
        waiter(JobOutcome{failed, failed ? failure_message(what) + ": " + job.failure_reason : std::string(), status});
    }
}

void Engine::destroy(Job& job) {
    std::string name = job.name();
    std::string instance = job.instance();
    m_runtime.cancel_kill_timer(job);
    m_runtime.cancel_respawn_timer(job);
    if (job.awaiting_ready) {
        m_runtime.abort_ready(job);
    }
    m_runtime.forget(job);
    for (pid_t pid : job.pids) {
        if (pid > 0) {
            m_pids.erase(pid);
        }
    }
    if (Event* waited = job.blocker != 0 ? m_events.find(job.blocker) : nullptr; waited && waited->blocked_job == &job) {
        waited->blocked_job = nullptr; // nobody is left to move on when it finishes
    }
    job.stop_state.reset(m_events); // a half-matched `stop on` releases what it held
    for (std::uint64_t id : job.blocking) {
        m_events.unblock(id, job.failed);
    }
    job.blocking.clear();
    ClassEntry* e = entry(name);
    if (e == nullptr) {
        m_runtime.log(LogLevel::Error, "internal error: " + name + " has no class to be removed from");
        return;
    }
    keep_gone(*e, job, m_runtime.now()); // status, show and why still say how it ended
    e->instances.erase(instance); // `job` is gone from here on
    --m_instance_count;
    if (e->instances.empty()) {
        if (e->deleted) {
            unlisten(*e);
            m_classes.erase(name);
        } else if (e->pending) {
            unlisten(*e);
            e->current = std::move(e->pending);
            e->pending.reset();
            listen(*e);
        }
    }
}

} // namespace core
