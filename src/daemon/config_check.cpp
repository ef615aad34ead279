// Owns the reachability check of job conditions.
#include "daemon/config_check.h"

#include <fnmatch.h>

#include <algorithm>
#include <array>
#include <set>

namespace daemon_main {

namespace {

constexpr std::array<std::string_view, 4> job_events = {"starting", "started", "stopping", "stopped"};
constexpr std::array<std::string_view, 5> daemon_events = {"startup", "shutdown", "control-alt-delete",
                                                           "keyboard-request", "power-status-changed"};

bool is_job_event(std::string_view name) {
    return std::find(job_events.begin(), job_events.end(), name) != job_events.end();
}

struct Known {
    std::set<std::string> jobs;
    std::vector<std::string> emits; // globs

    bool event(const std::string& name) const {
        if (is_builtin_event(name)) {
            return true;
        }
        std::string base = name;
        constexpr std::string_view failed = "/failed";
        if (base.size() > failed.size() && base.compare(base.size() - failed.size(), failed.size(), failed) == 0) {
            base.resize(base.size() - failed.size());
            if (is_builtin_event(base)) {
                return true;
            }
        }
        return std::any_of(emits.begin(), emits.end(), [&](const std::string& glob) {
            return ::fnmatch(glob.c_str(), name.c_str(), 0) == 0 || ::fnmatch(glob.c_str(), base.c_str(), 0) == 0;
        });
    }
};

// The job a job event refers to: its first positional argument, or JOB=.
std::string referenced_job(const core::EventExprNode& node) {
    for (const core::EventArg& arg : node.args) {
        if (arg.positional() || (arg.key == "JOB" && !arg.negated)) {
            return arg.value;
        }
    }
    return {};
}

bool has_glob(const std::string& s) { return s.find_first_of("*?[$") != std::string::npos; }

// Evaluates satisfiability bottom-up (post-order storage: one forward pass) and collects the
// problems of the leaves.
void check_expr(const core::EventExpr& expr, const Known& known, const char* label, std::vector<std::string>& out) {
    std::vector<bool> ok(expr.nodes.size());
    std::vector<std::string> problems(expr.nodes.size());
    for (std::size_t i = 0; i < expr.nodes.size(); ++i) {
        const core::EventExprNode& node = expr.nodes[i];
        switch (node.kind) {
        case core::EventExprKind::Match:
            if (is_job_event(node.name)) {
                std::string job = referenced_job(node);
                ok[i] = job.empty() || has_glob(job) || known.jobs.count(job) > 0;
                if (!ok[i]) {
                    problems[i] = std::string("  ") + label + ": unknown job " + job;
                }
            } else {
                ok[i] = known.event(node.name.str());
                if (!ok[i]) {
                    problems[i] = std::string("  ") + label + ": unknown event " + node.name;
                }
            }
            break;
        case core::EventExprKind::And:
        case core::EventExprKind::Or:
            ok[i] = node.kind == core::EventExprKind::And ? ok[node.lhs] && ok[node.rhs] : ok[node.lhs] || ok[node.rhs];
            if (!ok[i]) {
                problems[i] = problems[node.lhs];
                if (!problems[node.rhs].empty()) {
                    problems[i] += (problems[i].empty() ? "" : "\n") + problems[node.rhs];
                }
            }
            break;
        }
    }
    if (!expr.empty() && !ok.back()) {
        out.push_back(problems.back());
    }
}

} // namespace

bool is_builtin_event(const std::string& name) {
    return is_job_event(name) || std::find(daemon_events.begin(), daemon_events.end(), name) != daemon_events.end();
}

std::vector<std::string> check_reachability(const std::vector<const core::JobClass*>& jobs) {
    Known known;
    for (const core::JobClass* job : jobs) {
        known.jobs.insert(job->name);
        known.emits.insert(known.emits.end(), job->emits.begin(), job->emits.end());
    }
    std::vector<std::string> report;
    for (const core::JobClass* job : jobs) {
        std::vector<std::string> lines;
        if (job->start_on) {
            check_expr(*job->start_on, known, "start on", lines);
        }
        if (job->stop_on) {
            check_expr(*job->stop_on, known, "stop on", lines);
        }
        if (!lines.empty()) {
            report.push_back(job->name);
            report.insert(report.end(), lines.begin(), lines.end());
        }
    }
    return report;
}

} // namespace daemon_main
