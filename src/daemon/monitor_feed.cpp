// Owns what `monitor` clients are sent.
#include "daemon/monitor_feed.h"

#include "control/job_status_json.h"

#include <chrono>

namespace daemon_main {

void MonitorFeed::add(control::StreamPtr stream) {
    std::erase_if(m_feeds, [](const control::StreamFeed& feed) { return !feed.open(); });
    m_feeds.emplace_back(std::move(stream));
}

void MonitorFeed::publish(nlohmann::json item) {
    item["time_ms"] =
        std::chrono::duration_cast<std::chrono::milliseconds>(m_sys.wall_clock().time_since_epoch()).count();
    for (control::StreamFeed& feed : m_feeds) {
        feed.offer(item, 1, 0);
    }
    std::erase_if(m_feeds, [](const control::StreamFeed& feed) { return !feed.open(); });
    if (m_feeds.empty()) {
        m_seen.clear();
    }
}

void MonitorFeed::event(const core::Event& ev) {
    if (m_feeds.empty()) {
        return;
    }
    publish({{"type", "event"}, {"id", ev.id}, {"name", ev.name}, {"env", ev.env}});
}

void MonitorFeed::job(const core::Job& job, core::Clock::time_point now) {
    if (m_feeds.empty()) {
        return;
    }
    Seen seen{job.goal, job.state, job.pids};
    auto [it, added] = m_seen.try_emplace(&job, seen);
    if (!added) {
        if (it->second == seen) {
            return;
        }
        it->second = seen;
    }
    nlohmann::json item = control::status_to_json(job.status(now));
    item["type"] = "job";
    publish(std::move(item));
}

} // namespace daemon_main
