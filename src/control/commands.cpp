// Owns the control command table and each command's handler.
#include "control/commands.h"

#include <array>
#include <exception>

#include "control/command_call.h"
#include "control/event_expr_json.h"
#include "control/job_status_json.h"
#include "core/extension_stanzas.h"
#include "core/unsupported_stanzas.h"

namespace control {

namespace {

using nlohmann::json;

// Read: anyone who can connect. Change: root or startd's owner. Private: reads what only they
// may see (job logs, events with their environments), checked the same way.
enum class Access : unsigned char { Read, Change, Private };

using Handler = void (*)(Call&);

// start / stop / restart: reply at once with --no-wait, else when the job gets there.
// An explicit "instance" argument (startctl inside a job's own process) names the instance
// directly; otherwise the class's `instance` stanza is expanded with the given env.
const std::string* explicit_instance(const json& args, std::string& storage) {
    auto it = args.find("instance");
    if (it == args.end() || !it->is_string()) {
        return nullptr;
    }
    storage = it->get<std::string>();
    return &storage;
}

// The waiter of a start/stop/restart that waits: it replies with the job's status, or why it
// failed. It outlives the command's call (it owns a copy of the reply callback) and may run inside
// it, when the job gets where it was asked to at once.
// Built here, not in the lifecycle template: clang before 17 drops the destructor of the
// temporary in a braced assignment such as `r.result = {{...}}` inside a template
// (llvm/llvm-project#51037), which leaked every such reply's first result object.
core::JobWaiter reply_with_outcome(const Reply& reply, std::uint64_t id) {
    return [reply, id](const core::JobOutcome& outcome) {
        if (outcome.failed) {
            reply(error_response(id, errc::job_failed, outcome.message));
            return;
        }
        Response r;
        r.id = id;
        r.result = json{{"status", status_to_json(outcome.status)}};
        reply(std::move(r));
    };
}

template <core::CommandResult<core::JobStatus> (core::Engine::*Method)(std::string_view, const core::Environ&,
                                                                          core::JobWaiter, const std::string*)>
void lifecycle(Call& call) {
    auto job = string_arg(call.request.args, "job");
    auto env = env_arg(call.request.args, "env");
    auto wait = bool_arg(call.request.args, "wait", true);
    if (!job || !env || !wait) {
        call.error(!job ? job.error() : !env ? env.error() : wait.error());
        return;
    }
    core::JobWaiter waiter = *wait ? reply_with_outcome(call.reply, call.request.id) : core::JobWaiter();
    std::string storage;
    auto result = (call.host.engine.*Method)(*job, *env, std::move(waiter), explicit_instance(call.request.args, storage));
    if (!result) {
        call.error(result.error());
        return;
    }
    if (!*wait) {
        call.ok({{"status", status_to_json(*result)}});
    }
}

// A status in a status or list reply: with the instance's log, where it has one.
json status_with_log(const CommandHost& host, const core::Job& job) {
    std::optional<LogStatus> log = host.log_status ? host.log_status(job) : std::nullopt;
    return status_to_json(job.status(host.engine.runtime().now()), log ? &*log : nullptr);
}

void cmd_reload(Call& call) {
    auto job = string_arg(call.request.args, "job");
    auto env = env_arg(call.request.args, "env");
    if (!job || !env) {
        call.error(!job ? job.error() : env.error());
        return;
    }
    std::string storage;
    auto result = call.host.engine.reload(*job, *env, explicit_instance(call.request.args, storage));
    if (!result) {
        call.error(result.error());
        return;
    }
    call.ok({{"status", status_to_json(*result)}});
}

// A status entry with how the job is contained, when the daemon says.
json with_containment(const CommandHost& host, const core::Job* job, json entry) {
    if (job != nullptr && host.containment) {
        if (std::string how = host.containment(*job); !how.empty()) {
            entry["containment"] = std::move(how);
        }
    }
    return entry;
}

void cmd_status(Call& call) {
    auto requested = requested_status(call);
    if (!requested) {
        return;
    }
    json reply = {{"statuses", json::array({std::move(requested->entry)})}};
    if (!call.host.cgroups.empty()) {
        reply["cgroups"] = call.host.cgroups;
    }
    call.ok(std::move(reply));
}

void cmd_list(Call& call) {
    core::Engine& engine = call.host.engine;
    json jobs = json::array();
    for (const std::string& name : engine.class_names()) {
        json statuses = json::array();
        for (const core::Job* job : engine.instances(name)) {
            statuses.push_back(with_containment(call.host, job, status_with_log(call.host, *job)));
        }
        json item = {{"job", name}, {"statuses", std::move(statuses)}};
        if (auto next = call.host.next_timer ? call.host.next_timer(name) : std::nullopt) {
            item["next_timer"] = *next;
        }
        jobs.push_back(std::move(item));
    }
    call.ok({{"jobs", std::move(jobs)}});
}

void cmd_show_config(Call& call) {
    core::Engine& engine = call.host.engine;
    std::vector<std::string> names;
    if (auto it = call.request.args.find("job"); it != call.request.args.end()) {
        if (!it->is_string()) {
            call.error(errc::invalid_argument, "argument \"job\" must be a string");
            return;
        }
        if (engine.find_class(it->get<std::string>()) == nullptr) {
            call.error(errc::unknown_job, "Unknown job: " + it->get<std::string>());
            return;
        }
        names.push_back(it->get<std::string>());
    } else {
        names = engine.class_names();
    }
    json jobs = json::array();
    for (const std::string& name : names) {
        const core::JobClass* cls = engine.find_class(name);
        if (cls == nullptr) {
            continue;
        }
        json entry = {{"job", name}, {"emits", cls->emits}};
        entry["start_on"] = cls->start_on ? json(core::to_string(*cls->start_on)) : json(nullptr);
        entry["stop_on"] = cls->stop_on ? json(core::to_string(*cls->stop_on)) : json(nullptr);
        // The same as trees, for startctl's `show-config -e` and `graph`.
        entry["start_on_tree"] = cls->start_on ? expr_to_json(*cls->start_on, nullptr, {}) : json(nullptr);
        entry["stop_on_tree"] = cls->stop_on ? expr_to_json(*cls->stop_on, nullptr, {}) : json(nullptr);
        entry["extensions"] = core::extension_stanzas(*cls); // startd's own stanzas ("respawn delay 1 60")
        jobs.push_back(std::move(entry));
    }
    call.ok({{"jobs", std::move(jobs)}});
}

void cmd_check_config(Call& call) { call.ok(call.host.check_config()); }

void cmd_reload_configuration(Call& call) {
    auto result = call.host.reload_configuration();
    if (!result) {
        call.error(errc::internal, result.error().message());
        return;
    }
    call.ok(std::move(result).value());
}

void cmd_reexec(Call& call) {
    if (!call.host.reexec) {
        call.error(errc::internal, "re-exec is not available here");
        return;
    }
    // Answered once the new program has accepted the state (just before the exec) or not.
    call.replied = true;
    call.host.reexec([reply = call.reply, id = call.request.id](base::Result<nlohmann::json> outcome) {
        if (!outcome) {
            reply(error_response(id, errc::internal, outcome.error().message()));
            return;
        }
        Response r;
        r.id = id;
        r.result = std::move(outcome).value();
        reply(std::move(r));
    });
}

// log-priority reads startd's own log priority, set-log-priority changes it (Upstart's
// `initctl log-priority [LEVEL]`); both reply with the priority now in force.
void cmd_log_priority(Call& call) {
    if (!call.host.log_priority) {
        call.error(errc::internal, "the log priority is not available here");
        return;
    }
    call.ok(json{{"priority", call.host.log_priority()}});
}

void cmd_set_log_priority(Call& call) {
    auto name = string_arg(call.request.args, "priority");
    if (!name) {
        call.error(name.error());
        return;
    }
    if (!call.host.set_log_priority) {
        call.error(errc::internal, "the log priority is not available here");
        return;
    }
    if (auto set = call.host.set_log_priority(*name); !set) {
        call.error(errc::invalid_argument, set.error().message());
        return;
    }
    call.ok(json{{"priority", call.host.log_priority()}});
}

void cmd_version(Call& call) {
    json reply = {{"version", call.host.version}, {"protocol", protocol_version}};
    if (!call.host.cgroups.empty()) {
        reply["cgroups"] = call.host.cgroups;
    }
    if (!call.host.jobs_dir.empty()) {
        reply["jobs_dir"] = call.host.jobs_dir;
    }
    if (call.host.jobs_dir_identity) {
        if (auto id = call.host.jobs_dir_identity()) {
            reply["jobs_dir_id"] = *id;
        }
    }
    call.ok(std::move(reply));
}

struct CommandRow {
    std::string_view name;
    Handler handler;
    Access access;
    bool streams = false; // replies with a stream (protocol version 2)
};

constexpr std::array<CommandRow, 25> command_table = {{
    {"start", lifecycle<&core::Engine::start>, Access::Change},
    {"stop", lifecycle<&core::Engine::stop>, Access::Change},
    {"restart", lifecycle<&core::Engine::restart>, Access::Change},
    {"reload", cmd_reload, Access::Change},
    {"status", cmd_status, Access::Read},
    {"list", cmd_list, Access::Read},
    {"show-config", cmd_show_config, Access::Read},
    {"why", cmd_why, Access::Read},
    {"timeline", cmd_timeline, Access::Read},
    {"check-config", cmd_check_config, Access::Read},
    {"reload-configuration", cmd_reload_configuration, Access::Change},
    {"reexec", cmd_reexec, Access::Change},
    {"log-priority", cmd_log_priority, Access::Read},
    {"set-log-priority", cmd_set_log_priority, Access::Change},
    {"version", cmd_version, Access::Read},
    {"emit", cmd_emit, Access::Change},
    {"usage", cmd_usage, Access::Read},
    {"list-env", cmd_list_env, Access::Read},
    {"get-env", cmd_get_env, Access::Read},
    {"set-env", cmd_set_env, Access::Change},
    {"unset-env", cmd_unset_env, Access::Change},
    {"reset-env", cmd_reset_env, Access::Change},
    {"log", cmd_log, Access::Private, true},
    {"log-reopen", cmd_log_reopen, Access::Change},
    {"monitor", cmd_monitor, Access::Private, true},
}};

// The instance a request names: its "instance" argument, else the class's `instance` stanza
// expanded with `env`. Replies with the error (unknown-job, …) and returns nullopt.
std::optional<std::string> requested_instance(Call& call, const std::string& job, const core::Environ& env) {
    core::Engine& engine = call.host.engine;
    const core::JobClass* cls = engine.find_class(job);
    if (cls == nullptr && engine.instances(job).empty()) {
        call.error(errc::unknown_job, "Unknown job: " + job);
        return std::nullopt;
    }
    if (auto it = call.request.args.find("instance"); it != call.request.args.end() && it->is_string()) {
        return it->get<std::string>();
    }
    if (cls == nullptr) {
        return std::string();
    }
    auto name = engine.instance_name(*cls, env);
    if (!name) {
        call.error(name.error());
        return std::nullopt;
    }
    return std::move(name).value();
}

// The status entry of a status reply: the live instance, what was kept of a gone one, or
// stop/waiting. Replies with the error (unknown-instance) and returns nullopt.
std::optional<nlohmann::json> status_entry(Call& call, const std::string& job, const std::string& instance) {
    core::Engine& engine = call.host.engine;
    const core::JobClass* cls = engine.find_class(job);
    const core::Job* found = engine.find_instance(job, instance);
    // An instance that is gone answers with how it ended; a named one only when it failed.
    std::optional<core::JobStatus> gone = found ? std::nullopt : engine.gone_status(job, instance);
    if (found == nullptr && !instance.empty() && (!gone || gone->failure.empty())) {
        call.error(errc::unknown_instance, "Unknown instance: " + instance);
        return std::nullopt;
    }
    core::JobStatus status;
    if (found != nullptr) {
        status = found->status(engine.runtime().now());
    } else if (gone) {
        status = std::move(*gone);
    } else {
        status.job = job; // stop/waiting
        status.instance = instance;
    }
    if (auto unsupported = cls != nullptr ? core::unsupported_stanza(*cls) : std::nullopt) {
        status.cannot_start = std::move(unsupported->reason);
    }
    std::optional<LogStatus> log = found != nullptr && call.host.log_status ? call.host.log_status(*found) : std::nullopt;
    json entry = with_containment(call.host, found, status_to_json(status, log ? &*log : nullptr));
    if (auto next = call.host.next_timer ? call.host.next_timer(job) : std::nullopt) {
        entry["next_timer"] = *next;
    }
    return entry;
}

} // namespace

std::optional<RequestedStatus> requested_status(Call& call) {
    auto job = string_arg(call.request.args, "job");
    auto env = env_arg(call.request.args, "env");
    if (!job || !env) {
        call.error(!job ? job.error() : env.error());
        return std::nullopt;
    }
    auto instance = requested_instance(call, *job, *env);
    if (!instance) {
        return std::nullopt;
    }
    auto entry = status_entry(call, *job, *instance);
    if (!entry) {
        return std::nullopt;
    }
    return RequestedStatus{std::move(*job), std::move(*instance), std::move(*entry)};
}

std::vector<std::string> command_names() {
    std::vector<std::string> names;
    for (const CommandRow& row : command_table) {
        names.emplace_back(row.name);
    }
    return names;
}

void dispatch(CommandHost& host, const Request& request, uid_t peer_uid, Reply reply, const OpenStream& open_stream) {
    const CommandRow* row = nullptr;
    for (const CommandRow& r : command_table) {
        if (r.name == request.command) {
            row = &r;
            break;
        }
    }
    if (row == nullptr) {
        reply(error_response(request.id, errc::unknown_command, "Unknown command: " + request.command));
        return;
    }
    if (row->access != Access::Read && peer_uid != 0 && peer_uid != host.owner_uid) {
        reply(error_response(request.id, errc::permission_denied,
                             "Permission denied: " + request.command + " needs uid " +
                                 std::to_string(host.owner_uid) + " or root (you are uid " +
                                 std::to_string(peer_uid) + ")"));
        return;
    }
    if (row->streams && (request.version < 2 || !open_stream)) {
        reply(error_response(request.id, errc::unsupported_version,
                             request.command + " streams its reply: it needs protocol version 2"));
        return;
    }
    // The handlers only fail by exception on allocation failure; the daemon must survive that.
    Call call{host, request, reply, false, &open_stream};
    try {
        row->handler(call);
    } catch (const std::exception& e) {
        if (!call.replied) {
            reply(error_response(request.id, errc::internal, std::string("internal error: ") + e.what()));
        }
    }
}

} // namespace control
