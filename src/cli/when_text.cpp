// Owns how startctl writes a moment.
#include "cli/when_text.h"

#include "base/duration_text.h"

#include <chrono>
#include <ctime>

namespace cli {

std::string ago_text(std::int64_t ms, std::int64_t now_ms) {
    if (ms > now_ms) {
        return "in " + base::duration_text(std::chrono::milliseconds(ms - now_ms));
    }
    return base::duration_text(std::chrono::milliseconds(now_ms - ms)) + " ago";
}

std::string when_text(std::int64_t ms, std::int64_t now_ms) {
    std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    char buf[32] = "?";
    if (localtime_r(&seconds, &tm) != nullptr) {
        std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    }
    return std::string(buf) + " (" + ago_text(ms, now_ms) + ")";
}

std::int64_t wall_now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace cli
