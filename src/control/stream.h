// Owns streaming replies (protocol version 2): Stream, the sending side a streaming command is
// given, and StreamFeed, which sends a producer's items to one stream without ever letting a
// reader that does not read grow startd's memory: past the stream's bound items are skipped and
// counted, and the next item that fits is preceded by a notice saying how much was skipped.
// Not here: connections and their buffers (server.h), what is streamed (log_commands.cpp, the
// daemon's log followers and monitor feed).
#pragma once

#include "control/protocol.h"

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>

namespace control {

class Stream {
  public:
    virtual ~Stream() = default;
    // Whether items may still be sent: false once the client has gone or the stream has ended.
    virtual bool open() const = 0;
    // Whether the client has read enough of what was sent for another item to be queued.
    virtual bool has_room() const = 0;
    // Queues one item (sent as {"v": 2, "id": ID, "ok": true, "item": ITEM}), bound or not: the
    // caller checks has_room() first unless what it sends is bounded otherwise.
    virtual void send(nlohmann::json item) = 0;
    // Ends the stream with its final reply (ok or error); nothing is sent after it.
    virtual void finish(Response final) = 0;
};

using StreamPtr = std::shared_ptr<Stream>;

// One reader of a producer's items (a log follower, a monitor).
class StreamFeed {
  public:
    explicit StreamFeed(StreamPtr stream) : m_stream(std::move(stream)) {}

    // Sends `item` if the reader keeps up; else counts it as `lines` lines of `bytes` bytes
    // skipped. The next item sent is preceded by {"skipped": {"items", "lines", "bytes"}}.
    void offer(const nlohmann::json& item, std::uint64_t lines, std::uint64_t bytes);
    bool open() const { return m_stream->open(); }
    std::uint64_t skipped_items() const { return m_skipped_items; }

  private:
    StreamPtr m_stream;
    std::uint64_t m_skipped_items = 0;
    std::uint64_t m_skipped_lines = 0;
    std::uint64_t m_skipped_bytes = 0;
};

} // namespace control
