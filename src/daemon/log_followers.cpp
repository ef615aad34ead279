// Owns sending what job logs write to their followers.
#include "daemon/log_followers.h"

#include <algorithm>

namespace daemon_main {

void LogFollowers::add(const std::string& path, control::StreamPtr stream) {
    sweep(); // what a follower costs once its client has gone is bounded by the next one's arrival
    m_by_path[path].emplace_back(std::move(stream));
}

void LogFollowers::fan_out(const std::string& path, std::string_view records) {
    auto it = m_by_path.find(path);
    if (it == m_by_path.end()) {
        return;
    }
    auto lines = static_cast<std::uint64_t>(std::count(records.begin(), records.end(), '\n'));
    nlohmann::json item = {{"data", records}};
    for (control::StreamFeed& feed : it->second) {
        feed.offer(item, lines, records.size());
    }
    std::erase_if(it->second, [](const control::StreamFeed& feed) { return !feed.open(); });
    if (it->second.empty()) {
        m_by_path.erase(it);
    }
}

void LogFollowers::sweep() {
    for (auto it = m_by_path.begin(); it != m_by_path.end();) {
        std::erase_if(it->second, [](const control::StreamFeed& feed) { return !feed.open(); });
        it = it->second.empty() ? m_by_path.erase(it) : std::next(it);
    }
}

std::size_t LogFollowers::count() const {
    std::size_t n = 0;
    for (const auto& [path, feeds] : m_by_path) {
        n += feeds.size();
    }
    return n;
}

} // namespace daemon_main
