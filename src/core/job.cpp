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
    for (std::size_t i = 0; i < process_type_count; ++i) {
        if (pids[i] > 0) {
            s.processes.emplace_back(static_cast<ProcessType>(i), pids[i]);
        }
    }
    return s;
}

} // namespace core
