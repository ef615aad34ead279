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
// Requests are small (the largest are env lists: one command-line argument is at most 128 KiB);
// a reply listing thousands of jobs is not. The server holds at most one request frame of input
// per connection, so this limit is also what an idle, half-sent request can cost it.
inline constexpr std::uint32_t max_request_payload = 256U << 10; // 256 KiB
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
    // Whether next() has a payload to give (or a bad length to fail on).
    bool has_frame() const;

    bool failed() const { return m_failed; }
    // The announced size that caused the failure.
    std::uint32_t rejected_size() const { return m_rejected; }
    // Bytes held: complete frames not taken yet and the start of the next one.
    std::size_t buffered() const { return m_buffer.size() - m_start; }

private:
    std::string m_buffer;
    std::size_t m_start = 0;
    std::uint32_t m_max;
    std::uint32_t m_rejected = 0;
    bool m_failed = false;
};

} // namespace control
