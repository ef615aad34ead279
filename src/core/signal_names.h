// Owns the mapping between signal numbers and names as Upstart spells them ("TERM", no "SIG").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace core {

// "TERM", "SIGTERM" → 15. Case-sensitive, as Upstart's. Unknown → nullopt.
std::optional<int> signal_from_name(std::string_view name);

// 15 → "TERM"; a number without a name is rendered as its decimal value.
std::string signal_name(int signum);

} // namespace core
