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

// `log` (when given) becomes the status's "log" object.
nlohmann::json status_to_json(const core::JobStatus& status, const LogStatus* log = nullptr);
// Strict: a reply whose status lacks a field or names an unknown state is an error.
base::Result<core::JobStatus> status_from_json(const nlohmann::json& value);

} // namespace control
