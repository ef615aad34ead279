// Owns parsing the `timer every` durations and building TimerSpecs.
#include "core/timer_spec.h"

namespace core {

base::Result<std::int64_t> parse_duration(std::string_view text) {
    auto bad = [&](const std::string& why) {
        return base::Error("bad duration '" + std::string(text) + "': " + why +
                           " (a number of seconds, or numbers with units s, m, h, d: 30s, 5m, 1h30m, 2d)");
    };
    if (text.empty()) {
        return bad("it is empty");
    }
    std::int64_t total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] < '0' || text[i] > '9') {
            return bad("expected a number at '" + std::string(text.substr(i)) + "'");
        }
        std::int64_t n = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            n = n * 10 + (text[i] - '0');
            if (n > max_timer_interval) {
                return bad("longer than ten years");
            }
            ++i;
        }
        std::int64_t unit = 1;
        if (i == text.size()) {
            if (text.find_first_not_of("0123456789") != std::string_view::npos) {
                return bad("the last number has no unit"); // "1h30": only a lone number is seconds
            }
        } else {
            switch (text[i]) {
            case 's':
                unit = 1;
                break;
            case 'm':
                unit = 60;
                break;
            case 'h':
                unit = 3600;
                break;
            case 'd':
                unit = 86400;
                break;
            default:
                return bad("unknown unit '" + std::string(1, text[i]) + "'");
            }
            ++i;
        }
        total += n * unit;
        if (total > max_timer_interval) {
            return bad("longer than ten years");
        }
    }
    if (total == 0) {
        return bad("a timer interval must be more than zero");
    }
    return total;
}

base::Result<TimerSpec> every_timer(std::string_view duration) {
    auto seconds = parse_duration(duration);
    if (!seconds) {
        return seconds.error();
    }
    TimerSpec spec;
    spec.text = "every " + std::string(duration);
    spec.kind = TimerKind::Every;
    spec.interval = *seconds;
    return spec;
}

base::Result<TimerSpec> cron_timer(std::string_view fields) {
    auto cron = parse_cron(fields);
    if (!cron) {
        return cron.error();
    }
    TimerSpec spec;
    spec.text = "cron";
    // Fields separated by one space, whatever the job file had between them.
    std::size_t i = 0;
    while (i < fields.size()) {
        auto start = fields.find_first_not_of(" \t", i);
        if (start == std::string_view::npos) {
            break;
        }
        auto end = fields.find_first_of(" \t", start);
        spec.text += ' ';
        spec.text +=
            fields.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        i = end == std::string_view::npos ? fields.size() : end;
    }
    spec.kind = TimerKind::Cron;
    spec.cron = *cron;
    return spec;
}

} // namespace core
