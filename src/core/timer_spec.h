// Owns TimerSpec: one `timer` stanza's schedule (`every DURATION` or `cron FIELDS`) and parsing
// it, with durations such as 30s, 5m, 1h30m, 2d. Not here: cron's fields (core/cron_schedule),
// when a timer is due (core/timer_table).
#pragma once

#include "base/result.h"
#include "core/cron_schedule.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace core {

enum class TimerKind : std::uint8_t { Every, Cron };

struct TimerSpec {
    std::string text; // "every 1h30m", "cron 0 3 * * *": what TIMER says and the schedule's name
    TimerKind kind = TimerKind::Every;
    std::int64_t interval = 0; // seconds, for `every`
    CronSchedule cron;         // for `cron`
    bool operator==(const TimerSpec&) const = default;
};

// The longest interval `every` takes: ten years.
inline constexpr std::int64_t max_timer_interval = std::int64_t{10} * 366 * 24 * 3600;

// A duration: a whole number of seconds, or numbers each with a unit s, m, h, d, in any
// combination ("1h30m"); more than zero and at most ten years. The error says what is wrong.
base::Result<std::int64_t> parse_duration(std::string_view text);

// `every DURATION` from its duration text.
base::Result<TimerSpec> every_timer(std::string_view duration);
// `cron FIELDS` from its five fields.
base::Result<TimerSpec> cron_timer(std::string_view fields);

} // namespace core
