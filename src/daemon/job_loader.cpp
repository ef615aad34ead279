// Owns applying a jobs directory to the engine.
#include "daemon/job_loader.h"

#include <algorithm>

#include "config/job_json.h"

namespace daemon_main {

namespace {

const std::string& name_of(const config::JobFile& file) { return file.name; }
const std::string& name_of(const std::string& name) { return name; }

} // namespace

nlohmann::json LoadSummary::to_json() const {
    nlohmann::json errs = nlohmann::json::array();
    for (const auto& d : errors) {
        errs.push_back(config::diagnostic_to_json(d));
    }
    return {{"added", added}, {"changed", changed}, {"removed", removed}, {"unchanged", unchanged.size()},
            {"errors", std::move(errs)}};
}

LoadSummary apply_job_dir(core::Engine& engine, const config::LoadReport& report) {
    LoadSummary summary;
    for (const config::JobFile& file : report.jobs) {
        summary.errors.insert(summary.errors.end(), file.diagnostics.begin(), file.diagnostics.end());
        if (!file.job) {
            continue; // unparseable: whatever was loaded before stays
        }
        const core::JobClass* old = engine.find_class(file.name);
        if (old != nullptr && *old == *file.job) {
            summary.unchanged.push_back(file.name);
            continue;
        }
        (old ? summary.changed : summary.added).push_back(file.name);
        engine.set_class(std::make_shared<core::JobClass>(*file.job));
    }
    summary.errors.insert(summary.errors.end(), report.errors.begin(), report.errors.end());
    if (report.errors.empty()) {
        // Only a complete walk may remove jobs: an unreadable subdirectory must not look empty.
        // report.jobs is sorted by name: no set of names to build (it would be a thousand small
        // allocations scattered among the long-lived ones, for nothing).
        auto present = [&report](const std::string& name) {
            return std::binary_search(
                report.jobs.begin(), report.jobs.end(), name,
                [](const auto& a, const auto& b) { return name_of(a) < name_of(b); });
        };
        for (const std::string& name : engine.class_names()) {
            if (!present(name) && engine.find_class(name) != nullptr) {
                engine.remove_class(name);
                summary.removed.push_back(name);
            }
        }
    }
    return summary;
}

base::Result<LoadSummary> load_jobs(sys::Sys& sys, core::Engine& engine, const std::string& dir) {
    auto report = config::load_job_dir(sys, dir, config::default_load_workers());
    if (!report) {
        return report.error();
    }
    LoadSummary summary = apply_job_dir(engine, *report);
    summary.dirs = std::move(report->dirs);
    return summary;
}

} // namespace daemon_main
