// Owns the startctl commands that explain: `show` (a job's detailed status), `why` (why it is
// or is not running), `graph` (jobs and events as a DOT or SVG graph) and `plot` (an SVG
// timeline of the start-up or of a window).
// Not here: the texts and pictures themselves (show_text, why_text, graph_dot, plot_svg).
#include "cli/command_context.h"
#include "cli/exit_codes.h"
#include "cli/graph_dot.h"
#include "cli/plot_svg.h"
#include "cli/show_text.h"
#include "cli/when_text.h"
#include "cli/why_text.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace cli {

namespace {

using nlohmann::json;

// JOB [KEY=VALUE]… as the status request takes them.
std::optional<json> job_args(Context& ctx, int& status) {
    const Options& o = ctx.o;
    if (o.args.empty() || o.args[0].find('=') != std::string::npos) {
        status = fail(o, "missing job name\nTry `" + o.prog + " --help' for more information.");
        return std::nullopt;
    }
    std::vector<std::string> env;
    for (std::size_t i = 1; i < o.args.size(); ++i) {
        if (o.args[i].find('=') == std::string::npos || o.args[i].front() == '=') {
            status = fail(o, "Env must be KEY=VALUE pairs");
            return std::nullopt;
        }
        env.push_back(o.args[i]);
    }
    return json{{"job", o.args[0]}, {"env", env}};
}

// Where `dot` is on PATH, or "".
std::string find_dot(Context& ctx) {
    std::string path = ctx.env("PATH").value_or("/usr/local/bin:/usr/bin:/bin");
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find(':', start);
        std::string dir = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
        std::string candidate = (dir.empty() ? "." : dir) + "/dot";
        if (access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
        if (end == std::string::npos) {
            break;
        }
        start = end + 1;
    }
    return {};
}

// Runs `dot -Tsvg` on `graph`, its output going to our stdout. Returns its exit status.
int render_svg(Context& ctx, const std::string& graph) {
    std::string dot = find_dot(ctx);
    if (dot.empty()) {
        return fail(ctx.o, "graph --svg needs Graphviz's dot on PATH (install graphviz), or leave out --svg "
                           "for the DOT text");
    }
    std::fflush(stdout);
    auto pipe = ctx.sys.pipe2(O_CLOEXEC);
    if (!pipe) {
        return fail(ctx.o, "pipe failed: " + pipe.error().message());
    }
    sys::SpawnPlan plan;
    plan.file = dot;
    plan.argv = {"dot", "-Tsvg"};
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        plan.envp.emplace_back(*e);
    }
    plan.fds = {{pipe->first.get(), STDIN_FILENO}, {STDOUT_FILENO, STDOUT_FILENO}, {STDERR_FILENO, STDERR_FILENO}};
    auto child = ctx.sys.spawn(plan);
    pipe->first.reset();
    if (!child) {
        return fail(ctx.o, "cannot run " + dot + ": " + child.error().message());
    }
    std::string_view rest = graph;
    while (!rest.empty()) {
        auto n = ctx.sys.write(pipe->second.get(), rest.data(), rest.size());
        if (!n || *n == 0) {
            break; // dot ended early: its status says why
        }
        rest.remove_prefix(*n);
    }
    pipe->second.reset();
    auto done = ctx.sys.waitid(P_PID, static_cast<id_t>(child->pid), WEXITED);
    if (!done || !done->exited() || done->status != 0) {
        return fail(ctx.o, dot + " -Tsvg failed" +
                               (done && done->exited() ? " with status " + std::to_string(done->status) : ""));
    }
    return exit_ok;
}

} // namespace

int show_command(Context& ctx) {
    int status = exit_ok;
    auto args = job_args(ctx, status);
    if (!args) {
        return status;
    }
    auto result = fetch(ctx, "status", std::move(*args), status);
    if (!result) {
        return status;
    }
    std::int64_t now = wall_now_ms();
    for (const json& s : result->value("statuses", json::array())) {
        std::fputs(show_text(s, now).c_str(), stdout);
    }
    return exit_ok;
}

int why_command(Context& ctx) {
    int status = exit_ok;
    auto args = job_args(ctx, status);
    if (!args) {
        return status;
    }
    auto result = fetch(ctx, "why", std::move(*args), status);
    if (!result) {
        return status;
    }
    std::fputs(why_text(*result, wall_now_ms()).c_str(), stdout);
    return exit_ok;
}

int graph_command(Context& ctx) {
    if (!ctx.o.args.empty()) {
        return fail(ctx.o, "graph takes no arguments");
    }
    int status = exit_ok;
    auto result = call(ctx, "show-config", json::object(), status);
    if (!result) {
        return status;
    }
    std::string graph = graph_dot(result->value("jobs", json::array()));
    if (ctx.o.svg) {
        return render_svg(ctx, graph);
    }
    std::fputs(graph.c_str(), stdout);
    return exit_ok;
}

int plot_command(Context& ctx) {
    if (!ctx.o.args.empty()) {
        return fail(ctx.o, "plot takes no arguments (--since SECONDS chooses a window)");
    }
    json args = json::object();
    if (ctx.o.since) {
        args["since_s"] = *ctx.o.since;
    }
    int status = exit_ok;
    auto result = fetch(ctx, "timeline", std::move(args), status);
    if (!result) {
        return status;
    }
    auto svg = plot_svg(*result, ctx.o.since ? PlotWindow::Since : PlotWindow::StartUp);
    if (!svg) {
        return fail(ctx.o, svg.error().message());
    }
    std::fputs(svg->c_str(), stdout);
    return exit_ok;
}

} // namespace cli
