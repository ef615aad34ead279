// Owns Job's small derived views: display name and status snapshot.
#include "core/job.h"

#include "core/unsupported_stanzas.h"

#include <algorithm>

namespace core {

std::string Job::display_name() const {
    if (m_instance.empty()) {
        return name();
    }
    return name() + " (" + m_instance + ")";
}

std::string_view to_string(StopCause cause) {
    switch (cause) {
    case StopCause::None:
        return "none";
    case StopCause::Command:
        return "command";
    case StopCause::Event:
        return "event";
    case StopCause::Failed:
        return "failed";
    case StopCause::Ended:
        return "ended";
    case StopCause::Shutdown:
        return "shutdown";
    }
    return "none";
}

std::string describe_stop(const JobStatus& status) {
    switch (status.stop_cause) {
    case StopCause::None:
        return {};
    case StopCause::Command:
        return "stopped by startctl";
    case StopCause::Event:
        return "stopped by event " + status.stop_event;
    case StopCause::Failed:
        return status.failure.empty() ? "failed" : "failed: " + status.failure;
    case StopCause::Ended:
        if (status.last_exit && status.last_exit->process == ProcessType::Main) {
            return "main process " + describe(status.last_exit->status);
        }
        return "ended";
    case StopCause::Shutdown:
        return "stopped at shutdown";
    }
    return {};
}

JobStatus Job::status(Clock::time_point now) const {
    JobStatus s;
    s.job = name();
    s.instance = m_instance;
    s.goal = goal;
    s.state = state;
    s.status_text = status_text;
    if (auto unsupported = unsupported_stanza(*m_class)) {
        s.cannot_start = std::move(unsupported->reason);
    }
    if (failed) {
        s.failure = failure_reason.str();
    }
    if (respawn_pending()) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(respawn_due - now);
        s.respawn = JobStatus::RespawnWait{respawn_attempt, std::chrono::milliseconds(respawn_delay_ms),
                                           std::max(left, std::chrono::milliseconds(0))};
    }
    s.taken = now;
    s.since = state_since;
    if (main_alive()) {
        s.main_started = main_started;
    }
    s.respawn_count = respawn_count;
    s.respawn_window = respawn_time;
    if (m_class->respawn) {
        s.respawn_limit = m_class->respawn_limit;
        s.respawn_interval = m_class->respawn_interval;
    }
    if (last_exit.pid != 0) {
        s.last_exit = last_exit;
    }
    s.stop_cause = stop_cause;
    s.stop_event = stop_event.str();
    if (m_class->expect != ExpectType::None && main_alive()) {
        s.readiness = awaiting_ready ? "waiting" : "ready";
    }
    for (std::size_t i = 0; i < process_type_count; ++i) {
        if (pids[i] > 0) {
            s.processes.emplace_back(static_cast<ProcessType>(i), pids[i]);
        }
    }
    return s;
}

} // namespace core
