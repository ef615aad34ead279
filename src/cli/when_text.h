// Owns when_text: a wall clock time (milliseconds since the epoch, as replies give them) as an
// operator reads it: "2026-12-08 00:01:02 (3 min ago)".
#pragma once

#include <cstdint>
#include <string>

namespace cli {

std::string when_text(std::int64_t ms, std::int64_t now_ms);
// "3 min ago" alone.
std::string ago_text(std::int64_t ms, std::int64_t now_ms);
// The wall clock now, in milliseconds since the epoch.
std::int64_t wall_now_ms();

} // namespace cli
