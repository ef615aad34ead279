// Owns length-prefix framing for the control protocol.
#include "control/framing.h"

namespace control {

std::string encode_frame(std::string_view payload) {
    auto n = static_cast<std::uint32_t>(payload.size());
    std::string out;
    out.reserve(frame_header_size + payload.size());
    out += static_cast<char>((n >> 24) & 0xFF);
    out += static_cast<char>((n >> 16) & 0xFF);
    out += static_cast<char>((n >> 8) & 0xFF);
    out += static_cast<char>(n & 0xFF);
    out += payload;
    return out;
}

void FrameDecoder::feed(std::string_view bytes) {
    if (m_failed) {
        return;
    }
    // Drop consumed bytes before growing, so a long-lived connection does not accumulate.
    if (m_start > 0 && m_start == m_buffer.size()) {
        m_buffer.clear();
        m_start = 0;
    } else if (m_start > 4096 && m_start > m_buffer.size() / 2) {
        m_buffer.erase(0, m_start);
        m_start = 0;
    }
    m_buffer.append(bytes);
}

std::optional<std::string> FrameDecoder::next() {
    if (m_failed || buffered() < frame_header_size) {
        return std::nullopt;
    }
    const auto* p = reinterpret_cast<const unsigned char*>(m_buffer.data() + m_start);
    std::uint32_t n = (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
    if (n > m_max) {
        m_failed = true;
        m_rejected = n;
        m_buffer.clear();
        m_start = 0;
        return std::nullopt;
    }
    if (buffered() < frame_header_size + n) {
        return std::nullopt;
    }
    std::string payload = m_buffer.substr(m_start + frame_header_size, n);
    m_start += frame_header_size + n;
    return payload;
}

} // namespace control
