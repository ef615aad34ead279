// Owns the respawn delay's arithmetic (`respawn delay MIN MAX`, a startd extension): the nominal
// delay of each attempt and its jitter.
// Not here: when a job waits it out (core/job_exit.cpp, job_lifecycle.cpp).
#pragma once

#include "core/job_class.h"

#include <chrono>
#include <cstdint>

namespace core {

// The delay before respawn number `attempt` (1 for the first since the job started or last ran
// healthy): MIN, then twice the previous one, never more than MAX. 0 without `respawn delay`.
std::chrono::milliseconds nominal_respawn_delay(const JobClass& cls, unsigned attempt);

// The delay actually waited: uniform in [d/2, d] for the nominal delay d, drawn with `random`
// (any 64-bit value, JobRuntime::random()). Never later than d, so MAX is a true bound; never
// sooner than half of it, so the backoff still backs off; spread over half of it, so jobs that
// fail together come back spread out.
std::chrono::milliseconds jittered_respawn_delay(std::chrono::milliseconds nominal, std::uint64_t random);

} // namespace core
