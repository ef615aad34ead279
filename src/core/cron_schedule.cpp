// Owns parsing cron's five fields and finding the next local time they match.
#include "core/cron_schedule.h"

#include <array>
#include <bit>
#include <charconv>
#include <chrono>
#include <vector>

namespace core {

namespace {

struct FieldInfo {
    const char* name;
    unsigned min;
    unsigned max;
    const std::array<std::string_view, 12>* names; // names[i] stands for min + i
};

constexpr std::array<std::string_view, 12> month_names = {"jan", "feb", "mar", "apr", "may", "jun",
                                                          "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 12> day_names = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

constexpr std::array<FieldInfo, 5> fields_info = {{
    {"minute", 0, 59, nullptr},
    {"hour", 0, 23, nullptr},
    {"day-of-month", 1, 31, nullptr},
    {"month", 1, 12, &month_names},
    {"day-of-week", 0, 7, &day_names},
}};

// A decimal number from `min` to `max`, digits only.
std::optional<unsigned> decimal(std::string_view text, unsigned min, unsigned max) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
        return std::nullopt;
    }
    return v;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

base::Result<unsigned> field_value(const FieldInfo& info, std::string_view text) {
    if (info.names != nullptr) {
        std::string name = lower(text);
        for (std::size_t i = 0; i < info.names->size(); ++i) {
            if (!(*info.names)[i].empty() && (*info.names)[i] == name) {
                return static_cast<unsigned>(info.min + i);
            }
        }
    }
    auto n = decimal(text, 0, 1000);
    if (!n) {
        return base::Error(std::string(info.name) + " '" + std::string(text) + "' is not a number" +
                           (info.names ? " or a name" : ""));
    }
    unsigned v = *n;
    if (v < info.min || v > info.max) {
        return base::Error(std::string(info.name) + " " + std::string(text) + " is out of range " +
                           std::to_string(info.min) + "-" + std::to_string(info.max));
    }
    return v;
}

// One comma-separated item: `*`, `V`, `A-B`, each with an optional `/STEP`. Sets bits in `bits`.
base::Result<void> parse_item(const FieldInfo& info, std::string_view item, std::uint64_t& bits) {
    std::string_view base = item;
    unsigned step = 1;
    bool stepped = false;
    if (auto slash = item.find('/'); slash != std::string_view::npos) {
        base = item.substr(0, slash);
        auto n = decimal(item.substr(slash + 1), 1, info.max + 1);
        if (!n) {
            return base::Error(std::string(info.name) + " step '" + std::string(item.substr(slash + 1)) +
                               "' is not a number from 1 to " + std::to_string(info.max + 1));
        }
        step = *n;
        stepped = true;
    }
    if (base.empty()) {
        return base::Error(std::string("empty ") + info.name + " in '" + std::string(item) + "'");
    }
    unsigned from = info.min;
    unsigned to = info.max;
    if (base != "*") {
        auto dash = base.find('-');
        auto first = field_value(info, base.substr(0, dash));
        if (!first) {
            return first.error();
        }
        from = *first;
        to = stepped ? info.max : from; // `5/15` is cron's `5-MAX/15`
        if (dash != std::string_view::npos) {
            auto last = field_value(info, base.substr(dash + 1));
            if (!last) {
                return last.error();
            }
            to = *last;
            if (to < from) {
                return base::Error(std::string(info.name) + " range " + std::string(base) +
                                   " runs backwards");
            }
        }
    }
    for (unsigned v = from; v <= to; v += step) {
        bits |= std::uint64_t{1} << v;
    }
    return {};
}

base::Result<std::uint64_t> parse_field(const FieldInfo& info, std::string_view text) {
    std::uint64_t bits = 0;
    while (true) {
        auto comma = text.find(',');
        if (auto item = parse_item(info, text.substr(0, comma), bits); !item) {
            return item.error();
        }
        if (comma == std::string_view::npos) {
            break;
        }
        text.remove_prefix(comma + 1);
    }
    return bits;
}

unsigned days_in_month(int year, unsigned month) {
    using namespace std::chrono;
    return static_cast<unsigned>(
        (year_month_day_last(std::chrono::year(year), month_day_last(std::chrono::month(month)))).day());
}

} // namespace

base::Result<CronSchedule> parse_cron(std::string_view text) {
    std::vector<std::string_view> fields;
    while (!text.empty()) {
        auto start = text.find_first_not_of(" \t");
        if (start == std::string_view::npos) {
            break;
        }
        text.remove_prefix(start);
        auto end = text.find_first_of(" \t");
        fields.push_back(text.substr(0, end));
        text.remove_prefix(end == std::string_view::npos ? text.size() : end);
    }
    if (fields.size() != 5) {
        return base::Error(
            "a cron schedule has five fields (minute hour day-of-month month day-of-week), found " +
            std::to_string(fields.size()));
    }
    std::array<std::uint64_t, 5> bits{};
    for (std::size_t i = 0; i < 5; ++i) {
        auto parsed = parse_field(fields_info[i], fields[i]);
        if (!parsed) {
            return parsed.error();
        }
        bits[i] = *parsed;
    }
    CronSchedule cron;
    cron.minutes = bits[0];
    cron.hours = static_cast<std::uint32_t>(bits[1]);
    cron.days = static_cast<std::uint32_t>(bits[2]);
    cron.months = static_cast<std::uint16_t>(bits[3]);
    std::uint64_t dow = bits[4];
    if (dow & (std::uint64_t{1} << 7)) {
        dow = (dow | 1) & 0x7f; // 7 is Sunday too
    }
    cron.weekdays = static_cast<std::uint8_t>(dow);
    cron.days_star = fields[2].front() == '*';
    cron.weekdays_star = fields[4].front() == '*';
    // Only the day of month counts (the day of week is `*`): some chosen month must have a chosen day.
    if (cron.weekdays_star) {
        unsigned first_day = static_cast<unsigned>(std::countr_zero(cron.days));
        bool possible = false;
        for (unsigned m = 1; m <= 12; ++m) {
            if ((cron.months & (1U << m)) && first_day <= days_in_month(2000, m)) { // 2000: a leap year
                possible = true;
            }
        }
        if (!possible) {
            return base::Error("day-of-month " + std::string(fields[2]) + " never occurs in month " +
                               std::string(fields[3]));
        }
    }
    return cron;
}

bool cron_matches_day(const CronSchedule& cron, int year, unsigned month, unsigned day) {
    using namespace std::chrono;
    if (!(cron.months & (1U << month))) {
        return false;
    }
    bool dom = (cron.days & (1U << day)) != 0;
    unsigned wd =
        weekday(sys_days(std::chrono::year(year) / std::chrono::month(month) / std::chrono::day(day)))
            .c_encoding();
    bool dow = (cron.weekdays & (1U << wd)) != 0;
    if (cron.days_star || cron.weekdays_star) {
        return dom && dow;
    }
    return dom || dow;
}

namespace {

struct Civil {
    int year;
    unsigned month, day, hour, minute;
};

// The instant `c` stands for in the local time zone at offset `isdst`, if it stands for one.
std::optional<std::time_t> instant_of(const Civil& c, int isdst) {
    std::tm t{};
    t.tm_year = c.year - 1900;
    t.tm_mon = static_cast<int>(c.month) - 1;
    t.tm_mday = static_cast<int>(c.day);
    t.tm_hour = static_cast<int>(c.hour);
    t.tm_min = static_cast<int>(c.minute);
    t.tm_isdst = isdst;
    std::time_t at = std::mktime(&t);
    std::tm back{};
    if (at == static_cast<std::time_t>(-1) || localtime_r(&at, &back) == nullptr) {
        return std::nullopt;
    }
    if (back.tm_year != c.year - 1900 || back.tm_mon != static_cast<int>(c.month) - 1 ||
        back.tm_mday != static_cast<int>(c.day) || back.tm_hour != static_cast<int>(c.hour) ||
        back.tm_min != static_cast<int>(c.minute)) {
        return std::nullopt; // the local time does not exist (the clocks jumped over it)
    }
    return at;
}

// The earliest instant the civil time stands for; for a time the clocks jumped over, the instant
// of the jump (the first civil minute after it that exists).
std::optional<std::time_t> resolve(Civil c) {
    for (int tries = 0; tries < 24 * 60; ++tries) {
        auto a = instant_of(c, 0);
        auto b = instant_of(c, 1);
        if (a || b) {
            return a && b ? std::min(*a, *b) : a ? *a : *b;
        }
        // The next civil minute (a gap never crosses a day's end in practice, but be exact).
        if (++c.minute == 60) {
            c.minute = 0;
            if (++c.hour == 24) {
                return std::nullopt;
            }
        }
    }
    return std::nullopt;
}

void next_day(Civil& c) {
    c.hour = 0;
    c.minute = 0;
    if (++c.day > days_in_month(c.year, c.month)) {
        c.day = 1;
        if (++c.month > 12) {
            c.month = 1;
            ++c.year;
        }
    }
}

} // namespace

std::optional<std::time_t> cron_next_after(const CronSchedule& cron, std::time_t after) {
    std::tm now{};
    if (localtime_r(&after, &now) == nullptr) {
        return std::nullopt;
    }
    Civil c{now.tm_year + 1900, static_cast<unsigned>(now.tm_mon + 1), static_cast<unsigned>(now.tm_mday),
            static_cast<unsigned>(now.tm_hour), static_cast<unsigned>(now.tm_min) + 1};
    if (c.minute == 60) {
        c.minute = 0;
        if (++c.hour == 24) {
            next_day(c);
        }
    }
    // Nine years cover every date cron can name (29 February on a given weekday recurs within that).
    for (int days = 0; days < 9 * 366; ++days, next_day(c)) {
        if (!cron_matches_day(cron, c.year, c.month, c.day)) {
            continue;
        }
        for (unsigned h = c.hour; h < 24; ++h) {
            if (!(cron.hours & (1U << h))) {
                continue;
            }
            for (unsigned m = (h == c.hour ? c.minute : 0); m < 60; ++m) {
                if (!(cron.minutes & (std::uint64_t{1} << m))) {
                    continue;
                }
                auto at = resolve(Civil{c.year, c.month, c.day, h, m});
                // A time at or before `after` was taken already: the second pass of an hour the
                // clocks went back over, or a skipped time whose jump came and went.
                if (at && *at > after) {
                    return at;
                }
            }
        }
    }
    return std::nullopt;
}

} // namespace core
