// Owns MonitorFeed: the clients of `startctl monitor`, and what they are sent — each event as the
// engine handles it (name, environment, id) and each change of a job's goal, state or processes,
// with the wall clock time. Nothing is built while nobody monitors. A monitor that does not read
// is skipped past its stream's bound and told so (control/stream.h).
// Not here: the engine's reporting (core::Engine::observe_events, JobRuntime::job_changed),
// what the client prints (cli/stream_commands.cpp).
#pragma once

#include "control/stream.h"
#include "core/event_queue.h"
#include "core/job.h"
#include "sys/sys.h"

#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace daemon_main {

class MonitorFeed {
  public:
    explicit MonitorFeed(sys::Sys& sys) : m_sys(sys) {}

    void add(control::StreamPtr stream);
    bool empty() const { return m_feeds.empty(); }
    std::size_t size() const { return m_feeds.size(); }

    // An event the engine handles now.
    void event(const core::Event& ev);
    // `job` may have changed; sent when its goal, state or a pid differs from what was sent.
    void job(const core::Job& job, core::Clock::time_point now);
    // `job` is gone.
    void forget(const core::Job& job) { m_seen.erase(&job); }

  private:
    struct Seen {
        core::JobGoal goal;
        core::JobState state;
        std::array<pid_t, core::process_type_count> pids;
        bool operator==(const Seen&) const = default;
    };
    void publish(nlohmann::json item);

    sys::Sys& m_sys;
    std::vector<control::StreamFeed> m_feeds;
    std::unordered_map<const core::Job*, Seen> m_seen; // what was sent of each job
};

} // namespace daemon_main
