// Owns the JSON form of a parsed job (startd --check --json, show-config --json).
// Not here: the control protocol's messages (control/protocol.h).
#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

#include "config/diagnostics.h"
#include "core/event_expr.h"
#include "core/job_class.h"

namespace config {

// The JSON tree nests two levels per operator, and nlohmann's dump() recurses once per level (and
// indents each line by its level): the tree of a 64 KiB `a or b or …` chain (7,300 operators)
// overflowed the stack in an ASan build and printed as 860 MB of --check --json in a release one.
// Trees whose operators nest deeper than this are not rendered as trees (see event_expr_to_json);
// hand-written expressions stay far below it.
inline constexpr std::size_t max_event_expr_json_depth = 256;

// The expression as a tree: {"event": NAME, "args": [...]} leaves, {"and"|"or": [lhs, rhs]} nodes.
// Built iteratively. Null for an empty expression, and for one whose operators nest deeper than
// max_event_expr_json_depth (job_to_json still carries its complete show-config "text").
nlohmann::json event_expr_to_json(const core::EventExpr& expr);

// Every field of the job, defaults included, with Upstart's spellings for enums.
nlohmann::json job_to_json(const core::JobClass& job);

nlohmann::json diagnostic_to_json(const Diagnostic& diag);

} // namespace config
