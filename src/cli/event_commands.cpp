// Owns startctl's event and environment commands: emit, usage, and the job environment table
// (list-env, get-env, set-env, unset-env, reset-env).
#include "cli/command_context.h"
#include "cli/exit_codes.h"

#include <cstdio>

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

int env_command(Context& ctx) {
    const Options& o = ctx.o;
    const std::string& c = o.command;
    json args = json::object();
    // Inside a job's own process the commands act on that instance's table unless --global.
    if (!o.global) {
        if (auto self = ctx.env("UPSTART_JOB"); self && !self->empty()) {
            args["job"] = *self;
            args["instance"] = ctx.env("UPSTART_INSTANCE").value_or("");
        }
    }
    args["global"] = o.global;
    std::size_t want_min = 0;
    std::size_t want_max = 0;
    if (c == "get-env") {
        want_min = want_max = 1;
    } else if (c == "set-env" || c == "unset-env") {
        want_min = 1;
        want_max = static_cast<std::size_t>(-1);
    }
    if (o.args.size() < want_min || o.args.size() > want_max) {
        return fail(o, c +
                           (want_min == 0   ? " takes no arguments"
                            : want_max == 1 ? " takes one variable name"
                                            : " needs at least one variable") +
                           "\nTry `" + o.prog + " --help' for more information.");
    }
    if (c == "get-env") {
        args["name"] = o.args[0];
    } else if (c == "set-env") {
        args["vars"] = o.args;
        args["retain"] = o.retain;
    } else if (c == "unset-env") {
        args["names"] = o.args;
    }
    int status = exit_ok;
    auto result = fetch(ctx, c, std::move(args), status);
    if (!result) {
        return status;
    }
    if (c == "list-env") {
        for (const json& line : result->value("env", json::array())) {
            std::printf("%s\n", line.get<std::string>().c_str());
        }
    } else if (c == "get-env") {
        std::printf("%s\n", result->value("value", std::string()).c_str());
    }
    return exit_ok;
}

} // namespace cli
