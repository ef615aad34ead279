// Owns the JSON rendering of JobClass, EventExpr and Diagnostic.
#include "config/job_json.h"

#include <algorithm>

#include "core/signal_names.h"

namespace config {

using nlohmann::json;

json event_expr_to_json(const core::EventExpr& expr) {
    if (expr.empty()) {
        return nullptr;
    }
    // Operator nesting depth, bottom-up in the post-order vector: refuse before building anything
    // that dump() could not print without recursing too deep.
    std::vector<std::size_t> depth(expr.nodes.size(), 0);
    for (std::size_t i = 0; i < expr.nodes.size(); ++i) {
        const core::EventExprNode& node = expr.nodes[i];
        if (node.kind != core::EventExprKind::Match) {
            depth[i] = 1 + std::max(depth[node.lhs], depth[node.rhs]);
            if (depth[i] > max_event_expr_json_depth) {
                return nullptr;
            }
        }
    }
    std::vector<json> built(expr.nodes.size());
    for (std::size_t i = 0; i < expr.nodes.size(); ++i) {
        const core::EventExprNode& node = expr.nodes[i];
        if (node.kind == core::EventExprKind::Match) {
            json args = json::array();
            for (const core::EventArg& arg : node.args) {
                json a = {{"value", arg.value}};
                if (!arg.positional()) {
                    a["key"] = arg.key;
                    a["op"] = arg.negated ? "!=" : "=";
                }
                args.push_back(std::move(a));
            }
            built[i] = {{"event", node.name}, {"args", std::move(args)}};
        } else {
            const char* op = node.kind == core::EventExprKind::And ? "and" : "or";
            built[i] = {{op, json::array({std::move(built[node.lhs]), std::move(built[node.rhs])})}};
        }
    }
    return std::move(built.back());
}

namespace {

// Milliseconds as seconds: a whole number when it is one (1000 → 1, 500 → 0.5).
json seconds(std::uint32_t ms) {
    if (ms % 1000 == 0) {
        return ms / 1000;
    }
    return static_cast<double>(ms) / 1000.0;
}

json process_to_json(const core::Process& process) {
    return {{"type", process.script ? "script" : "exec"}, {"command", process.command}, {"line", process.line}};
}

json optional_expr(const std::optional<core::EventExpr>& expr) {
    if (!expr) {
        return nullptr;
    }
    return {{"text", core::to_string(*expr)}, {"tree", event_expr_to_json(*expr)}};
}

} // namespace

json job_to_json(const core::JobClass& job) {
    json processes = json::object();
    for (std::size_t i = 0; i < core::process_type_count; ++i) {
        if (const core::Process* p = job.process(static_cast<core::ProcessType>(i))) {
            processes[std::string(core::to_string(static_cast<core::ProcessType>(i)))] = process_to_json(*p);
        }
    }
    json normal_exit = json::array();
    for (const core::NormalExit& n : job.normal_exit) {
        normal_exit.push_back(n.is_signal ? json(core::signal_name(n.value)) : json(n.value));
    }
    json limits = json::object();
    for (const auto& [resource, limit] : job.limits) {
        auto value = [](rlim_t v) { return v == RLIM_INFINITY ? json("unlimited") : json(v); };
        limits[std::string(core::limit_resource_name(resource))] = {{"soft", value(limit.soft)},
                                                                    {"hard", value(limit.hard)}};
    }
    json cgroups = json::array();
    for (const core::CgroupSetting& c : job.cgroups) {
        cgroups.push_back({{"controller", c.controller}, {"name", c.name}, {"key", c.key}, {"value", c.value}});
    }
    json timers = json::array();
    for (const core::TimerSpec& t : job.timers) {
        timers.push_back(t.text);
    }
    auto optional_int = [](const std::optional<int>& v) { return v ? json(*v) : json(nullptr); };
    return {
        {"name", job.name},
        {"path", job.path},
        {"description", job.description},
        {"author", job.author},
        {"version", job.version},
        {"usage", job.usage},
        {"processes", std::move(processes)},
        {"start_on", optional_expr(job.start_on)},
        {"stop_on", optional_expr(job.stop_on)},
        {"manual", job.manual},
        {"env", job.env.get()},
        {"export", job.exports.get()},
        {"emits", job.emits.get()},
        {"instance", job.instance},
        {"task", job.task},
        {"respawn", job.respawn},
        {"respawn_limit", {{"count", job.respawn_limit}, {"interval", job.respawn_interval}}},
        {"respawn_delay", job.respawn_delay_min_ms == 0 ? json(nullptr)
                                                        : json{{"min", seconds(job.respawn_delay_min_ms)},
                                                               {"max", seconds(job.respawn_delay_max_ms)}}},
        {"respawn_healthy",
         job.respawn_healthy_ms == 0 ? json(nullptr) : json(seconds(job.respawn_healthy_ms))},
        {"normal_exit", std::move(normal_exit)},
        {"expect", core::to_string(job.expect)},
        {"kill_timeout", job.kill_timeout},
        {"kill_signal", core::signal_name(job.kill_signal)},
        {"reload_signal", core::signal_name(job.reload_signal)},
        {"console", core::to_string(job.console)},
        {"umask", job.umask},
        {"nice", optional_int(job.nice)},
        {"oom_score", optional_int(job.oom_score)},
        {"limits", std::move(limits)},
        {"chroot", job.chroot},
        {"chdir", job.chdir},
        {"setuid", job.setuid},
        {"setgid", job.setgid},
        {"apparmor_load", job.apparmor_load},
        {"apparmor_switch", job.apparmor_switch},
        {"cgroups", std::move(cgroups)},
        {"debug", job.debug},
        {"timers", std::move(timers)},
        {"timer_missed", job.timer_catch_up ? "catch-up" : "skip"},
    };
}

json diagnostic_to_json(const Diagnostic& diag) {
    return {{"file", diag.file},       {"line", diag.line},
            {"column", diag.column},   {"code", code_name(diag.code)},
            {"message", upstart_message(diag.code)}, {"detail", diag.detail},
            {"text", diag.to_string()}};
}

} // namespace config
