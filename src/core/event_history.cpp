// Owns the bounded record of when each event name was last emitted.
#include "core/event_history.h"

namespace core {

void EventHistory::record(std::string_view name, Clock::time_point at) {
    std::string key(name);
    auto it = m_seen.find(key);
    if (it == m_seen.end()) {
        if (m_seen.size() >= max_names) {
            // Rare (only past max_names distinct names), so a scan for the oldest is fine.
            auto oldest = m_seen.begin();
            for (auto i = m_seen.begin(); i != m_seen.end(); ++i) {
                if (i->second.last < oldest->second.last) {
                    oldest = i;
                }
            }
            m_seen.erase(oldest);
            ++m_forgotten;
        }
        it = m_seen.emplace(std::move(key), Seen{at, at, 0}).first;
    }
    it->second.last = at;
    ++it->second.count;
}

std::optional<EventHistory::Seen> EventHistory::find(std::string_view name) const {
    auto it = m_seen.find(std::string(name));
    if (it == m_seen.end()) {
        return std::nullopt;
    }
    return it->second;
}

} // namespace core
