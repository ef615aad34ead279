// Owns what happens when a job's process ends: failure decisions, respawn and its runaway limit,
// and the kill timeout.
#include <algorithm>
#include <cerrno>
#include <csignal>

#include "core/engine.h"

namespace core {

namespace {

bool is_normal_exit(const JobClass& cls, const ExitStatus& status) {
    return std::any_of(cls.normal_exit.begin(), cls.normal_exit.end(), [&](const NormalExit& n) {
        return n.is_signal == status.signaled && n.value == status.code;
    });
}

} // namespace

bool Engine::on_process_exit(pid_t pid, ExitStatus status) {
    auto it = m_pids.find(pid);
    if (it == m_pids.end()) {
        return false;
    }
    auto [job_ptr, type] = it->second;
    m_pids.erase(it);
    Job& job = *job_ptr;
    job.pid(type) = 0;
    m_runtime.job_changed(job);

    bool expected = status.success() || (type == ProcessType::Main && job.state == JobState::Killed) ||
                    type == ProcessType::PostStart || type == ProcessType::PreStop ||
                    (type == ProcessType::Main && is_normal_exit(job.job_class(), status));
    m_runtime.log(expected ? LogLevel::Info : LogLevel::Warning, job.display_name() + " " +
                                                                     std::string(to_string(type)) + " process (" +
                                                                     std::to_string(pid) + ") " + describe(status));

    switch (type) {
    case ProcessType::Main:
        main_exited(job, status);
        break;
    case ProcessType::PreStart:
    case ProcessType::PostStop:
    case ProcessType::Security:
        if (!status.success()) {
            job_failed(job, type, status);
        }
        if ((type == ProcessType::PreStart && job.state == JobState::PreStart) ||
            (type == ProcessType::PostStop && job.state == JobState::PostStop) ||
            (type == ProcessType::Security && job.state == JobState::Security)) {
            if (auto next = advance(job)) {
                change_state(job, *next);
            }
        }
        break;
    case ProcessType::PostStart:
    case ProcessType::PreStop:
        // Their exit status never fails a job; the state simply moves on.
        if ((type == ProcessType::PostStart && job.state == JobState::PostStart) ||
            (type == ProcessType::PreStop && job.state == JobState::PreStop)) {
            if (auto next = advance(job)) {
                change_state(job, *next);
            }
        }
        break;
    }
    poll();
    return true;
}

void Engine::main_exited(Job& job, ExitStatus status) {
    const JobClass& cls = job.job_class();
    if (job.awaiting_ready) {
        // Ended before it was ready (the runtime usually says why first, via on_main_not_ready).
        job.awaiting_ready = false;
        m_runtime.abort_ready(job);
        if (job.goal != JobGoal::Stop) {
            job_failed(job, ProcessType::Main, status, "before it was ready (expect " +
                                                           std::string(to_string(cls.expect)) + ")");
        }
    }
    switch (job.state) {
    case JobState::Killed:
        m_runtime.cancel_kill_timer(job);
        if (auto next = advance(job)) {
            change_state(job, *next);
        }
        return;
    case JobState::Stopping:
    case JobState::Waiting:
    case JobState::Starting:
    case JobState::Security:
    case JobState::PreStart:
    case JobState::PostStop:
        return; // nothing waits on the main process here; Killed will find it gone
    case JobState::Spawned:
    case JobState::PostStart:
    case JobState::Running:
    case JobState::PreStop:
        break;
    }

    if (job.goal != JobGoal::Stop) {
        bool failed = !is_normal_exit(cls, status) && (!status.success() || (cls.respawn && !cls.task));
        bool helper_running = (job.state == JobState::PostStart && job.pid(ProcessType::PostStart) > 0) ||
                              (job.state == JobState::PreStop && job.pid(ProcessType::PreStop) > 0);
        if (failed && cls.respawn && !m_shutting_down) {
            if (respawn_too_fast(job)) {
                m_runtime.log(LogLevel::Warning, job.display_name() + " respawning too fast, stopped");
                if (!job.failed) {
                    job.failed_by_respawn_limit = true;
                }
                job_failed(job, ProcessType::Main, std::nullopt, "respawning too fast");
            } else {
                m_runtime.log(LogLevel::Warning, job.display_name() + " main process ended, respawning");
                job.goal = helper_running ? JobGoal::Respawn : JobGoal::Start;
            }
        } else if (failed) {
            job_failed(job, ProcessType::Main, status);
        } else {
            job.goal = JobGoal::Stop;
        }
        if (helper_running) {
            return; // post-start/pre-stop still runs; its exit moves the job on
        }
    } else if ((job.state == JobState::PostStart && job.pid(ProcessType::PostStart) > 0) ||
               (job.state == JobState::PreStop && job.pid(ProcessType::PreStop) > 0)) {
        return;
    }
    // Whatever the goal, a job whose main process is gone goes through stopping: to stop, or to
    // come back round through post-stop → starting when respawning.
    change_state(job, JobState::Stopping);
}

bool Engine::respawn_too_fast(Job& job) {
    const JobClass& cls = job.job_class();
    if (cls.respawn_limit == 0 || cls.respawn_interval == 0) {
        return false;
    }
    Clock::time_point now = m_runtime.now();
    if (job.respawn_count > 0 && now - job.respawn_time < Seconds(cls.respawn_interval)) {
        return ++job.respawn_count > cls.respawn_limit;
    }
    job.respawn_time = now;
    job.respawn_count = 1;
    return false;
}

void Engine::on_kill_timeout(Job& job) {
    if (job.state != JobState::Killed || !job.main_alive()) {
        return;
    }
    pid_t main = job.pid(ProcessType::Main);
    m_runtime.log(LogLevel::Warning, job.display_name() + " main process (" + std::to_string(main) +
                                         ") did not stop within " + std::to_string(job.job_class().kill_timeout) +
                                         "s; sending KILL");
    base::Result<void> sent;
    try {
        sent = m_runtime.signal_group(job, main, SIGKILL);
    } catch (...) {
        sent = error_of_current_exception();
    }
    if (!sent) {
        m_runtime.log(LogLevel::Warning, sent.error().message());
        if (sent.error().code() == ESRCH) {
            // Gone, but its exit never reached us: a main process found through expect
            // fork/daemon whose real parent is still alive reaps it itself. Waiting for an exit
            // that will never be reported is Upstart's stuck "stop/killed" (Launchpad #406397).
            m_runtime.log(LogLevel::Warning, job.display_name() + " main process (" + std::to_string(main) +
                                                 ") is gone without being reported to startd; taking it as killed");
            on_process_exit(main, ExitStatus::killed(SIGKILL));
        }
    }
}

} // namespace core
