// Owns the JSON form of a job's status as it travels in replies, both ways.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "base/result.h"
#include "core/job.h"

namespace control {

// Where a `console log` instance's output goes, and what of it could not be written there
// (bytes of log records, timestamps included, and lines); the daemon knows it, not the engine.
struct LogStatus {
    std::string path;
    std::uint64_t dropped_bytes = 0;
    std::uint64_t dropped_lines = 0;
};

// A time of the runtime's clock as wall clock milliseconds since the epoch, given when the
// runtime's clock read `taken` (JobStatus::taken).
std::int64_t wall_ms(core::Clock::time_point t, core::Clock::time_point taken);

// `log` (when given) becomes the status's "log" object. The details (since_ms, last_exit,
// stopped, respawns, readiness, main_started_ms) are written when known; status_from_json does
// not read them back (the status line does not show them).
nlohmann::json status_to_json(const core::JobStatus& status, const LogStatus* log = nullptr);
// Strict: a reply whose status lacks a field or names an unknown state is an error.
base::Result<core::JobStatus> status_from_json(const nlohmann::json& value);

} // namespace control
