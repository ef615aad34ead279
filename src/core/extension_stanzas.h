// Owns the list of startd's own stanzas a job class uses: stanzas Upstart's parser rejects, which
// `startd --check` reports so that files meant for both stay free of them.
// Not here: parsing them (config/stanzas_timer.cpp, config/stanzas_lifecycle.cpp) or what they
// do (core/timer_table.cpp, core/job_exit.cpp).
#pragma once

#include "core/job_class.h"

#include <cstdint>
#include <string>
#include <vector>

namespace core {

// The startd-only stanzas `cls` uses, as a job file would write them ("expect notify",
// "timer every 5m", "respawn delay 1 60"), in a fixed order; empty for a job Upstart could read.
std::vector<std::string> extension_stanzas(const JobClass& cls);

// Milliseconds as the seconds a job file writes: "1", "0.5", "1.25".
std::string seconds_text(std::uint32_t ms);

} // namespace core
