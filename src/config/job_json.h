// Owns the JSON form of a parsed job (startd --check --json, show-config --json).
// Not here: the control protocol's messages (control/protocol.h).
#pragma once

#include <nlohmann/json.hpp>

#include "config/diagnostics.h"
#include "core/event_expr.h"
#include "core/job_class.h"

namespace config {

// The expression as a tree: {"event": NAME, "args": [...]} leaves, {"and"|"or": [lhs, rhs]} nodes.
// Built iteratively, so arbitrarily deep expressions are safe.
nlohmann::json event_expr_to_json(const core::EventExpr& expr);

// Every field of the job, defaults included, with Upstart's spellings for enums.
nlohmann::json job_to_json(const core::JobClass& job);

nlohmann::json diagnostic_to_json(const Diagnostic& diag);

} // namespace config
