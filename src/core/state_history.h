// Owns StateHistory: a bounded record of job state changes, the timeline `startctl plot` draws.
// It keeps the first boot_cap changes since startd started (the start-up) and, after those, the
// latest recent_cap in a ring; each change is 16 bytes, so it costs at most 256 KiB, and nothing
// per job at rest. Job and instance names are kept once each in a table of at most
// max_names; when it fills, names no kept change refers to are dropped.
// Not here: what the engine records (Engine::change_state) or how the timeline is drawn (cli).
#pragma once

#include "core/job_runtime.h"
#include "core/job_state.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace core {

class StateHistory {
  public:
    static constexpr std::size_t boot_cap = 8192;
    static constexpr std::size_t recent_cap = 8192;
    static constexpr std::size_t max_names = 2 * (boot_cap + recent_cap);

    struct Entry {
        Clock::time_point at;
        std::string_view job;
        std::string_view instance;
        JobState state;
        JobGoal goal;
        bool failed; // the job had failed (it winds down)
    };

    void record(Clock::time_point at, std::string_view job, std::string_view instance, JobState state,
                JobGoal goal, bool failed);
    // Every kept change, oldest first. The views stay valid until the next record().
    std::vector<Entry> entries() const;
    // Changes recorded after the start-up part filled and since overwritten in the ring.
    std::uint64_t dropped() const { return m_dropped; }
    std::size_t size() const { return m_boot.size() + m_ring.size(); }

  private:
    struct Change {
        Clock::time_point at;
        std::uint32_t name; // index in m_names
        JobState state;
        JobGoal goal;
        bool failed;
    };
    static_assert(sizeof(Change) == 16);

    std::uint32_t intern(std::string_view job, std::string_view instance);
    void drop_unused_names();

    std::vector<Change> m_boot;
    std::vector<Change> m_ring;
    std::size_t m_ring_next = 0; // where the next change goes once the ring is full
    std::uint64_t m_dropped = 0;
    std::vector<std::string> m_names; // "job\0instance"
    std::unordered_map<std::string, std::uint32_t> m_index;
};

} // namespace core
