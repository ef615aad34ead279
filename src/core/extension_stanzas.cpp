// Owns the list of startd-only stanzas a class uses and their job-file spelling.
#include "core/extension_stanzas.h"

namespace core {

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
    return out;
}

} // namespace core
