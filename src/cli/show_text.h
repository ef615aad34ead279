// Owns the detailed view of one job instance (`startctl show JOB`): Upstart's status line, then
// one labelled line per detail the status entry has (since when, main process, readiness,
// respawns, last exit, why it stopped, failure, log, containment, next timer).
// Not here: the status line itself (format_upstart.h) or asking startd (explain_commands.cpp).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace cli {

// `status` is one entry of a status reply; `now_ms` the wall clock now. Ends with a newline.
std::string show_text(const nlohmann::json& status, std::int64_t now_ms);

} // namespace cli
