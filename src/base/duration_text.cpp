// Owns the short human form of a duration.
#include "base/duration_text.h"

namespace base {

std::string duration_text(std::chrono::milliseconds d) {
    long long ms = d.count() < 0 ? 0 : d.count();
    if (ms < 1000) {
        return std::to_string(ms) + " ms";
    }
    long long s = ms / 1000;
    if (s < 10 && ms % 1000 >= 100) {
        return std::to_string(s) + "." + std::to_string(ms % 1000 / 100) + " s"; // 2.8 s, not 2 s
    }
    if (s < 120) {
        return std::to_string(s) + " s";
    }
    if (s < 2 * 3600) {
        return std::to_string(s / 60) + " min";
    }
    if (s < 2 * 86400) {
        return std::to_string(s / 3600) + " h";
    }
    return std::to_string(s / 86400) + " d";
}

} // namespace base
