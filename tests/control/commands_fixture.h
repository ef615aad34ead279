// Owns CommandsTest: the control command table over a real Engine on a fake runtime, with the
// replies each request got.
#pragma once

#include "control/commands.h"
#include "core/engine_fixture.h"

#include <nlohmann/json.hpp>

class CommandsTest : public EngineTest {
  protected:
    CommandsTest() : host{engine, 1000, "9.9.9", {}, {}} {
        host.reload_configuration = [] { return base::Result<nlohmann::json>(nlohmann::json{{"added", 0}}); };
        host.check_config = [] { return nlohmann::json{{"ok", true}, {"report", nlohmann::json::array()}}; };
    }

    void send(const std::string& cmd, nlohmann::json args, uid_t uid = 1000) {
        control::Request req;
        req.id = ++m_id;
        req.command = cmd;
        req.args = std::move(args);
        control::dispatch(host, req, uid, [this](control::Response r) { replies.push_back(std::move(r)); });
    }

    control::CommandHost host;
    std::vector<control::Response> replies;
    std::uint64_t m_id = 0;
};
