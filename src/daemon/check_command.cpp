// Owns the --check report: one line per job (or JSON), errors with file:line:column.
#include "daemon/check_command.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "config/job_dir.h"
#include "config/job_json.h"
#include "core/extension_stanzas.h"
#include "core/unsupported_stanzas.h"

namespace daemon_main {

namespace {

using nlohmann::json;

struct Collected {
    std::vector<config::JobFile> jobs;
    std::vector<config::Diagnostic> errors;
    std::vector<config::Diagnostic> notices;
};

std::string job_name_from_file(const std::string& path) {
    std::string name = path.substr(path.rfind('/') + 1);
    constexpr std::string_view suffix = ".conf";
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
        name.resize(name.size() - suffix.size());
    }
    return name;
}

void collect(sys::Sys& sys, const std::string& path, Collected& into) {
    auto st = sys.fstatat(AT_FDCWD, path.c_str(), 0);
    if (!st) {
        into.errors.push_back({path, 0, 0, config::ParseErrorCode::Io, st.error().message()});
        return;
    }
    if (S_ISDIR(st->st_mode)) {
        auto report = config::load_job_dir(sys, path, config::default_load_workers());
        if (!report) {
            into.errors.push_back({path, 0, 0, config::ParseErrorCode::Io, report.error().message()});
            return;
        }
        for (auto& job : report->jobs) {
            into.jobs.push_back(std::move(job));
        }
        into.errors.insert(into.errors.end(), report->errors.begin(), report->errors.end());
        into.notices.insert(into.notices.end(), report->notices.begin(), report->notices.end());
        return;
    }
    into.jobs.push_back(config::load_job_file(sys, path, job_name_from_file(path)));
}

// "service, respawn, instance $TTY, start on startup" — what an operator wants at a glance.
std::string summary(const core::JobClass& job) {
    std::string out = job.task ? "task" : "service";
    if (job.respawn) {
        out += ", respawn";
    }
    if (!job.instance.empty()) {
        out += ", instance " + job.instance;
    }
    if (!job.process(core::ProcessType::Main)) {
        out += ", no main process";
    }
    if (job.start_on) {
        out += ", start on " + core::to_string(*job.start_on);
    } else if (job.manual) {
        out += ", manual";
    }
    return out;
}

// Why a job that parsed can still never start on this system, or nullopt.
std::optional<std::string> cannot_start(const config::JobFile& job) {
    if (!job.job) {
        return std::nullopt;
    }
    auto unsupported = core::unsupported_stanza(*job.job);
    return unsupported ? std::optional<std::string>(unsupported->reason) : std::nullopt;
}

void print_text(const Collected& all, std::FILE* out, std::FILE* err) {
    for (const config::JobFile& job : all.jobs) {
        if (auto why = cannot_start(job); why && job.ok()) {
            std::fprintf(out, "%s: cannot start on this system: %s\n", job.name.c_str(), why->c_str());
            continue;
        }
        if (job.ok()) {
            std::string line = summary(*job.job);
            if (!job.override_path.empty()) {
                line += " (override applied)";
            }
            if (auto extensions = core::extension_stanzas(*job.job); !extensions.empty()) {
                // Upstart's parser rejects these: a file meant for both must do without them.
                std::string list;
                for (const std::string& stanza : extensions) {
                    list += (list.empty() ? "" : ", ") + stanza;
                }
                line += " (startd extensions: " + list + ")";
            }
            std::fprintf(out, "%s: ok: %s\n", job.name.c_str(), line.c_str());
            continue;
        }
        for (const config::Diagnostic& d : job.diagnostics) {
            const char* fate = job.job ? "loaded without its override" : "not loaded";
            std::fprintf(out, "%s: error (%s): %s\n", job.name.c_str(), fate, d.to_string().c_str());
        }
    }
    for (const config::Diagnostic& d : all.errors) {
        std::fprintf(err, "startd: error: %s\n", d.to_string().c_str());
    }
    for (const config::Diagnostic& d : all.notices) {
        std::fprintf(err, "startd: note: %s: %s\n", d.file.c_str(), d.detail.c_str());
    }
}

void print_json(const Collected& all, bool ok, std::FILE* out) {
    json jobs = json::array();
    for (const config::JobFile& job : all.jobs) {
        json diags = json::array();
        for (const config::Diagnostic& d : job.diagnostics) {
            diags.push_back(config::diagnostic_to_json(d));
        }
        std::optional<std::string> why = cannot_start(job);
        jobs.push_back(
            {{"name", job.name},
             {"conf", job.conf_path},
             {"override", job.override_path.empty() ? json(nullptr) : json(job.override_path)},
             {"ok", job.ok() && !why},
             {"loaded", job.job.has_value()},
             {"cannot_start", why ? json(*why) : json(nullptr)},
             {"job", job.job ? config::job_to_json(*job.job) : json(nullptr)},
             {"extensions", job.job ? core::extension_stanzas(*job.job) : std::vector<std::string>()},
             {"diagnostics", std::move(diags)}});
    }
    auto diag_list = [](const std::vector<config::Diagnostic>& list) {
        json arr = json::array();
        for (const config::Diagnostic& d : list) {
            arr.push_back(config::diagnostic_to_json(d));
        }
        return arr;
    };
    json doc = {{"ok", ok}, {"jobs", std::move(jobs)}, {"errors", diag_list(all.errors)},
                {"notices", diag_list(all.notices)}};
    // Job files are bytes, not necessarily UTF-8: replace invalid sequences rather than fail.
    std::string text = doc.dump(2, ' ', false, json::error_handler_t::replace);
    std::fprintf(out, "%s\n", text.c_str());
}

} // namespace

int run_check(sys::Sys& sys, const std::vector<std::string>& paths, CheckFormat format, std::FILE* out,
              std::FILE* err) {
    Collected all;
    for (const std::string& path : paths) {
        collect(sys, path, all);
    }
    std::size_t bad = 0;
    std::size_t unsupported = 0;
    for (const config::JobFile& job : all.jobs) {
        bad += job.ok() ? 0 : 1;
        unsupported += job.ok() && cannot_start(job) ? 1 : 0;
    }
    bool ok = bad == 0 && unsupported == 0 && all.errors.empty();
    if (format == CheckFormat::Json) {
        print_json(all, ok, out);
    } else {
        print_text(all, out, err);
    }
    std::fflush(out);
    std::string cannot = unsupported == 0 ? std::string()
                                          : ", " + std::to_string(unsupported) + " that cannot start on this system";
    std::fprintf(err, "startd: checked %zu job%s: %zu ok, %zu with errors%s%s\n", all.jobs.size(),
                 all.jobs.size() == 1 ? "" : "s", all.jobs.size() - bad - unsupported, bad, cannot.c_str(),
                 all.errors.empty() ? "" : " (and unreadable paths)");
    return ok ? check_ok : check_failed;
}

} // namespace daemon_main
