// Owns the JSON form of a job's status as it travels in replies, both ways.
#pragma once

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "core/job.h"

namespace control {

nlohmann::json status_to_json(const core::JobStatus& status);
// Strict: a reply whose status lacks a field or names an unknown state is an error.
base::Result<core::JobStatus> status_from_json(const nlohmann::json& value);

} // namespace control
