// Owns sharing environment tables between job instances (see shared_environ.h).
#include "core/shared_environ.h"

#include <functional>
#include <string_view>

namespace core {

namespace {

std::size_t content_hash(const Environ& table) {
    std::size_t h = table.size();
    for (const std::string& entry : table) {
        h ^= std::hash<std::string_view>{}(entry) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    }
    return h;
}

} // namespace

const Environ& SharedEnviron::empty() {
    static const Environ none;
    return none;
}

Environ& SharedEnviron::edit() {
    if (!m_table) {
        m_table = std::make_shared<Environ>();
    } else if (m_table.use_count() > 1) {
        m_table = std::make_shared<Environ>(*m_table);
    }
    return *m_table;
}

SharedEnviron EnvironPool::intern(Environ&& table) {
    if (table.empty()) {
        return SharedEnviron();
    }
    std::size_t hash = content_hash(table);
    auto [first, last] = m_tables.equal_range(hash);
    for (auto it = first; it != last;) {
        if (auto held = it->second.lock()) {
            // A table edited in place since it was interned no longer has this content: the
            // comparison, not the hash, decides.
            if (*held == table) {
                return SharedEnviron(std::move(held));
            }
            ++it;
        } else {
            it = m_tables.erase(it);
        }
    }
    table.shrink_to_fit();
    auto fresh = std::make_shared<Environ>(std::move(table));
    m_tables.emplace(hash, fresh);
    if (m_tables.size() >= m_sweep_at) {
        std::erase_if(m_tables, [](const auto& kv) { return kv.second.expired(); });
        m_sweep_at = std::max<std::size_t>(64, 2 * m_tables.size());
    }
    return SharedEnviron(std::move(fresh));
}

std::size_t EnvironPool::live() const {
    std::size_t n = 0;
    for (const auto& kv : m_tables) {
        n += kv.second.expired() ? 0 : 1;
    }
    return n;
}

} // namespace core
