// Owns what happens when a job's process ends: failure decisions, respawn and its runaway limit,
// the respawn delay (`respawn delay`, `respawn healthy`: startd's extensions), and the kill timeout.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>

#include "core/engine.h"
#include "core/extension_stanzas.h"
#include "core/respawn_delay.h"

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
    job.last_exit = LastExit{m_runtime.now(), status, pid, type};
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
        if (type == ProcessType::PostStop && job.state == JobState::PostStop) {
            if (auto next = leave_post_stop(job)) {
                change_state(job, *next);
            }
        } else if ((type == ProcessType::PreStart && job.state == JobState::PreStart) ||
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
            forgive_if_healthy(job);
            if (respawn_too_fast(job)) {
                m_runtime.log(LogLevel::Warning, job.display_name() + " respawning too fast, stopped");
                if (!job.failed) {
                    job.failed_by_respawn_limit = true;
                }
                job_failed(job, ProcessType::Main, std::nullopt, "respawning too fast");
            } else {
                std::string delayed = delay_respawn(job);
                m_runtime.log(LogLevel::Warning,
                              job.display_name() + " main process ended, respawning" + delayed);
                job.goal = helper_running ? JobGoal::Respawn : JobGoal::Start;
            }
        } else if (failed) {
            job_failed(job, ProcessType::Main, status);
        } else {
            job.goal = JobGoal::Stop;
            job.stop_cause = StopCause::Ended;
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

void Engine::forgive_if_healthy(Job& job) {
    const JobClass& cls = job.job_class();
    if (cls.respawn_healthy_ms == 0 || job.main_started == Clock::time_point{}) {
        return;
    }
    auto ran = m_runtime.now() - job.main_started;
    if (ran < std::chrono::milliseconds(cls.respawn_healthy_ms)) {
        return;
    }
    if (job.respawn_attempt != 0 || job.respawn_count != 0) {
        m_runtime.log(LogLevel::Info, job.display_name() + " main process ran " +
                                          std::to_string(std::chrono::duration_cast<Seconds>(ran).count()) +
                                          " s (respawn healthy " + seconds_text(cls.respawn_healthy_ms) +
                                          "): respawn delay and limit start afresh");
    }
    job.respawn_attempt = 0;
    job.respawn_count = 0; // respawn_too_fast opens a new window
}

std::string Engine::delay_respawn(Job& job) {
    const JobClass& cls = job.job_class();
    if (cls.respawn_delay_min_ms == 0) {
        return {};
    }
    if (job.respawn_attempt < UINT16_MAX) {
        ++job.respawn_attempt;
    }
    std::chrono::milliseconds delay{0};
    std::chrono::milliseconds nominal = nominal_respawn_delay(cls, job.respawn_attempt);
    try {
        delay = jittered_respawn_delay(nominal, m_runtime.random());
    } catch (...) {
        delay = nominal; // no random value to be had: the nominal delay, unjittered
    }
    job.respawn_delay_ms = static_cast<std::uint32_t>(delay.count());
    job.respawn_due = m_runtime.now() + delay;
    m_runtime.job_changed(job);
    return " in " + seconds_text(job.respawn_delay_ms) + " s (attempt " +
           std::to_string(job.respawn_attempt) + ")";
}

std::optional<JobState> Engine::leave_post_stop(Job& job) {
    if (job.respawn_pending()) {
        Clock::time_point now = m_runtime.now();
        if (job.goal != JobGoal::Stop && job.respawn_due > now) {
            // Waits out the delay here: goal start, state post-stop, nothing running.
            m_runtime.arm_respawn_timer(job,
                                        std::chrono::ceil<std::chrono::milliseconds>(job.respawn_due - now));
            return std::nullopt;
        }
        job.respawn_due = {};
        m_runtime.job_changed(job);
    }
    return advance(job);
}

void Engine::on_respawn_timeout(Job& job) {
    if (!job.waiting_out_delay()) {
        return;
    }
    job.respawn_due = {};
    if (auto next = advance(job)) {
        change_state(job, *next);
    }
    poll();
}

void Engine::cut_delay(Job& job) {
    m_runtime.cancel_respawn_timer(job);
    if (std::find(m_cut_delays.begin(), m_cut_delays.end(), &job) == m_cut_delays.end()) {
        m_cut_delays.push_back(&job);
    }
}

void Engine::respawn_now(Job& job) {
    m_runtime.log(LogLevel::Info, job.display_name() + " started by hand: respawning without its delay");
    if (job.waiting_out_delay()) {
        cut_delay(job);
        return;
    }
    // Still on its way to post-stop: it goes on to starting from there.
    job.respawn_due = {};
    m_runtime.job_changed(job);
}

void Engine::end_delays() {
    // Nothing but this and the (cancelled) respawn timer moves a job waiting out its delay, so
    // each job queued here still exists and still waits.
    std::vector<Job*> jobs;
    jobs.swap(m_cut_delays);
    for (Job* job : jobs) {
        if (!job->waiting_out_delay()) {
            continue;
        }
        job->respawn_due = {};
        if (auto next = advance(*job)) {
            change_state(*job, *next); // waiting (stopped: the job is gone) or starting
        }
    }
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
