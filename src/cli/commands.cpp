// Owns the startctl commands: their table, argument checks, the request each sends, and the output.
// Not here: emit, usage and the environment commands (event_commands.cpp).
#include "cli/commands.h"

#include "build_config.h"
#include "cli/client.h"
#include "cli/command_context.h"
#include "cli/exit_codes.h"
#include "cli/format_upstart.h"
#include "cli/instance_commands.h"
#include "cli/graph_dot.h"
#include "control/job_status_json.h"
#include "control/reload_summary.h"

#include <array>
#include <cstdio>

namespace cli {

namespace {

using nlohmann::json;

void print_status(const json& value, const Options& o) {
    auto status = control::status_from_json(value);
    if (!status) {
        fail(o, status.error().message());
        return;
    }
    std::printf("%s\n", status_line(*status).c_str());
}

// The request of a job command: JOB [KEY=VALUE]…, or no JOB inside a job's own process
// (UPSTART_JOB set), which acts on that job and never waits (waiting on oneself would deadlock).
struct JobRequest {
    json args;
    bool wait;
};

std::optional<JobRequest> job_request(Context& ctx, int& status) {
    const Options& o = ctx.o;
    JobRequest request{json::object(), !o.no_wait};
    json& args = request.args;
    std::vector<std::string> env;
    std::size_t first_env = 1;
    if (o.args.empty() || o.args[0].find('=') != std::string::npos) {
        auto self = ctx.env("UPSTART_JOB");
        if (!self || self->empty()) {
            std::fprintf(stderr, "%s: missing job name\nTry `%s --help' for more information.\n", o.prog.c_str(),
                         o.prog.c_str());
            status = exit_failure;
            return std::nullopt;
        }
        args["job"] = *self;
        args["instance"] = ctx.env("UPSTART_INSTANCE").value_or("");
        request.wait = false;
        first_env = 0;
    } else {
        args["job"] = o.args[0];
    }
    for (std::size_t i = first_env; i < o.args.size(); ++i) {
        const std::string& kv = o.args[i];
        if (kv.find('=') == std::string::npos || kv.front() == '=') {
            status = fail(o, "Env must be KEY=VALUE pairs");
            return std::nullopt;
        }
        env.push_back(kv);
    }
    args["env"] = env;
    return request;
}

// Sends a job command's request; prints the status lines of the reply unless told not to (-q).
int send_job_request(Context& ctx, json args, bool print) {
    int status = exit_ok;
    auto result = fetch(ctx, ctx.o.command, std::move(args), status);
    if (!result) {
        return status;
    }
    if (print && !ctx.o.quiet) {
        if (auto statuses = result->find("statuses"); statuses != result->end()) {
            for (const json& s : *statuses) {
                print_status(s, ctx.o);
            }
        } else if (auto one = result->find("status"); one != result->end()) {
            print_status(*one, ctx.o);
        }
    }
    return exit_ok;
}

// start, stop, restart: wait for the job to get there (unless -n), then say where it is.
int goal_command(Context& ctx) {
    int status = exit_ok;
    auto request = job_request(ctx, status);
    if (!request) {
        return status;
    }
    request->args["wait"] = request->wait;
    return send_job_request(ctx, std::move(request->args), true);
}

int status_command(Context& ctx) {
    int status = exit_ok;
    auto request = job_request(ctx, status);
    return request ? send_job_request(ctx, std::move(request->args), true) : status;
}

// Sends the job its reload signal; prints nothing, as initctl did.
int reload_command(Context& ctx) {
    int status = exit_ok;
    auto request = job_request(ctx, status);
    return request ? send_job_request(ctx, std::move(request->args), false) : status;
}

int list_command(Context& ctx) {
    int status = exit_ok;
    auto result = fetch(ctx, "list", json::object(), status);
    if (!result) {
        return status;
    }
    for (const json& job : result->value("jobs", json::array())) {
        const json& statuses = job.value("statuses", json::array());
        if (statuses.empty()) {
            std::printf("%s stop/waiting\n", job.value("job", std::string()).c_str());
        }
        for (const json& s : statuses) {
            print_status(s, ctx.o);
        }
    }
    return exit_ok;
}

int show_config_command(Context& ctx) {
    json args = json::object();
    if (!ctx.o.args.empty()) {
        args["job"] = ctx.o.args[0];
    }
    int status = exit_ok;
    auto result = fetch(ctx, "show-config", std::move(args), status);
    if (!result) {
        return status;
    }
    if (ctx.o.enumerate) {
        // Upstart's form, one event per line; no startd extension lines (initctl2dot reads it).
        std::fputs(enumerate_config(result->value("jobs", json::array())).c_str(), stdout);
        return exit_ok;
    }
    for (const json& job : result->value("jobs", json::array())) {
        std::printf("%s\n", job.value("job", std::string()).c_str());
        for (const json& e : job.value("emits", json::array())) {
            std::printf("  emits %s\n", e.get<std::string>().c_str());
        }
        for (const char* key : {"start_on", "stop_on"}) {
            if (job.contains(key) && job[key].is_string()) {
                std::printf("  %s %s\n", key[1] == 't' && key[2] == 'a' ? "start on" : "stop on",
                            job[key].get<std::string>().c_str());
            }
        }
        // Not initctl's: startd's own stanzas, as the job file writes them ("respawn delay 1 60").
        for (const json& e : job.value("extensions", json::array())) {
            if (e.is_string()) {
                std::printf("  %s\n", e.get<std::string>().c_str());
            }
        }
    }
    return exit_ok;
}

int check_config_command(Context& ctx) {
    int status = exit_ok;
    auto result = call(ctx, "check-config", json::object(), status);
    if (!result) {
        return status;
    }
    if (ctx.o.json) {
        print_json(*result);
    } else {
        for (const json& line : result->value("report", json::array())) {
            std::printf("%s\n", line.get<std::string>().c_str());
        }
    }
    return result->value("ok", false) ? exit_ok : exit_failure;
}

// Says what the reload changed; a job file with errors (it keeps its previous definition) makes
// the exit status non-zero, so a configuration manager notices.
int reload_configuration_command(Context& ctx) {
    int status = exit_ok;
    auto result = call(ctx, "reload-configuration", json::object(), status);
    if (!result) {
        return status;
    }
    const json errors = result->value("errors", json::array());
    if (ctx.o.json) {
        print_json(*result);
    } else {
        auto names = [&](const char* what) { return result->value(what, std::vector<std::string>()); };
        std::string said = control::describe_changes(names("added"), names("changed"), names("removed"),
                                                     control::ChangesLayout::LinePerKind);
        if (!said.empty()) {
            std::printf("%s\n", said.c_str());
        } else if (errors.empty()) {
            std::printf("no job changed\n");
        }
        for (const json& e : errors) {
            std::fprintf(stderr, "%s: %s\n", ctx.o.prog.c_str(), e.value("text", std::string()).c_str());
        }
    }
    return errors.empty() ? exit_ok : exit_failure;
}

// Asks startd to check the program at its path and exec it, keeping its jobs (a package
// upgrade). The reply comes once the new program has accepted the state (exit 0) or not (1, why).
int reexec_command(Context& ctx) {
    int status = exit_ok;
    auto result = call(ctx, "reexec", json::object(), status);
    if (!result) {
        return status;
    }
    if (ctx.o.json) {
        print_json(*result);
    } else {
        std::printf("%s accepted startd's state and runs now, with every job\n",
                    result->value("program", std::string("startd")).c_str());
    }
    return exit_ok;
}

// Shows startd's own log priority, or sets it (Upstart's `initctl log-priority [LEVEL]`).
int log_priority_command(Context& ctx) {
    const Options& o = ctx.o;
    if (o.args.size() > 1) {
        return fail(o, "log-priority takes at most one priority (debug, info, message, warn, error, fatal)");
    }
    int status = exit_ok;
    auto result = o.args.empty() ? fetch(ctx, "log-priority", json::object(), status)
                                 : call(ctx, "set-log-priority", json{{"priority", o.args[0]}}, status);
    if (!result) {
        return status;
    }
    if (o.json) {
        print_json(*result);
    } else if (o.args.empty()) {
        std::printf("%s\n", result->value("priority", std::string("unknown")).c_str());
    }
    return exit_ok;
}

int version_command(Context& ctx) {
    int status = exit_ok;
    auto result = fetch(ctx, "version", json::object(), status);
    if (!result) {
        return status;
    }
    // "(upstart X.Y.Z)" is what configuration managers look for in `initctl version`.
    std::printf("startd %s (upstart %s)\n", result->value("version", std::string("unknown")).c_str(),
                STARTD_UPSTART_VERSION);
    return exit_ok;
}

// The instance family: not one instance's socket but the mode's instances (instance_commands.h).
int run_instances(Context& ctx) {
    return instance_command(ctx.o, ctx.sys, ctx.env, ctx.uid, ctx.mode);
}

constexpr std::array<Command, 29> command_table = {{
    {"start", goal_command, Operand::Job, true, "start JOB [KEY=VALUE]...",
     "start a job; waits until it is running (or, for a task, done)"},
    {"stop", goal_command, Operand::Job, true, "stop JOB [KEY=VALUE]...",
     "stop a job; waits until it has stopped"},
    {"restart", goal_command, Operand::Job, true, "restart JOB [KEY=VALUE]...", "restart a running job"},
    {"reload", reload_command, Operand::Job, true, "reload JOB [KEY=VALUE]...",
     "send the job's reload signal (default HUP) to its main process"},
    {"status", status_command, Operand::Job, true, "status JOB [KEY=VALUE]...", "show a job's status"},
    {"list", list_command, Operand::None, false, "list", "show the status of every job"},
    {"show", show_command, Operand::Job, false, "show JOB [KEY=VALUE]...",
     "show a job's status in detail: since when, last exit, why it stopped, respawns, log"},
    {"why", why_command, Operand::Job, false, "why JOB [KEY=VALUE]...",
     "explain why a job is (not) running: its start on / stop on, events, failures"},
    {"show-config", show_config_command, Operand::Job, false, "show-config [-e] [JOB]",
     "show jobs' start on / stop on / emits (-e: one event per line)"},
    {"graph", graph_command, Operand::None, false, "graph [--svg]",
     "jobs and events as a Graphviz graph (DOT, or SVG through dot)"},
    {"plot", plot_command, Operand::None, false, "plot [--since=SECS]",
     "an SVG timeline of the start-up (or of the last SECS seconds)"},
    {"check-config", check_config_command, Operand::None, false, "check-config",
     "report job-file errors and events nothing emits"},
    {"reload-configuration", reload_configuration_command, Operand::None, false, "reload-configuration",
     "re-read the jobs directory"},
    {"reexec", reexec_command, Operand::None, false, "reexec",
     "run startd's program again (after an upgrade), keeping every job"},
    {"version", version_command, Operand::None, false, "version", "show startd's version"},
    {"log-priority", log_priority_command, Operand::None, false, "log-priority [PRIORITY]",
     "show or set which of startd's own log lines are kept (debug, info, message, warn, error, fatal)"},
    {"log", log_command, Operand::Job, false, "log [-f] [-nN] JOB [K=V]...",
     "print a job's log (-f: and follow it); log --reopen: reopen every job log"},
    {"monitor", monitor_command, Operand::None, false, "monitor [--json]",
     "show events and job state changes as they happen, until interrupted"},
    {"emit", emit_command, Operand::None, false, "emit EVENT [KEY=VALUE]...",
     "emit an event; waits until every job it affected is at rest"},
    {"usage", usage_command, Operand::Job, false, "usage JOB", "show a job's usage text"},
    {"list-env", list_env_command, Operand::None, false, "list-env", "list the job environment table"},
    {"get-env", get_env_command, Operand::Variable, false, "get-env VAR", "show one variable of the table"},
    {"set-env", set_env_command, Operand::None, false, "set-env [-r] VAR[=VALUE]...",
     "set variables (-r: keep values already set)"},
    {"unset-env", unset_env_command, Operand::Variable, false, "unset-env VAR...", "remove variables"},
    {"reset-env", reset_env_command, Operand::None, false, "reset-env", "back to startd's initial table"},
    {"enable", enable_command, Operand::Job, false, "enable [--now] JOB",
     "remove `manual' from JOB.override (--now: and start JOB)", Reach::JobFiles},
    {"disable", disable_command, Operand::Job, false, "disable [--now] JOB",
     "add `manual' to JOB.override (--now: and stop JOB)", Reach::JobFiles},
    {"is-enabled", is_enabled_command, Operand::Job, false, "is-enabled JOB",
     "print enabled (exit 0), disabled (1) or static (0)", Reach::JobFiles},
    {"instance", run_instances, Operand::None, false, "instance SUBCOMMAND",
     "many instances of startd, as postfix-wrapper and postmulti (below)", Reach::Instances},
}};

} // namespace

std::span<const Command> commands() {
    return command_table;
}

const Command* find_command(std::string_view name) {
    for (const Command& command : command_table) {
        if (command.name == name) {
            return &command;
        }
    }
    return nullptr;
}

int run(const Options& o, sys::Sys& sys, const control::EnvLookup& env, uid_t uid) {
    if (o.help) {
        print_help(o);
        return exit_ok;
    }
    if (o.version) {
        print_version(o);
        return exit_ok;
    }
    if (o.command.empty()) {
        print_usage(o);
        return exit_failure;
    }
    control::Mode mode = uid == 0 ? control::Mode::System : control::Mode::User;
    if (o.mode) {
        mode = *o.mode;
    } else if (auto m = env("STARTD_MODE")) {
        mode = *m == "user" ? control::Mode::User : control::Mode::System;
    }
    const Command* command = find_command(o.command);
    if (command == nullptr) {
        return fail(o,
                    "unknown command: " + o.command + "\nTry `" + o.prog + " --help' for more information.");
    }
    if (command->reach == Reach::Instances) {
        Context ctx{o, sys, env, "", "", std::nullopt, mode, uid};
        return command->run(ctx);
    }
    std::optional<std::string> config = o.config_dir;
    if (o.instance_name) {
        // -i NAME: the instance of that name among the default one and those it lists.
        if (config) {
            return fail(o, "-c DIR and -i NAME both select an instance: give one of them");
        }
        std::string default_dir = control::resolve_endpoint(mode, std::nullopt, uid, env).config_dir;
        auto all = load_instances(sys, default_dir);
        if (!all) {
            return fail(o, all.error().message());
        }
        auto chosen = select_instances(*all, Selection{o.instance_name, std::nullopt});
        if (!chosen) {
            return fail(o, chosen.error().message());
        }
        config = chosen->front().config_dir;
    }
    if (!config) {
        if (auto c = env("STARTD_CONFIG"); c && !c->empty()) {
            config = *c;
        }
    }
    bool config_given = o.config_dir || o.instance_name;
    control::Endpoint ep = control::resolve_endpoint(mode, config, uid, env);
    // A job's own processes carry STARTD_SOCKET, so nested calls reach the startd that runs them
    // even when it listens somewhere unusual (--socket).
    std::string socket = ep.socket;
    if (o.socket) {
        socket = *o.socket;
    } else if (auto s = env("STARTD_SOCKET"); s && !s->empty() && !config_given && !o.mode) {
        socket = *s;
    }
    Context ctx{o, sys, env, socket, ep.jobs_dir, std::nullopt, mode, uid};
    if (socket == ep.socket) {
        // The default place: never through a directory another user could have prepared.
        if (auto safe = control::secure_runtime_dir(sys, ep, uid, control::RuntimeDirUse::Connect); !safe) {
            if (command->reach == Reach::Startd) {
                return fail(o, safe.error().message());
            }
            ctx.socket_refused = safe.error().message();
        }
    }
    return command->run(ctx);
}

} // namespace cli
