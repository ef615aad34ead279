// Owns cron schedules: cron's five fields (minute hour day-of-month month day-of-week) parsed
// into sets, and the next time a schedule matches after a given time, in the local time zone,
// as pure functions. Not here: the `timer` stanza (core/timer_spec), arming timers (core/timer_table).
//
// Fields take cron's syntax: `*`, numbers, ranges `A-B`, steps `*/N` and `A-B/N`, lists `A,B`,
// month names jan..dec and day names sun..sat (day 7 is Sunday too). A day matches as cron
// decides: when either day field is restricted and the other starts with `*`, only the
// restricted one counts; when both are restricted, a day matching either one matches.
//
// Local time changes (DST): a time that does not exist on a day the clocks go forward fires
// once, at the jump (03:00 for a 02:30 job in Europe/Berlin); a time that occurs twice on a day
// the clocks go back fires once, at its first occurrence.
#pragma once

#include "base/result.h"

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace core {

struct CronSchedule {
    std::uint64_t minutes = 0;  // bit m set: minute m (0..59) matches
    std::uint32_t hours = 0;    // bit h: hour 0..23
    std::uint32_t days = 0;     // bit d: day of month 1..31
    std::uint16_t months = 0;   // bit m: month 1..12
    std::uint8_t weekdays = 0;  // bit d: 0 = Sunday .. 6 = Saturday
    bool days_star = false;     // the day-of-month field starts with `*`
    bool weekdays_star = false; // the day-of-week field starts with `*`
    bool operator==(const CronSchedule&) const = default;
};

// Parses the five fields, separated by blanks. The error names the field and what is wrong
// ("hour 24 is out of range 0-23").
base::Result<CronSchedule> parse_cron(std::string_view fields);

// Whether the schedule matches the civil date (year, month 1..12, day 1..31).
bool cron_matches_day(const CronSchedule& cron, int year, unsigned month, unsigned day);

// The first time after `after` (seconds since the epoch) the schedule fires, in the local time
// zone (TZ); nullopt when it never fires within the next nine years.
std::optional<std::time_t> cron_next_after(const CronSchedule& cron, std::time_t after);

} // namespace core
