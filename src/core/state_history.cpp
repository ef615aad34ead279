// Owns the bounded record of job state changes.
#include "core/state_history.h"

namespace core {

namespace {

std::string key_of(std::string_view job, std::string_view instance) {
    std::string key(job);
    key += '\0';
    key += instance;
    return key;
}

} // namespace

std::uint32_t StateHistory::intern(std::string_view job, std::string_view instance) {
    std::string key = key_of(job, instance);
    if (auto it = m_index.find(key); it != m_index.end()) {
        return it->second;
    }
    if (m_names.size() >= max_names) {
        drop_unused_names();
    }
    auto index = static_cast<std::uint32_t>(m_names.size());
    m_names.push_back(key);
    m_index.emplace(std::move(key), index);
    return index;
}

void StateHistory::drop_unused_names() {
    // At most boot_cap + recent_cap names are referred to, half of max_names: at least half of
    // the table goes, so this runs at most once per that many new names.
    std::vector<std::uint32_t> renumber(m_names.size(), UINT32_MAX);
    std::vector<std::string> kept;
    auto visit = [&](Change& c) {
        if (renumber[c.name] == UINT32_MAX) {
            renumber[c.name] = static_cast<std::uint32_t>(kept.size());
            kept.push_back(std::move(m_names[c.name]));
        }
        c.name = renumber[c.name];
    };
    for (Change& c : m_boot) {
        visit(c);
    }
    for (Change& c : m_ring) {
        visit(c);
    }
    m_names = std::move(kept);
    m_index.clear();
    for (std::uint32_t i = 0; i < m_names.size(); ++i) {
        m_index.emplace(m_names[i], i);
    }
}

void StateHistory::record(Clock::time_point at, std::string_view job, std::string_view instance,
                          JobState state, JobGoal goal, bool failed) {
    Change change{at, intern(job, instance), state, goal, failed};
    if (m_boot.size() < boot_cap) {
        m_boot.push_back(change);
        return;
    }
    if (m_ring.size() < recent_cap) {
        m_ring.push_back(change);
        return;
    }
    m_ring[m_ring_next] = change;
    m_ring_next = (m_ring_next + 1) % recent_cap;
    ++m_dropped;
}

std::vector<StateHistory::Entry> StateHistory::entries() const {
    std::vector<Entry> out;
    out.reserve(size());
    auto add = [&](const Change& c) {
        std::string_view key = m_names[c.name];
        std::size_t nul = key.find('\0');
        out.push_back(Entry{c.at, key.substr(0, nul), key.substr(nul + 1), c.state, c.goal, c.failed});
    };
    for (const Change& c : m_boot) {
        add(c);
    }
    for (std::size_t i = 0; i < m_ring.size(); ++i) {
        add(m_ring[(m_ring_next + i) % m_ring.size()]);
    }
    return out;
}

} // namespace core
