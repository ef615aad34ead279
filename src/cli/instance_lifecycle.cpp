// Owns the life-cycle subcommands of `startctl instance`, in the style of postmulti -e: init,
// create, destroy, enable, disable, assign; and list. Every change to a main config is a
// whole-file replacement (write_main_config: temp file, fsync, rename).
#include "cli/command_context.h"
#include "cli/exit_codes.h"
#include "cli/instance_commands.h"
#include "cli/instance_daemon.h"
#include "sys/make_dirs.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <functional>
#include <nlohmann/json.hpp>

namespace cli {

namespace {

using nlohmann::json;

// Reads the main config at `path` (an empty one when it does not exist), lets `change` edit it
// and writes it back. Errors are printed.
bool edit_main_config(const InstanceContext& ctx, const std::string& path,
                      const std::function<void(config::MainConfig&)>& change) {
    auto cfg = read_main_config(ctx.sys, path);
    if (!cfg) {
        fail(ctx.o, cfg.error().message());
        return false;
    }
    config::MainConfig edited =
        cfg->has_value() ? std::move(**cfg) : config::MainConfig::parse("", path).value();
    change(edited);
    if (auto written = write_main_config(ctx.sys, path, edited); !written) {
        fail(ctx.o, written.error().message());
        return false;
    }
    return true;
}

std::string default_main_config(const InstanceContext& ctx) {
    return ctx.default_config_dir + "/" + std::string(main_config_file);
}

// Whether `instance init` has run: the default main config says multi_instance_enable.
bool initialised(const InstanceContext& ctx) {
    auto cfg = read_main_config(ctx.sys, default_main_config(ctx));
    return cfg && cfg->has_value() && (*cfg)->get(param_enable).has_value();
}

// The one instance -i NAME names, for destroy and assign. Errors are printed.
std::optional<Instance> named_instance(const InstanceContext& ctx, std::string_view what, int& status) {
    if (!ctx.o.instance_name || ctx.o.group || ctx.o.config_dir) {
        status = fail(ctx.o, "instance " + std::string(what) + ": name the instance with -i NAME (only)");
        return std::nullopt;
    }
    auto all = all_instances(ctx, status);
    if (!all) {
        return std::nullopt;
    }
    auto chosen = select_instances(*all, Selection{ctx.o.instance_name, std::nullopt});
    if (!chosen) {
        status = fail(ctx.o, chosen.error().message());
        return std::nullopt;
    }
    if (chosen->size() > 1) {
        status = fail(ctx.o, "more than one instance is named '" + *ctx.o.instance_name + "'");
        return std::nullopt;
    }
    return chosen->front();
}

bool name_taken(const std::vector<Instance>& all, const std::string& name) {
    return std::any_of(all.begin(), all.end(), [&](const Instance& i) { return i.name == name; });
}

int set_enabled(const InstanceContext& ctx, bool on) {
    if (!ctx.o.instance_name && !ctx.o.group && !ctx.o.config_dir) {
        return fail(ctx.o, std::string("instance ") + (on ? "enable" : "disable") +
                               ": say which instances: -i NAME, -g GROUP or -c DIR");
    }
    int status = exit_ok;
    auto targets = instance_targets(ctx, status);
    if (!targets) {
        return status;
    }
    int result = exit_ok;
    for (const Instance& in : targets->instances) {
        if (in.error && !in.error->starts_with(in.main_config_path() + ": " + std::string(param_enable))) {
            result = result != exit_ok ? result : ctx.fail_for(in, *in.error);
            continue;
        }
        if (!edit_main_config(ctx, in.main_config_path(),
                              [&](config::MainConfig& cfg) { cfg.set(param_enable, on ? "yes" : "no"); })) {
            result = result != exit_ok ? result : exit_failure;
            continue;
        }
        ctx.say_for(in, on ? "enabled" : "disabled");
    }
    return result;
}

} // namespace

int instance_init(const InstanceContext& ctx) {
    if (ctx.o.instance_name || ctx.o.group || ctx.o.config_dir || ctx.o.args.size() > 1) {
        return fail(ctx.o, "instance init takes no arguments: it acts on the default instance (" +
                               ctx.default_config_dir + ")");
    }
    if (auto made = sys::make_dirs(ctx.sys, ctx.default_config_dir, 0755); !made) {
        return fail(ctx.o, "cannot create " + ctx.default_config_dir + ": " + made.error().message());
    }
    bool ok = edit_main_config(ctx, default_main_config(ctx), [](config::MainConfig& cfg) {
        if (!cfg.get(param_enable)) {
            cfg.set(param_enable, "yes");
        }
        if (!cfg.get(param_directories)) {
            cfg.set(param_directories, "");
        }
    });
    if (!ok) {
        return exit_failure;
    }
    if (!ctx.o.quiet) {
        std::printf("multi-instance support is on in %s\n", default_main_config(ctx).c_str());
    }
    return exit_ok;
}

int instance_create(const InstanceContext& ctx) {
    const Options& o = ctx.o;
    if (!o.new_name) {
        return fail(o, "instance create: name the new instance with -I NAME");
    }
    if (o.instance_name || o.group || o.config_dir || o.args.size() > 2) {
        return fail(o, "usage: instance create -I NAME [-G GROUP] [CONFIG_DIR]");
    }
    for (auto [what, value] : {std::pair{"-I", o.new_name}, std::pair{"-G", o.new_group}}) {
        if (value) {
            if (auto bad = bad_instance_word(what, *value)) {
                return fail(o, *bad);
            }
        }
    }
    if (!initialised(ctx)) {
        return fail(o, "multi-instance support is not on in " + default_main_config(ctx) +
                           ": run `startctl instance init' first");
    }
    int status = exit_ok;
    auto all = all_instances(ctx, status);
    if (!all) {
        return status;
    }
    if (name_taken(*all, *o.new_name)) {
        return fail(o, "an instance is already named '" + *o.new_name + "'");
    }
    std::string dir = o.args.size() == 2 ? o.args[1] : ctx.default_config_dir + "-" + *o.new_name;
    while (dir.size() > 1 && dir.back() == '/') {
        dir.pop_back();
    }
    if (dir.empty() || dir.front() != '/') {
        return fail(o, "config dir '" + dir + "' is not an absolute path");
    }
    if (std::any_of(all->begin(), all->end(), [&](const Instance& i) { return i.config_dir == dir; })) {
        return fail(o, dir + " is already an instance's config dir");
    }
    std::string conf = dir + "/" + std::string(main_config_file);
    if (ctx.sys.fstatat(AT_FDCWD, conf.c_str(), AT_SYMLINK_NOFOLLOW)) {
        return fail(o, conf + " exists already: refusing to overwrite another instance's main config");
    }
    if (auto made = sys::make_dirs(ctx.sys, dir + "/jobs", 0755); !made) {
        return fail(o, "cannot create " + dir + "/jobs: " + made.error().message());
    }
    std::string text = "# startd instance " + *o.new_name + ": its main config (startd.conf(5)).\n" +
                       std::string(param_name) + " = " + *o.new_name + "\n";
    if (o.new_group) {
        text += std::string(param_group) + " = " + *o.new_group + "\n";
    }
    text += std::string(param_enable) + " = no\n";
    auto cfg = config::MainConfig::parse(text, conf);
    if (!cfg) {
        return fail(o, cfg.error().message());
    }
    if (auto written = write_main_config(ctx.sys, conf, *cfg); !written) {
        return fail(o, written.error().message());
    }
    bool listed = edit_main_config(ctx, default_main_config(ctx), [&](config::MainConfig& c) {
        std::vector<std::string> dirs = listed_directories(c);
        dirs.push_back(dir);
        std::string joined;
        for (const std::string& d : dirs) {
            joined += (joined.empty() ? "" : " ") + d;
        }
        c.set(param_directories, joined);
    });
    if (!listed) {
        return exit_failure;
    }
    if (!o.quiet) {
        std::printf("instance %s created in %s (disabled: `startctl instance enable -i %s' to enable it)\n",
                    o.new_name->c_str(), dir.c_str(), o.new_name->c_str());
    }
    return exit_ok;
}

int instance_destroy(const InstanceContext& ctx) {
    int status = exit_ok;
    auto in = named_instance(ctx, "destroy", status);
    if (!in) {
        return status;
    }
    if (in->is_default) {
        return ctx.fail_for(*in, "the default instance cannot be destroyed");
    }
    control::Endpoint ep = ctx.endpoint(*in);
    auto pid = ctx.daemon_pid(*in);
    if (!pid) {
        return ctx.fail_for(*in, pid.error().message());
    }
    if (pid->has_value()) {
        return ctx.fail_for(*in, "it is running (startd pid " + std::to_string(**pid) +
                                     "): refusing to destroy it; stop it first (`startctl instance stop -i " +
                                     in->name + "')");
    }
    if (auto jobs = ctx.sys.open(ep.jobs_dir.c_str(), O_RDONLY | O_DIRECTORY); jobs) {
        auto entries = ctx.sys.read_dir(jobs->get());
        if (!entries) {
            return ctx.fail_for(*in, "cannot read " + ep.jobs_dir + ": " + entries.error().message());
        }
        if (!entries->empty()) {
            std::string names;
            for (std::size_t i = 0; i < entries->size() && i < 5; ++i) {
                names += (i ? ", " : "") + (*entries)[i].name;
            }
            return ctx.fail_for(*in,
                                "its jobs dir " + ep.jobs_dir + " is not empty (" + names +
                                    (entries->size() > 5 ? ", …" : "") +
                                    "): refusing to destroy it; move its files away first (destroy never "
                                    "deletes job files)");
        }
    } else if (jobs.error().code() != ENOENT) {
        return ctx.fail_for(*in, "cannot read " + ep.jobs_dir + ": " + jobs.error().message());
    }
    bool unlisted = edit_main_config(ctx, default_main_config(ctx), [&](config::MainConfig& c) {
        std::string joined;
        for (const std::string& d : listed_directories(c)) {
            std::string dir = d;
            while (dir.size() > 1 && dir.back() == '/') {
                dir.pop_back();
            }
            if (dir != in->config_dir) {
                joined += (joined.empty() ? "" : " ") + d;
            }
        }
        c.set(param_directories, joined);
    });
    if (!unlisted) {
        return exit_failure;
    }
    // What is left is startd's own: its main config, the empty jobs dir, a stale socket.
    (void)ctx.sys.unlink(in->main_config_path().c_str());
    (void)ctx.sys.rmdir(ep.jobs_dir.c_str());
    (void)ctx.sys.unlink(ep.socket.c_str());
    (void)ctx.sys.rmdir(ep.runtime_dir.c_str());
    std::string note;
    if (auto gone = ctx.sys.rmdir(in->config_dir.c_str()); !gone && gone.error().code() != ENOENT) {
        note = "; " + in->config_dir + " is left: it holds other files";
    }
    ctx.say_for(*in, "destroyed (its logs stay in " + ep.log_dir + ")" + note);
    return exit_ok;
}

int instance_enable(const InstanceContext& ctx) {
    return set_enabled(ctx, true);
}

int instance_disable(const InstanceContext& ctx) {
    return set_enabled(ctx, false);
}

int instance_assign(const InstanceContext& ctx) {
    const Options& o = ctx.o;
    if (!o.new_name && !o.new_group) {
        return fail(o,
                    "usage: instance assign -i NAME [-I NEWNAME] [-G GROUP] (`-' removes the name or group)");
    }
    for (auto [what, value] : {std::pair{"-I", o.new_name}, std::pair{"-G", o.new_group}}) {
        if (value && *value != "-") {
            if (auto bad = bad_instance_word(what, *value)) {
                return fail(o, *bad);
            }
        }
    }
    int status = exit_ok;
    auto in = named_instance(ctx, "assign", status);
    if (!in) {
        return status;
    }
    auto all = all_instances(ctx, status);
    if (!all) {
        return status;
    }
    if (o.new_name && *o.new_name != "-" && *o.new_name != in->name && name_taken(*all, *o.new_name)) {
        return fail(o, "an instance is already named '" + *o.new_name + "'");
    }
    bool ok = edit_main_config(ctx, in->main_config_path(), [&](config::MainConfig& cfg) {
        for (auto [param, value] : {std::pair{param_name, o.new_name}, std::pair{param_group, o.new_group}}) {
            if (value && *value == "-") {
                cfg.erase(param);
            } else if (value) {
                cfg.set(param, *value);
            }
        }
    });
    if (!ok) {
        return exit_failure;
    }
    Instance now = describe_instance(ctx.sys, in->config_dir, in->is_default);
    ctx.say_for(now, "name '" + (now.name.empty() ? "-" : now.name) + "', group '" +
                         (now.group.empty() ? "-" : now.group) + "'");
    return exit_ok;
}

int instance_list(const InstanceContext& ctx) {
    int status = exit_ok;
    auto targets = instance_targets(ctx, status);
    if (!targets) {
        return status;
    }
    json rows = json::array();
    for (const Instance& in : targets->instances) {
        auto pid = ctx.daemon_pid(in);
        json row = {{"name", in.name},
                    {"group", in.group},
                    {"enabled", in.enabled},
                    {"running", pid && pid->has_value()},
                    {"config_dir", in.config_dir},
                    {"default", in.is_default}};
        if (pid && pid->has_value()) {
            row["pid"] = **pid;
        }
        if (in.error) {
            row["error"] = *in.error;
        }
        rows.push_back(std::move(row));
    }
    if (ctx.o.json) {
        print_json(json{{"instances", rows}});
        return exit_ok;
    }
    std::printf("%-16s %-16s %-8s %-8s %s\n", "NAME", "GROUP", "ENABLED", "RUNNING", "CONFIG DIR");
    for (const json& row : rows) {
        auto word = [&](const char* key) {
            std::string v = row[key].get<std::string>();
            return v.empty() ? std::string("-") : v;
        };
        std::printf("%-16s %-16s %-8s %-8s %s%s\n", word("name").c_str(), word("group").c_str(),
                    row["enabled"].get<bool>() ? "yes" : "no", row["running"].get<bool>() ? "yes" : "no",
                    row["config_dir"].get<std::string>().c_str(),
                    row.contains("error") ? ("  (" + row["error"].get<std::string>() + ")").c_str() : "");
    }
    return exit_ok;
}

} // namespace cli
