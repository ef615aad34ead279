// Owns the engine's side of readiness (expect fork/daemon/stop/notify): moving the main pid
// along a followed fork, leaving spawned when the daemon is ready, failing the start when not.
// Not here: how readiness is observed (the runtime: ptrace, SIGSTOP, NOTIFY_SOCKET).
#include "core/engine.h"

namespace core {

Job* Engine::awaiting_main(pid_t pid) {
    auto it = m_pids.find(pid);
    if (it == m_pids.end() || it->second.second != ProcessType::Main || !it->second.first->awaiting_ready) {
        return nullptr;
    }
    return it->second.first;
}

void Engine::on_main_forked(pid_t from, pid_t to) {
    Job* job = awaiting_main(from);
    if (job == nullptr || from == to) {
        return;
    }
    m_pids.erase(from);
    m_pids[to] = {job, ProcessType::Main};
    job->pid(ProcessType::Main) = to;
    m_runtime.job_changed(*job);
    m_runtime.log(LogLevel::Debug, job->display_name() + " main process (" + std::to_string(from) +
                                       ") forked: following " + std::to_string(to));
}

void Engine::on_main_ready(pid_t pid) {
    Job* job = awaiting_main(pid);
    if (job == nullptr) {
        return;
    }
    job->awaiting_ready = false;
    m_runtime.log(LogLevel::Info,
                  job->display_name() + " main process (" + std::to_string(pid) + ") is ready");
    if (job->state == JobState::Spawned) {
        if (auto next = advance(*job)) {
            change_state(*job, *next);
        }
    }
    poll();
}

void Engine::on_main_not_ready(pid_t pid, std::string reason) {
    Job* job = awaiting_main(pid);
    if (job == nullptr) {
        return;
    }
    job->awaiting_ready = false;
    m_runtime.log(LogLevel::Error, job->display_name() + ": " + reason);
    // The caller kills the processes; the main process's exit then takes the job through stopping.
    job_failed(*job, ProcessType::Main, std::nullopt, "was not ready: " + reason);
    poll();
}

void Engine::set_status_text(pid_t pid, std::string text) {
    auto it = m_pids.find(pid);
    if (it != m_pids.end() && it->second.second == ProcessType::Main) {
        it->second.first->status_text = std::move(text);
    }
}

} // namespace core
