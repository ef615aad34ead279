// Owns bringing a jobs directory into the engine: first load and reload-configuration. Jobs
// whose definition did not change are untouched; changed ones take effect when their running
// instances next stop; deleted ones go once stopped (Upstart's rules, ../shared/SPEC.md §7).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "config/job_dir.h"
#include "core/engine.h"
#include "sys/sys.h"

namespace daemon_main {

struct LoadSummary {
    std::vector<std::string> added;
    std::vector<std::string> changed;
    std::vector<std::string> removed;
    std::vector<std::string> unchanged;
    std::vector<config::Diagnostic> errors; // jobs that failed to load keep their old definition
    std::vector<std::string> dirs;          // the directories the load walked (for the jobs dir watch)

    nlohmann::json to_json() const;
};

// Applies a load report to the engine. A job whose file no longer parses keeps its previous
// definition (a typo while editing must not take a running service's definition away).
LoadSummary apply_job_dir(core::Engine& engine, const config::LoadReport& report);

// Loads `dir` and applies it (LoadSummary::dirs is the load's LoadReport::dirs); fails only when
// the directory itself cannot be read.
base::Result<LoadSummary> load_jobs(sys::Sys& sys, core::Engine& engine, const std::string& dir);

} // namespace daemon_main
