// Owns EventHistory: when each event name was last emitted and how often, for `startctl why`
// ("`startup` was emitted 3 h ago, before this job was added"). Bounded: a privileged emitter
// could make up names without end, so at most max_names are kept; past that the name emitted
// longest ago is forgotten.
// Not here: the events themselves (core/event_queue.h).
#pragma once

#include "core/job_runtime.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace core {

class EventHistory {
  public:
    static constexpr std::size_t max_names = 1024;

    struct Seen {
        Clock::time_point last{}; // the last emission
        Clock::time_point first{}; // the first one kept
        std::uint64_t count = 0;  // emissions since the name was first kept
    };

    void record(std::string_view name, Clock::time_point at);
    std::optional<Seen> find(std::string_view name) const;
    std::size_t size() const { return m_seen.size(); }
    // Names forgotten to stay within max_names.
    std::uint64_t forgotten() const { return m_forgotten; }

  private:
    std::unordered_map<std::string, Seen> m_seen;
    std::uint64_t m_forgotten = 0;
};

} // namespace core
