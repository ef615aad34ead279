// Owns the job environment table commands: list-env, get-env, set-env, unset-env, reset-env.
// They act on the global table (what every job started from now on begins with), or — when the
// request names a job instance and not "global", as startctl does inside a job's own process —
// on that instance's table, which its later processes get.
#include "control/command_call.h"

#include <algorithm>

namespace control {

using nlohmann::json;

namespace {

struct Target {
    core::Environ* global_env = nullptr;    // the global table, or
    core::SharedEnviron* job_env = nullptr; // an instance's (shared until written)
    bool global = true;
    std::string job;
    std::string instance;

    const core::Environ& read() const { return global_env ? *global_env : job_env->get(); }
    core::Environ& edit() const { return global_env ? *global_env : job_env->edit(); }
};

// The table the request means; replies with the error and returns nullopt when there is none.
std::optional<Target> target(Call& call) {
    auto global = bool_arg(call.request.args, "global", false);
    auto job = optional_string_arg(call.request.args, "job");
    auto instance = optional_string_arg(call.request.args, "instance");
    if (!global || !job || !instance) {
        call.error(!global ? global.error() : !job ? job.error() : instance.error());
        return std::nullopt;
    }
    Target t;
    if (*global || job->empty()) {
        t.global_env = &call.host.engine.global_env();
        return t;
    }
    t.global = false;
    t.job = *job;
    t.instance = *instance;
    t.job_env = call.host.engine.instance_env_table(*job, *instance);
    if (t.job_env == nullptr) {
        std::string who = instance->empty() ? *job : *job + " (" + *instance + ")";
        call.error(errc::unknown_instance, "Unknown instance: " + who);
        return std::nullopt;
    }
    return t;
}

// A variable name as shells take them: a letter or '_', then letters, digits and '_'.
bool valid_name(std::string_view name) {
    if (name.empty() || (name[0] >= '0' && name[0] <= '9')) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    });
}

std::optional<std::vector<std::string>> string_list(Call& call, std::string_view key) {
    auto it = call.request.args.find(key);
    if (it == call.request.args.end() || !it->is_array() || it->empty()) {
        call.error(errc::invalid_argument,
                   "argument \"" + std::string(key) + "\" must be a non-empty list of strings");
        return std::nullopt;
    }
    std::vector<std::string> out;
    for (const json& v : *it) {
        if (!v.is_string()) {
            call.error(errc::invalid_argument,
                       "argument \"" + std::string(key) + "\" must be a list of strings");
            return std::nullopt;
        }
        out.push_back(v.get<std::string>());
    }
    return out;
}

} // namespace

void cmd_list_env(Call& call) {
    auto t = target(call);
    if (!t) {
        return;
    }
    core::Environ sorted = t->read();
    std::sort(sorted.begin(), sorted.end());
    call.ok({{"env", sorted}});
}

void cmd_get_env(Call& call) {
    auto name = string_arg(call.request.args, "name");
    if (!name) {
        call.error(name.error());
        return;
    }
    auto t = target(call);
    if (!t) {
        return;
    }
    auto value = core::env_get(t->read(), *name);
    if (!value) {
        call.error(errc::no_such_variable, "No such variable: " + *name);
        return;
    }
    call.ok({{"name", *name}, {"value", std::string(*value)}});
}

// vars: ["NAME=VALUE", "NAME=", "NAME"] (a bare name is set empty); retain: keep existing values.
void cmd_set_env(Call& call) {
    auto vars = string_list(call, "vars");
    if (!vars) {
        return;
    }
    auto retain = bool_arg(call.request.args, "retain", false);
    if (!retain) {
        call.error(retain.error());
        return;
    }
    for (const std::string& v : *vars) { // check all first: a bad one changes nothing
        std::string_view name = std::string_view(v).substr(0, v.find('='));
        if (!valid_name(name)) {
            call.error(errc::invalid_argument, "Invalid variable name: '" + std::string(name) + "'");
            return;
        }
    }
    auto t = target(call);
    if (!t) {
        return;
    }
    for (const std::string& v : *vars) {
        std::string assignment = v.find('=') == std::string::npos ? v + "=" : v;
        std::string_view name = std::string_view(assignment).substr(0, assignment.find('='));
        if (*retain && core::env_get(t->read(), name)) {
            continue;
        }
        core::env_set(t->edit(), assignment);
    }
    call.ok(json::object());
}

void cmd_unset_env(Call& call) {
    auto names = string_list(call, "names");
    if (!names) {
        return;
    }
    auto t = target(call);
    if (!t) {
        return;
    }
    for (const std::string& name : *names) { // all or nothing
        if (!core::env_get(t->read(), name)) {
            call.error(errc::no_such_variable, "No such variable: " + name);
            return;
        }
    }
    for (const std::string& name : *names) {
        core::env_unset(t->edit(), name);
    }
    call.ok(json::object());
}

void cmd_reset_env(Call& call) {
    auto t = target(call);
    if (!t) {
        return;
    }
    core::Engine& engine = call.host.engine;
    if (t->global) {
        engine.reset_global_env();
    } else if (const core::JobClass* cls = engine.find_class(t->job)) {
        t->edit() = engine.default_env(*cls);
    } else {
        t->edit() = engine.global_env();
    }
    call.ok(json::object());
}

} // namespace control
