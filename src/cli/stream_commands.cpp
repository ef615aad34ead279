// Owns the startctl commands whose replies stream (protocol version 2): `log` (a job's log, -n,
// -f; --reopen) and `monitor` (events and job state changes, as text or --json lines).
#include "cli/client.h"
#include "cli/command_context.h"
#include "cli/exit_codes.h"
#include "cli/format_upstart.h"
#include "control/job_status_json.h"

#include <cstdio>
#include <ctime>

namespace cli {

namespace {

using nlohmann::json;

// Says on stderr what startd skipped because we did not read fast enough.
void report_skipped(const Options& o, const json& skipped) {
    std::fflush(stdout);
    std::fprintf(stderr, "%s: %llu lines (%llu bytes, %llu items) skipped: reader too slow\n", o.prog.c_str(),
                 skipped.value("lines", 0ULL), skipped.value("bytes", 0ULL), skipped.value("items", 0ULL));
}

// Runs a streaming request until its final reply (or startd goes away); returns the exit status.
int run_stream(Context& ctx, const std::string& command, json args,
               const std::function<void(const json&)>& on_item) {
    auto client = Client::connect(ctx.sys, ctx.socket);
    if (!client) {
        return fail(ctx.o, client.error().message());
    }
    auto reply = client->stream(command, std::move(args), [&](const json& item) {
        if (auto skipped = item.find("skipped"); skipped != item.end() && skipped->is_object()) {
            report_skipped(ctx.o, *skipped);
            return;
        }
        on_item(item);
    });
    if (!reply) {
        return fail(ctx.o, reply.error().message());
    }
    if (!reply->ok) {
        return fail(ctx.o, reply->error.message);
    }
    return exit_ok;
}

// "2026-12-08T00:12:03.123Z" for milliseconds since the epoch.
std::string time_text(std::int64_t ms) {
    std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
    return buf;
}

void print_monitor_item(const Options& o, const json& item) {
    if (o.json) {
        std::printf("%s\n", item.dump(-1, ' ', false, json::error_handler_t::replace).c_str());
        return;
    }
    std::string when = time_text(item.value("time_ms", std::int64_t{0}));
    if (item.value("type", std::string()) == "event") {
        std::string line = when + " event " + item.value("name", std::string());
        for (const json& kv : item.value("env", json::array())) {
            if (kv.is_string()) {
                line += ' ';
                line += kv.get<std::string>();
            }
        }
        std::printf("%s\n", line.c_str());
        return;
    }
    auto status = control::status_from_json(item);
    std::printf("%s job %s\n", when.c_str(), status ? status_line(*status).c_str() : item.dump().c_str());
}

} // namespace

int log_command(Context& ctx) {
    const Options& o = ctx.o;
    if (o.reopen) {
        if (!o.args.empty()) {
            return fail(o, "log --reopen reopens every job log: it takes no job");
        }
        int status = exit_ok;
        call(ctx, "log-reopen", json::object(), status);
        return status;
    }
    if (o.args.empty()) {
        return fail(o, "missing job name\nTry `" + o.prog + " --help' for more information.");
    }
    json args = {{"job", o.args[0]}, {"follow", o.follow}};
    std::vector<std::string> env(o.args.begin() + 1, o.args.end());
    for (const std::string& kv : env) {
        if (kv.find('=') == std::string::npos || kv.front() == '=') {
            return fail(o, "Env must be KEY=VALUE pairs");
        }
    }
    args["env"] = env;
    if (o.lines) {
        args["lines"] = *o.lines;
    } else if (o.follow) {
        args["lines"] = 10; // as tail -f
    }
    return run_stream(ctx, "log", std::move(args), [](const json& item) {
        if (auto data = item.find("data"); data != item.end() && data->is_string()) {
            const std::string& bytes = data->get_ref<const std::string&>();
            std::fwrite(bytes.data(), 1, bytes.size(), stdout);
            std::fflush(stdout);
        }
    });
}

int monitor_command(Context& ctx) {
    if (!ctx.o.args.empty()) {
        return fail(ctx.o, "monitor takes no arguments");
    }
    return run_stream(ctx, "monitor", json::object(), [&](const json& item) {
        print_monitor_item(ctx.o, item);
        std::fflush(stdout);
    });
}

} // namespace cli
