// Owns RecordingStream: a control::Stream that keeps what it was sent, with room to send only
// while the test says so, and a client that can go away.
#pragma once

#include "control/stream.h"

#include <vector>

namespace test_support {

class RecordingStream final : public control::Stream {
  public:
    bool open() const override { return live && !finished; }
    bool has_room() const override { return room; }
    void send(nlohmann::json item) override { items.push_back(std::move(item)); }
    void finish(control::Response final) override {
        finished = true;
        final_reply = std::move(final);
    }

    bool live = true;
    bool room = true;
    bool finished = false;
    std::vector<nlohmann::json> items;
    control::Response final_reply;
};

} // namespace test_support
