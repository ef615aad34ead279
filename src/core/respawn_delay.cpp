// Owns the nominal respawn delay of an attempt and its jitter.
#include "core/respawn_delay.h"

namespace core {

std::chrono::milliseconds nominal_respawn_delay(const JobClass& cls, unsigned attempt) {
    std::uint64_t delay = cls.respawn_delay_min_ms;
    if (delay == 0 || attempt == 0) {
        return std::chrono::milliseconds(0);
    }
    // Doubling from MIN reaches MAX (both at most a day) within 27 steps; stop there rather
    // than shift past 64 bits.
    for (unsigned i = 1; i < attempt && delay < cls.respawn_delay_max_ms; ++i) {
        delay *= 2;
    }
    if (delay > cls.respawn_delay_max_ms) {
        delay = cls.respawn_delay_max_ms;
    }
    return std::chrono::milliseconds(delay);
}

std::chrono::milliseconds jittered_respawn_delay(std::chrono::milliseconds nominal, std::uint64_t random) {
    auto d = static_cast<std::uint64_t>(nominal.count());
    std::uint64_t low = d - d / 2; // rounds up: a 1 ms delay stays 1 ms
    std::uint64_t span = d - low;  // [low, d]
    return std::chrono::milliseconds(low + random % (span + 1));
}

} // namespace core
