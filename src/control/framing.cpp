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

namespace {
std::uint32_t announced_size(const char* header) {
    const auto* p = reinterpret_cast<const unsigned char*>(header);
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
} // namespace

void FrameDecoder::feed(std::string_view bytes) {
    if (m_failed || bytes.empty()) {
        return;
    }
    // Drop consumed bytes before growing, so a long-lived connection does not accumulate.
    if (m_start > 4096 && m_start > m_buffer.size() / 2) {
        m_buffer.erase(0, m_start);
        m_start = 0;
    }
    m_buffer.append(bytes);
}

std::optional<std::string> FrameDecoder::next() {
    if (m_failed || buffered() < frame_header_size) {
        return std::nullopt;
    }
    std::uint32_t n = announced_size(m_buffer.data() + m_start);
    if (n > m_max) {
        m_failed = true;
        m_rejected = n;
        std::string().swap(m_buffer);
        m_start = 0;
        return std::nullopt;
    }
    if (buffered() < frame_header_size + n) {
        return std::nullopt;
    }
    std::string payload = m_buffer.substr(m_start + frame_header_size, n);
    m_start += frame_header_size + n;
    if (m_start == m_buffer.size()) {
        // Everything taken: give the memory back (a connection idles most of its life).
        std::string().swap(m_buffer);
        m_start = 0;
    }
    return payload;
}

bool FrameDecoder::has_frame() const {
    if (m_failed || buffered() < frame_header_size) {
        return false;
    }
    std::uint32_t n = announced_size(m_buffer.data() + m_start);
    return n > m_max || buffered() >= frame_header_size + n;
}

} // namespace control
