// Owns startctl enable, disable and is-enabled: they read and edit the job's files themselves
// (so they work with no startd running: installers, chroots, image builds), then tell the startd
// that serves those files, if one does, to reload, and with --now start or stop the job.
#include "cli/command_context.h"
#include "cli/exit_codes.h"
#include "cli/format_upstart.h"
#include "cli/job_files.h"
#include "cli/serving_startd.h"
#include "config/enablement.h"
#include "config/override_edit.h"
#include "control/job_status_json.h"
#include "sys/replace_file.h"

#include <cstdio>

namespace cli {

namespace {

using config::Enablement;
using nlohmann::json;

// A job's files, read, and what they make of it.
struct Target {
    JobFiles files;
    std::optional<std::string> override_text;
    config::EnablementReport report;
};

std::optional<Target> load_target(Context& ctx, int unknown_status, int& status) {
    const Options& o = ctx.o;
    if (o.args.size() != 1) {
        status =
            fail(o, o.command + " takes one job name\nTry `" + o.prog + " --help' for more information.");
        return std::nullopt;
    }
    std::string jobs_dir = jobs_dir_for(o, ctx.instance_jobs_dir);
    if (o.socket && !o.root && !o.jobs_dir) {
        // --socket names a startd, not a directory: the one it serves is meant.
        auto served = jobs_dir_served_at(ctx);
        if (!served) {
            status = fail(o, served.error().message());
            return std::nullopt;
        }
        jobs_dir = std::move(served).value();
    }
    auto files = find_job_files(ctx.sys, jobs_dir, o.args[0]);
    if (!files) {
        fail(o, files.error().message());
        status = files.error().code() == ENOENT ? unknown_status : exit_failure;
        return std::nullopt;
    }
    auto conf = read_conf(ctx.sys, *files);
    auto override_text = read_override(ctx.sys, *files);
    if (!conf || !override_text) {
        status = fail(o, !conf ? conf.error().message() : override_text.error().message());
        return std::nullopt;
    }
    auto report = config::enablement(*conf, files->conf, *override_text, files->override_path);
    if (!report) {
        status = fail(o, files->name + ".conf has errors, so startd does not load the job: " +
                             report.error().message());
        return std::nullopt;
    }
    return Target{std::move(files).value(), std::move(override_text).value(), std::move(report).value()};
}

void print_status_line(const Context& ctx, const json& value) {
    if (ctx.o.quiet || ctx.o.json) {
        return;
    }
    if (auto status = control::status_from_json(value)) {
        std::printf("%s\n", status_line(*status).c_str());
    }
}

// Makes startd load the change now. A job file of this job with errors is a failure; other
// files' errors are not this command's business.
bool reload(Context& ctx, Client& client, const JobFiles& files, int& status) {
    auto reply = client.call("reload-configuration", json::object());
    if (!reply || !reply->ok) {
        status = fail(ctx.o, "the change is written, but startd did not reload: " +
                                 (!reply ? reply.error().message() : reply->error.message) +
                                 " (it reloads by itself when it notices the change)");
        return false;
    }
    for (const json& e : reply->result.value("errors", json::array())) {
        std::string file = e.value("file", std::string());
        if (file == files.conf || file == files.override_path) {
            status = fail(ctx.o, "startd reloaded, but: " + e.value("text", file));
            return false;
        }
    }
    return true;
}

// disable --now: stops every instance of the job whose goal is start, waiting as `stop` does.
bool stop_all(Context& ctx, Client& client, const std::string& name, json& statuses, int& status) {
    auto listed = client.call("list", json::object());
    if (!listed || !listed->ok) {
        status = fail(ctx.o, !listed ? listed.error().message() : listed->error.message);
        return false;
    }
    for (const json& job : listed->result.value("jobs", json::array())) {
        if (job.value("job", std::string()) != name) {
            continue;
        }
        for (const json& s : job.value("statuses", json::array())) {
            if (s.value("goal", std::string()) != "start") {
                continue;
            }
            json args = {{"job", name},
                         {"instance", s.value("instance", std::string())},
                         {"env", json::array()},
                         {"wait", !ctx.o.no_wait}};
            auto stopped = client.call("stop", std::move(args));
            if (!stopped) {
                status = fail(ctx.o, stopped.error().message());
                return false;
            }
            if (!stopped->ok && stopped->error.code != control::errc::already_stopped) {
                status = fail(ctx.o, stopped->error.message);
                return false;
            }
            if (stopped->ok) {
                print_status_line(ctx, stopped->result.value("status", json::object()));
                statuses.push_back(stopped->result.value("status", json::object()));
            }
        }
    }
    return true;
}

// enable --now: starts the job as `start JOB` does; one already running is fine.
bool start_job(Context& ctx, Client& client, const std::string& name, json& statuses, int& status) {
    json args = {{"job", name}, {"env", json::array()}, {"wait", !ctx.o.no_wait}};
    auto started = client.call("start", std::move(args));
    if (!started) {
        status = fail(ctx.o, started.error().message());
        return false;
    }
    if (!started->ok) {
        if (started->error.code == control::errc::already_running) {
            return true;
        }
        status = fail(ctx.o, started->error.message);
        return false;
    }
    print_status_line(ctx, started->result.value("status", json::object()));
    statuses.push_back(started->result.value("status", json::object()));
    return true;
}

// What enable or disable does to the override: nothing, new text, or remove it.
struct Edit {
    enum class Kind : unsigned char { None, Write, Remove } kind = Kind::None;
    std::string text;
    std::string said; // for people: what was done, or why nothing was
};

std::optional<Edit> plan_disable(const Context& ctx, const Target& t, int& status) {
    const std::string& name = t.files.name;
    switch (t.report.state) {
    case Enablement::Disabled:
        return Edit{
            Edit::Kind::None, {}, name + " is already disabled (manual in " + t.files.override_path + ")"};
    case Enablement::Static:
        return Edit{
            Edit::Kind::None,
            {},
            name + " is static: " + t.files.conf +
                " says `manual' or has no `start on', so it never starts on events; nothing to disable"};
    case Enablement::Enabled:
        break;
    }
    auto text = config::add_manual(t.override_text.value_or(""), t.files.override_path);
    if (!text) {
        status = fail(ctx.o, "cannot disable " + name + ": " + text.error().message());
        return std::nullopt;
    }
    return Edit{Edit::Kind::Write, std::move(text).value(),
                name + " disabled (manual in " + t.files.override_path + ")"};
}

std::optional<Edit> plan_enable(const Context& ctx, const Target& t, int& status) {
    const std::string& name = t.files.name;
    switch (t.report.state) {
    case Enablement::Enabled:
        return Edit{Edit::Kind::None, {}, name + " is already enabled"};
    case Enablement::Static:
        status = fail(ctx.o,
                      "cannot enable " + name + ": " + t.files.conf +
                          " says `manual' or has no `start on', so the job starts only by `startctl start'; "
                          "no `manual' in " +
                          name +
                          ".override keeps it from events (to start it on events, "
                          "add a `start on' stanza to " +
                          t.files.override_path + ")");
        return std::nullopt;
    case Enablement::Disabled:
        break;
    }
    auto text = config::remove_manual(t.override_text.value_or(""), t.files.override_path);
    if (!text) {
        status = fail(ctx.o, "cannot enable " + name + ": " + text.error().message());
        return std::nullopt;
    }
    if (config::is_blank(*text)) {
        return Edit{Edit::Kind::Remove,
                    {},
                    name + " enabled (removed " + t.files.override_path + ", which held only `manual')"};
    }
    return Edit{Edit::Kind::Write, std::move(text).value(),
                name + " enabled (manual removed from " + t.files.override_path + ")"};
}

int change(Context& ctx, bool enable) {
    const Options& o = ctx.o;
    if (o.now && o.root) {
        return fail(o, "--now needs a running startd, and --root never asks one");
    }
    int status = exit_ok;
    auto target = load_target(ctx, exit_failure, status);
    if (!target) {
        return status;
    }
    if (target->report.override_error) {
        return fail(o, "cannot " + o.command + " " + target->files.name + ": " +
                           *target->report.override_error +
                           " (startd ignores an override it cannot parse; fix it first)");
    }
    auto edit = enable ? plan_enable(ctx, *target, status) : plan_disable(ctx, *target, status);
    if (!edit) {
        return status;
    }
    // Who to tell, found before anything is written: a refusal then changes nothing.
    ServingStartd serving;
    if (!o.root) {
        auto found = find_serving_startd(ctx, target->files.jobs_dir);
        if (!found) {
            return fail(o, "cannot tell whether a startd serves " + target->files.jobs_dir + ": " +
                               found.error().message() + "; nothing changed");
        }
        serving = std::move(found).value();
    }
    if (o.now && !serving.client) {
        return fail(o, "--now needs the startd that serves " + target->files.jobs_dir + ": " +
                           (serving.note.empty() ? "none runs at " + ctx.socket : serving.note) +
                           "; nothing changed");
    }
    if (edit->kind != Edit::Kind::None) {
        auto done = edit->kind == Edit::Kind::Write
                        ? sys::replace_file(ctx.sys, target->files.override_path, edit->text, 0644)
                        : sys::remove_file(ctx.sys, target->files.override_path);
        if (!done) {
            return fail(o, done.error().message());
        }
    }
    if (!o.quiet && !o.json) {
        std::printf("%s\n", edit->said.c_str());
    }
    bool reloaded = false;
    json statuses = json::array();
    if (serving.client) {
        if (edit->kind != Edit::Kind::None) {
            if (!reload(ctx, *serving.client, target->files, status)) {
                return status;
            }
            reloaded = true;
        }
        if (o.now && !(enable ? start_job(ctx, *serving.client, target->files.name, statuses, status)
                              : stop_all(ctx, *serving.client, target->files.name, statuses, status))) {
            return status;
        }
    } else if (!serving.note.empty() && edit->kind != Edit::Kind::None) {
        std::fprintf(stderr, "%s: note: %s\n", o.prog.c_str(), serving.note.c_str());
    }
    if (o.json) {
        bool changed = edit->kind != Edit::Kind::None;
        print_json({{"job", target->files.name},
                    {"state", changed ? std::string(enable ? "enabled" : "disabled")
                                      : std::string(config::to_string(target->report.state))},
                    {"override", target->files.override_path},
                    {"changed", changed},
                    {"override_removed", edit->kind == Edit::Kind::Remove},
                    {"reloaded", reloaded},
                    {"statuses", statuses}});
    }
    return exit_ok;
}

} // namespace

int enable_command(Context& ctx) {
    return change(ctx, true);
}

int disable_command(Context& ctx) {
    return change(ctx, false);
}

// One word on stdout and systemctl is-enabled's exit statuses: enabled 0, static 0 (nothing
// to enable: the job starts only when asked), disabled 1, no such job 4.
int is_enabled_command(Context& ctx) {
    int status = exit_ok;
    auto target = load_target(ctx, exit_unknown_job, status);
    if (!target) {
        return status;
    }
    if (target->report.override_error) {
        std::fprintf(stderr, "%s: warning: startd ignores %s, which has an error: %s\n", ctx.o.prog.c_str(),
                     target->files.override_path.c_str(), target->report.override_error->c_str());
    }
    std::string_view word = config::to_string(target->report.state);
    if (ctx.o.json) {
        print_json({{"job", target->files.name},
                    {"state", word},
                    {"conf", target->files.conf},
                    {"override", target->override_text ? json(target->files.override_path) : json(nullptr)}});
    } else if (!ctx.o.quiet) {
        std::printf("%.*s\n", static_cast<int>(word.size()), word.data());
    }
    return target->report.state == Enablement::Disabled ? exit_failure : exit_ok;
}

} // namespace cli
