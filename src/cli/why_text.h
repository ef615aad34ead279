// Owns the text of `startctl why JOB`: one screen — the status line and how long it has been so,
// the `start on` / `stop on` trees with each operand marked matched (by which event, when) or
// waiting, then the notes startd drew from them (the event emitted before the job was added,
// the respawn limit, the last failure).
// Not here: working any of it out (control/why_command.cpp) or asking startd.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace cli {

// `why` is a why reply's result; `now_ms` the wall clock now. Ends with a newline.
std::string why_text(const nlohmann::json& why, std::int64_t now_ms);

// A tree of a why or show-config reply as one line: "(a and (b or c))"; operands with their
// arguments ("started JOB=db").
std::string tree_line(const nlohmann::json& node);

} // namespace cli
