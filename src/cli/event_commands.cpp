// Owns startctl's event and environment commands: emit, usage, and the job environment table
// (list-env, get-env, set-env, unset-env, reset-env).
#include "cli/command_context.h"
#include "cli/exit_codes.h"

#include <cstdio>
#include <string_view>

namespace cli {

using nlohmann::json;

int emit_command(Context& ctx) {
    const Options& o = ctx.o;
    if (o.args.empty()) {
        return fail(o, "missing event name\nTry `" + o.prog + " --help' for more information.");
    }
    std::vector<std::string> env(o.args.begin() + 1, o.args.end());
    json args = {{"name", o.args[0]}, {"env", env}, {"wait", !o.no_wait}};
    int status = exit_ok;
    call(ctx, "emit", std::move(args), status); // prints nothing on success, like initctl
    return status;
}

int usage_command(Context& ctx) {
    const Options& o = ctx.o;
    if (o.args.size() != 1) {
        return fail(o, "usage takes one job name\nTry `" + o.prog + " --help' for more information.");
    }
    int status = exit_ok;
    auto result = fetch(ctx, "usage", {{"job", o.args[0]}}, status);
    if (result) {
        std::printf("Usage: %s\n", result->value("usage", std::string()).c_str());
    }
    return status;
}

namespace {

// The request every environment command starts from: inside a job's own process the commands act
// on that instance's table unless --global.
json env_args(Context& ctx) {
    json args = json::object();
    if (!ctx.o.global) {
        if (auto self = ctx.env("UPSTART_JOB"); self && !self->empty()) {
            args["job"] = *self;
            args["instance"] = ctx.env("UPSTART_INSTANCE").value_or("");
        }
    }
    args["global"] = ctx.o.global;
    return args;
}

int wrong_arguments(const Options& o, std::string_view what) {
    return fail(o, o.command + std::string(what) + "\nTry `" + o.prog + " --help' for more information.");
}

// Sends an environment command that prints nothing on success (set-env, unset-env, reset-env).
int send_env_request(Context& ctx, json args) {
    int status = exit_ok;
    fetch(ctx, ctx.o.command, std::move(args), status);
    return status;
}

} // namespace

int list_env_command(Context& ctx) {
    if (!ctx.o.args.empty()) {
        return wrong_arguments(ctx.o, " takes no arguments");
    }
    int status = exit_ok;
    auto result = fetch(ctx, "list-env", env_args(ctx), status);
    if (result) {
        for (const json& line : result->value("env", json::array())) {
            std::printf("%s\n", line.get<std::string>().c_str());
        }
    }
    return status;
}

int get_env_command(Context& ctx) {
    if (ctx.o.args.size() != 1) {
        return wrong_arguments(ctx.o, " takes one variable name");
    }
    json args = env_args(ctx);
    args["name"] = ctx.o.args[0];
    int status = exit_ok;
    auto result = fetch(ctx, "get-env", std::move(args), status);
    if (result) {
        std::printf("%s\n", result->value("value", std::string()).c_str());
    }
    return status;
}

int set_env_command(Context& ctx) {
    if (ctx.o.args.empty()) {
        return wrong_arguments(ctx.o, " needs at least one variable");
    }
    json args = env_args(ctx);
    args["vars"] = ctx.o.args;
    args["retain"] = ctx.o.retain;
    return send_env_request(ctx, std::move(args));
}

int unset_env_command(Context& ctx) {
    if (ctx.o.args.empty()) {
        return wrong_arguments(ctx.o, " needs at least one variable");
    }
    json args = env_args(ctx);
    args["names"] = ctx.o.args;
    return send_env_request(ctx, std::move(args));
}

int reset_env_command(Context& ctx) {
    if (!ctx.o.args.empty()) {
        return wrong_arguments(ctx.o, " takes no arguments");
    }
    return send_env_request(ctx, env_args(ctx));
}

} // namespace cli
