// Owns LogPriority: how much of startd's own log is kept, in Upstart's words (`initctl
// log-priority`): debug, info, message, warn, error, fatal. A line is kept when its level is at or
// above the priority. startd logs at four levels (core::LogLevel); `message` keeps what `warn`
// keeps (startd has no line between info and warn), `fatal` keeps nothing of the running log
// (what ends startd is printed on its standard error whatever the priority).
#pragma once

#include "core/job_runtime.h"

#include <optional>
#include <string_view>

namespace daemon_main {

enum class LogPriority : unsigned char { Debug, Info, Message, Warn, Error, Fatal };

// "debug", "info", "message", "warn" (or "warning"), "error", "fatal"; nullopt for anything else.
std::optional<LogPriority> parse_log_priority(std::string_view name);
std::string_view to_string(LogPriority priority);
// Whether a line of `level` is kept at `priority`.
bool keeps(LogPriority priority, core::LogLevel level);

// The names parse_log_priority takes, for messages: "debug, info, message, warn, error, fatal".
inline constexpr std::string_view log_priority_names = "debug, info, message, warn, error, fatal";

} // namespace daemon_main
