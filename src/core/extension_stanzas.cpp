// Owns the list of startd-only stanzas a class uses and their job-file spelling.
#include "core/extension_stanzas.h"

namespace core {

std::string seconds_text(std::uint32_t ms) {
    std::string out = std::to_string(ms / 1000);
    if (std::uint32_t frac = ms % 1000; frac != 0) {
        std::string digits = std::to_string(frac);
        digits.insert(0, 3 - digits.size(), '0'); // 5 ms → "005"
        while (digits.back() == '0') {
            digits.pop_back();
        }
        out += "." + digits;
    }
    return out;
}

std::vector<std::string> extension_stanzas(const JobClass& cls) {
    std::vector<std::string> out;
    if (cls.expect == ExpectType::Notify) {
        out.emplace_back("expect notify");
    }
    for (const TimerSpec& timer : cls.timers) {
        out.push_back("timer " + timer.text);
    }
    if (cls.timer_catch_up) {
        out.emplace_back("timer missed catch-up");
    }
    if (cls.respawn_delay_min_ms != 0) {
        out.push_back("respawn delay " + seconds_text(cls.respawn_delay_min_ms) + " " +
                      seconds_text(cls.respawn_delay_max_ms));
    }
    if (cls.respawn_healthy_ms != 0) {
        out.push_back("respawn healthy " + seconds_text(cls.respawn_healthy_ms));
    }
    return out;
}

} // namespace core
