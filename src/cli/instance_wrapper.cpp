// Owns the fan-out subcommands of `startctl instance`, postfix-wrapper's: start, stop, status,
// reload and check act on each selected instance in order (the default first, then the listed
// ones). Disabled instances are skipped by stop and reload and are checked instead of started; a
// failure in one is reported and the others still run; the exit status is the first failure's.
// With -c DIR (or STARTD_CONFIG) the one instance is acted on whether or not it is enabled.
#include "cli/client.h"
#include "cli/command_context.h"
#include "cli/exit_codes.h"
#include "cli/instance_commands.h"
#include "cli/instance_daemon.h"
#include "control/reload_summary.h"
#include "sys/make_dirs.h"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>

extern char** environ;

namespace cli {

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr auto ready_bound = 30s; // a startd serves its socket once its jobs are loaded
constexpr auto stop_bound = 60s;  // it exits once its jobs have stopped (kill timeouts included)

// The startd beside this startctl (both are installed in one sbin dir, and built in one dir).
base::Result<std::string> startd_program(sys::Sys& sys) {
    auto self = sys.executable_path();
    if (!self) {
        return base::Error("cannot tell where startctl is, to find startd beside it: " +
                           self.error().message());
    }
    std::string program = self->substr(0, self->rfind('/') + 1) + "startd";
    if (!sys.fstatat(AT_FDCWD, program.c_str(), 0)) {
        return base::Error("cannot find startd beside startctl (" + program + ")");
    }
    return program;
}

// Runs `startd --check JOBS_DIR`, its output on ours; true when it finds no error.
bool check_jobs(const InstanceContext& ctx, const Instance& in) {
    control::Endpoint ep = ctx.endpoint(in);
    if (auto st = ctx.sys.fstatat(AT_FDCWD, ep.jobs_dir.c_str(), 0); !st) {
        if (st.error().code() == ENOENT) {
            ctx.say_for(in, "no jobs dir (" + ep.jobs_dir + "): nothing to check");
            return true;
        }
        ctx.fail_for(in, "cannot check " + ep.jobs_dir + ": " + st.error().message());
        return false;
    }
    auto program = startd_program(ctx.sys);
    if (!program) {
        ctx.fail_for(in, program.error().message());
        return false;
    }
    sys::SpawnPlan plan;
    plan.file = *program;
    plan.argv = {*program, "--check", ep.jobs_dir};
    plan.envp = daemon_environment(environ);
    std::fflush(stdout);
    auto spawned = ctx.sys.spawn(plan);
    if (!spawned) {
        ctx.fail_for(in, "cannot run " + *program + ": " + spawned.error().message());
        return false;
    }
    auto done = ctx.sys.waitid(P_PID, static_cast<id_t>(spawned->pid), WEXITED);
    if (!done || !done->exited() || done->status != 0) {
        ctx.fail_for(in, "errors in its job files (" + ep.jobs_dir + ")");
        return false;
    }
    return true;
}

// check: the main config, then the job files.
bool check_instance(const InstanceContext& ctx, const Instance& in) {
    if (in.error) {
        ctx.fail_for(in, *in.error);
        return false;
    }
    return check_jobs(ctx, in);
}

// The pid of the instance's startd, or nullopt when none runs; errors are printed (`failed`).
std::optional<pid_t> running(const InstanceContext& ctx, const Instance& in, bool& failed) {
    auto pid = ctx.daemon_pid(in);
    if (!pid) {
        ctx.fail_for(in, pid.error().message());
        failed = true;
        return std::nullopt;
    }
    return *pid;
}

bool start_instance(const InstanceContext& ctx, const Instance& in) {
    if (in.error) {
        ctx.fail_for(in, *in.error);
        return false;
    }
    bool failed = false;
    auto pid = running(ctx, in, failed);
    if (failed) {
        return false;
    }
    if (pid) {
        ctx.say_for(in, "already running (startd pid " + std::to_string(*pid) + ")");
        return true;
    }
    auto program = startd_program(ctx.sys);
    if (!program) {
        ctx.fail_for(in, program.error().message());
        return false;
    }
    control::Endpoint ep = ctx.endpoint(in);
    if (auto made = sys::make_dirs(ctx.sys, ep.log_dir, ctx.mode == control::Mode::User ? 0700 : 0755);
        !made) {
        ctx.fail_for(in, "cannot create " + ep.log_dir + ": " + made.error().message());
        return false;
    }
    DaemonLaunch launch;
    launch.program = *program;
    launch.argv = {*program, ctx.mode == control::Mode::User ? "--user" : "--system"};
    if (!in.is_default) {
        launch.argv.insert(launch.argv.end(), {"-c", in.config_dir});
    }
    launch.envp = daemon_environment(environ);
    launch.log_file = ep.log_dir + "/startd.log";
    auto started = launch_daemon(ctx.sys, launch, ready_bound);
    if (!started) {
        ctx.fail_for(in, started.error().message());
        return false;
    }
    ctx.say_for(in, "started (startd pid " + std::to_string(*started) + ")");
    return true;
}

bool stop_instance(const InstanceContext& ctx, const Instance& in) {
    bool failed = false;
    auto pid = running(ctx, in, failed);
    if (failed) {
        return false;
    }
    if (!pid) {
        ctx.say_for(in, "not running");
        return true;
    }
    if (auto stopped = stop_daemon(ctx.sys, *pid, stop_bound); !stopped) {
        ctx.fail_for(in, stopped.error().message());
        return false;
    }
    ctx.say_for(in, "stopped (startd pid " + std::to_string(*pid) + " and its jobs)");
    return true;
}

// Sends `command` to the instance's startd; the error is printed.
std::optional<json> ask(const InstanceContext& ctx, const Instance& in, const std::string& command) {
    auto client = Client::connect(ctx.sys, ctx.endpoint(in).socket);
    if (!client) {
        ctx.fail_for(in, client.error().message());
        return std::nullopt;
    }
    auto reply = client->call(command, json::object());
    if (!reply) {
        ctx.fail_for(in, reply.error().message());
        return std::nullopt;
    }
    if (!reply->ok) {
        ctx.fail_for(in, reply->error.message);
        return std::nullopt;
    }
    return reply->result;
}

bool reload_instance(const InstanceContext& ctx, const Instance& in) {
    bool failed = false;
    auto pid = running(ctx, in, failed);
    if (failed) {
        return false;
    }
    if (!pid) {
        ctx.fail_for(in, "not running: nothing to reload");
        return false;
    }
    auto result = ask(ctx, in, "reload-configuration");
    if (!result) {
        return false;
    }
    auto names = [&](const char* what) { return result->value(what, std::vector<std::string>()); };
    std::string said = control::describe_changes(names("added"), names("changed"), names("removed"),
                                                 control::ChangesLayout::OneLine);
    ctx.say_for(in, "reloaded: " + (said.empty() ? std::string("no job changed") : said));
    bool ok = true;
    for (const json& e : result->value("errors", json::array())) {
        ctx.fail_for(in, e.value("text", std::string()));
        ok = false;
    }
    return ok;
}

// One line per instance; false (a failure) when an enabled instance does not run.
bool status_instance(const InstanceContext& ctx, const Instance& in, bool exact, json& rows) {
    bool failed = false;
    auto pid = running(ctx, in, failed);
    if (failed) {
        return false;
    }
    json row = {{"name", in.name},
                {"group", in.group},
                {"config_dir", in.config_dir},
                {"enabled", in.enabled},
                {"running", pid.has_value()}};
    if (in.error) {
        row["error"] = *in.error;
    }
    bool ok = pid.has_value() || (!in.enabled && !exact);
    std::string line;
    if (pid) {
        auto list = ask(ctx, in, "list");
        if (!list) {
            return false;
        }
        std::size_t jobs = 0;
        std::size_t up = 0;
        for (const json& job : list->value("jobs", json::array())) {
            ++jobs;
            for (const json& s : job.value("statuses", json::array())) {
                up += s.value("state", std::string()) == "running" ? 1 : 0;
            }
        }
        row["pid"] = *pid;
        row["jobs"] = jobs;
        row["running_instances"] = up;
        line = "running (startd pid " + std::to_string(*pid) + "): " + std::to_string(jobs) +
               (jobs == 1 ? " job, " : " jobs, ") + std::to_string(up) + " running";
    } else {
        line = in.enabled || exact ? "not running" : "disabled, not running";
    }
    rows.push_back(std::move(row));
    if (ctx.o.json) {
        return ok;
    }
    if (ok) {
        ctx.say_for(in, line);
    } else {
        ctx.fail_for(in, line);
    }
    return ok;
}

enum class Verb { Start, Stop, Status, Reload, Check };

int fan_out(const InstanceContext& ctx, Verb verb) {
    if (ctx.o.args.size() > 1) {
        return fail(ctx.o, "instance " + ctx.o.args[0] + ": unexpected argument '" + ctx.o.args[1] +
                               "' (select instances with -i NAME, -g GROUP or -c DIR)");
    }
    int status = exit_ok;
    auto targets = instance_targets(ctx, status);
    if (!targets) {
        return status;
    }
    int result = exit_ok;
    json rows = json::array();
    for (const Instance& in : targets->instances) {
        bool enabled = in.enabled || targets->exact;
        bool ok = true;
        switch (verb) {
        case Verb::Start:
            if (enabled) {
                ok = start_instance(ctx, in);
            } else if ((ok = check_instance(ctx, in))) {
                ctx.say_for(in, "disabled: checked, not started");
            }
            break;
        case Verb::Stop:
        case Verb::Reload:
            if (!enabled) {
                ctx.say_for(in, "disabled: skipped");
            } else {
                ok = verb == Verb::Stop ? stop_instance(ctx, in) : reload_instance(ctx, in);
            }
            break;
        case Verb::Status:
            ok = status_instance(ctx, in, targets->exact, rows);
            break;
        case Verb::Check:
            if ((ok = check_instance(ctx, in))) {
                ctx.say_for(in, "ok");
            }
            break;
        }
        if (!ok && result == exit_ok) {
            result = exit_failure;
        }
    }
    if (verb == Verb::Status && ctx.o.json) {
        print_json(json{{"instances", rows}});
    }
    return result;
}

} // namespace

int instance_start(const InstanceContext& ctx) {
    return fan_out(ctx, Verb::Start);
}

int instance_stop(const InstanceContext& ctx) {
    return fan_out(ctx, Verb::Stop);
}

int instance_status(const InstanceContext& ctx) {
    return fan_out(ctx, Verb::Status);
}

int instance_reload(const InstanceContext& ctx) {
    return fan_out(ctx, Verb::Reload);
}

int instance_check(const InstanceContext& ctx) {
    return fan_out(ctx, Verb::Check);
}

} // namespace cli
