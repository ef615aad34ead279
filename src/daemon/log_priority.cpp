// Owns LogPriority (see log_priority.h).
#include "daemon/log_priority.h"

#include <array>

namespace daemon_main {

namespace {

constexpr std::array<std::string_view, 6> names = {"debug", "info", "message", "warn", "error", "fatal"};

// Each level's place on the priority scale.
constexpr LogPriority rank(core::LogLevel level) {
    switch (level) {
    case core::LogLevel::Debug:
        return LogPriority::Debug;
    case core::LogLevel::Info:
        return LogPriority::Info;
    case core::LogLevel::Warning:
        return LogPriority::Warn;
    case core::LogLevel::Error:
        return LogPriority::Error;
    }
    return LogPriority::Error;
}

} // namespace

std::optional<LogPriority> parse_log_priority(std::string_view name) {
    if (name == "warning") {
        return LogPriority::Warn;
    }
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (names[i] == name) {
            return static_cast<LogPriority>(i);
        }
    }
    return std::nullopt;
}

std::string_view to_string(LogPriority priority) {
    return names[static_cast<std::size_t>(priority)];
}

bool keeps(LogPriority priority, core::LogLevel level) {
    return rank(level) >= priority;
}

} // namespace daemon_main
