// Owns the `startctl instance` family's shared parts: its context, target selection and the
// subcommand table (instance_commands.h).
#include "cli/instance_commands.h"

#include "cli/command_context.h"
#include "cli/exit_codes.h"
#include "cli/instance_daemon.h"

#include <array>
#include <cstdio>

namespace cli {

namespace {

struct Subcommand {
    std::string_view name;
    int (*run)(const InstanceContext&);
};

constexpr std::array<Subcommand, 12> subcommands = {{
    {"start", instance_start},
    {"stop", instance_stop},
    {"status", instance_status},
    {"reload", instance_reload},
    {"check", instance_check},
    {"list", instance_list},
    {"init", instance_init},
    {"create", instance_create},
    {"destroy", instance_destroy},
    {"enable", instance_enable},
    {"disable", instance_disable},
    {"assign", instance_assign},
}};

std::string without_trailing_slashes(std::string dir) {
    while (dir.size() > 1 && dir.back() == '/') {
        dir.pop_back();
    }
    return dir;
}

} // namespace

control::Endpoint InstanceContext::endpoint(const Instance& in) const {
    return control::resolve_endpoint(mode, in.config_dir, uid, env);
}

base::Result<std::optional<pid_t>> InstanceContext::daemon_pid(const Instance& in) const {
    control::Endpoint ep = endpoint(in);
    if (auto safe = control::secure_runtime_dir(sys, ep, uid, control::RuntimeDirUse::Connect); !safe) {
        return safe.error();
    }
    return serving_pid(sys, ep.socket);
}

int InstanceContext::fail_for(const Instance& in, const std::string& message) const {
    return fail(o, "instance " + in.label() + ": " + message);
}

void InstanceContext::say_for(const Instance& in, const std::string& message) const {
    if (!o.quiet) {
        std::printf("instance %s: %s\n", in.label().c_str(), message.c_str());
        std::fflush(stdout); // in order with what a launched startd or startd --check writes
    }
}

std::optional<std::vector<Instance>> all_instances(const InstanceContext& ctx, int& status) {
    auto all = load_instances(ctx.sys, ctx.default_config_dir);
    if (!all) {
        status = fail(ctx.o, all.error().message());
        return std::nullopt;
    }
    return std::move(all).value();
}

std::optional<Targets> instance_targets(const InstanceContext& ctx, int& status) {
    const Options& o = ctx.o;
    std::optional<std::string> exact = o.config_dir;
    if (!exact && !o.instance_name && !o.group) {
        if (auto c = ctx.env("STARTD_CONFIG"); c && !c->empty()) {
            exact = *c;
        }
    }
    if (o.config_dir && (o.instance_name || o.group)) {
        status = fail(o, "-c DIR and -i/-g both select instances: give one of them");
        return std::nullopt;
    }
    if (exact) {
        std::string dir = without_trailing_slashes(*exact);
        if (dir.empty() || dir.front() != '/') {
            status = fail(o, "config dir '" + *exact + "' is not an absolute path");
            return std::nullopt;
        }
        // One of the set (with what its main config says), or a dir of its own, as postfix -c.
        if (auto all = load_instances(ctx.sys, ctx.default_config_dir)) {
            for (Instance& in : *all) {
                if (in.config_dir == dir) {
                    return Targets{{std::move(in)}, true};
                }
            }
        }
        return Targets{
            {describe_instance(ctx.sys, dir, dir == without_trailing_slashes(ctx.default_config_dir))}, true};
    }
    auto all = all_instances(ctx, status);
    if (!all) {
        return std::nullopt;
    }
    auto chosen = select_instances(*all, Selection{o.instance_name, o.group});
    if (!chosen) {
        status = fail(o, chosen.error().message());
        return std::nullopt;
    }
    return Targets{std::move(chosen).value(), false};
}

int instance_command(const Options& o, sys::Sys& sys, const control::EnvLookup& env, uid_t uid,
                     control::Mode mode) {
    if (o.args.empty()) {
        return fail(o,
                    "instance: missing subcommand (start, stop, status, reload, check, list, init, create, "
                    "destroy, enable, disable, assign)\nTry `" +
                        o.prog + " --help' for more information.");
    }
    InstanceContext ctx{o,   sys,  env,
                        uid, mode, control::resolve_endpoint(mode, std::nullopt, uid, env).config_dir};
    for (const Subcommand& sub : subcommands) {
        if (sub.name == o.args[0]) {
            return sub.run(ctx);
        }
    }
    return fail(o, "instance: unknown subcommand '" + o.args[0] + "'\nTry `" + o.prog +
                       " --help' for more information.");
}

} // namespace cli
