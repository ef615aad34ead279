// Owns the control socket's framing: each message is a 4-byte big-endian payload length followed
// by that many bytes of JSON. Pure: bytes in, messages out; no I/O (the server moves the bytes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace control {

inline constexpr std::size_t frame_header_size = 4;
// Requests are small; a reply listing thousands of jobs is not.
inline constexpr std::uint32_t max_request_payload = 1U << 20;  // 1 MiB
inline constexpr std::uint32_t max_response_payload = 64U << 20; // 64 MiB

// Header + payload, ready to write.
std::string encode_frame(std::string_view payload);

// Incremental decoder over a byte stream. Feed whatever read() returned; take complete payloads
// with next(). A frame announcing more than the limit puts the decoder in a failed state for
// good (the stream cannot be resynchronised): the caller replies with an error and closes.
class FrameDecoder {
public:
    explicit FrameDecoder(std::uint32_t max_payload) : m_max(max_payload) {}

    void feed(std::string_view bytes);

    // The next complete payload, if one has arrived.
    std::optional<std::string> next();

    bool failed() const { return m_failed; }
    // The announced size that caused the failure.
    std::uint32_t rejected_size() const { return m_rejected; }
    // Bytes held, waiting for the rest of a frame.
    std::size_t buffered() const { return m_buffer.size() - m_start; }

private:
    std::string m_buffer;
    std::size_t m_start = 0;
    std::uint32_t m_max;
    std::uint32_t m_rejected = 0;
    bool m_failed = false;
};

} // namespace control
