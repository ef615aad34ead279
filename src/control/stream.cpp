// Owns feeding a stream: items sent while its reader keeps up, skipped and counted past that.
#include "control/stream.h"

namespace control {

void StreamFeed::offer(const nlohmann::json& item, std::uint64_t lines, std::uint64_t bytes) {
    if (!m_stream->open()) {
        return;
    }
    if (!m_stream->has_room()) {
        ++m_skipped_items;
        m_skipped_lines += lines;
        m_skipped_bytes += bytes;
        return;
    }
    if (m_skipped_items > 0) {
        m_stream->send(nlohmann::json{
            {"skipped",
             {{"items", m_skipped_items}, {"lines", m_skipped_lines}, {"bytes", m_skipped_bytes}}}});
        m_skipped_items = m_skipped_lines = m_skipped_bytes = 0;
    }
    m_stream->send(item);
}

} // namespace control
