// Owns the JSON form of a `start on` / `stop on` tree (show-config, why): operators as
// {"op": "and"|"or", "operands": [...]} (a chain of one operator is one list), operands as
// {"event": NAME, "args": ["tty1", "KEY=VALUE", "KEY!=VALUE"]}, each node with "matched": bool
// and, for an operand an event matched, "by": {"event", "env", "at_ms"}.
#pragma once

#include "core/engine.h"

#include <nlohmann/json.hpp>
#include <vector>

namespace control {

// `matched` (Engine::start_matches / stop_matches) marks operands; `taken` is the runtime's
// clock now (for at_ms). Without it (nullptr: show-config) no node has "matched".
nlohmann::json expr_to_json(const core::EventExpr& expr, const std::vector<core::MatchedOperand>* matched,
                            core::Clock::time_point taken);

// An operand's arguments as written ("tty1", "KEY=VALUE", "KEY!=VALUE").
std::string arg_text(const core::EventArg& arg);

} // namespace control
