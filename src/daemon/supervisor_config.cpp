// Owns the Supervisor's configuration side: loading the jobs directory again (reload-configuration,
// SIGHUP and the jobs dir watch) and check-config's report. Not here: the rest of the Supervisor
// (supervisor.cpp), the rules of a reload (job_loader.h), watching the directory (job_dir_watch.h).
#include "daemon/supervisor.h"

#include "config/job_dir.h"
#include "control/reload_summary.h"
#include "core/unsupported_stanzas.h"
#include "daemon/config_check.h"
#include "daemon/job_loader.h"

namespace daemon_main {

base::Result<LoadSummary> Supervisor::reload_jobs() {
    auto summary = load_jobs(m_sys, m_engine, m_settings.endpoint.jobs_dir);
    m_timers.sync(); // timers of new jobs are armed, those of removed ones dropped
    if (m_job_dir_watch && summary) {
        // Directories that came meanwhile, or the jobs dir made again: the watch takes the walk's list.
        m_job_dir_watch->rewatch(summary->dirs);
    }
    if (!summary) {
        return base::Error("cannot read " + m_settings.endpoint.jobs_dir + ": " + summary.error().message());
    }
    for (const config::Diagnostic& d : summary->errors) {
        log(core::LogLevel::Error, d.to_string());
    }
    return summary;
}

base::Result<nlohmann::json> Supervisor::reload_configuration() {
    auto summary = reload_jobs();
    if (!summary) {
        return summary.error();
    }
    return summary->to_json();
}

void Supervisor::reload_on_change() {
    auto summary = reload_jobs();
    if (!summary) {
        log(core::LogLevel::Error, "jobs directory changed, but " + summary.error().message());
        return;
    }
    std::string said = control::describe_changes(summary->added, summary->changed, summary->removed,
                                                 control::ChangesLayout::OneLine);
    if (!said.empty()) {
        log(core::LogLevel::Info, "jobs directory changed: " + said);
    }
}

nlohmann::json Supervisor::check_config() {
    std::vector<std::string> report;
    auto loaded = config::load_job_dir(m_sys, m_settings.endpoint.jobs_dir);
    std::vector<core::JobClass> parsed;
    if (!loaded) {
        report.push_back(m_settings.endpoint.jobs_dir + ": " + loaded.error().message());
    } else {
        for (const config::JobFile& f : loaded->jobs) {
            for (const config::Diagnostic& d : f.diagnostics) {
                report.push_back(d.to_string());
            }
            if (f.job) {
                if (auto unsupported = core::unsupported_stanza(*f.job)) {
                    report.push_back(f.name + ": cannot start on this system: " + unsupported->reason);
                }
                parsed.push_back(*f.job);
            }
        }
        for (const config::Diagnostic& d : loaded->errors) {
            report.push_back(d.to_string());
        }
    }
    std::vector<const core::JobClass*> ptrs;
    for (const core::JobClass& j : parsed) {
        ptrs.push_back(&j);
    }
    for (std::string& line : check_reachability(ptrs)) {
        report.push_back(std::move(line));
    }
    return {{"ok", report.empty()}, {"report", report}};
}

} // namespace daemon_main
