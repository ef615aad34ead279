// Owns startctl's argument parsing and help text.
#include "cli/options.h"

#include <cstdio>
#include <string_view>

namespace cli {

namespace {

// Names under which the binary dispatches straight to a command (installed as links).
bool is_command_alias(std::string_view name) {
    return name == "start" || name == "stop" || name == "restart" || name == "reload" || name == "status";
}

} // namespace

base::Result<Options> parse_options(int argc, const char* const* argv) {
    Options o;
    std::string_view argv0 = argc > 0 ? argv[0] : "startctl";
    o.prog = std::string(argv0.substr(argv0.rfind('/') + 1));
    if (is_command_alias(o.prog)) {
        o.command = o.prog;
    }
    bool only_args = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        auto value = [&](std::string_view name) -> base::Result<std::string> {
            if (i + 1 >= argc) {
                return base::Error("option " + std::string(name) + " needs a value");
            }
            return std::string(argv[++i]);
        };
        if (only_args || arg.empty() || arg.front() != '-' || arg == "-") {
            if (o.command.empty()) {
                o.command = std::string(arg);
            } else {
                o.args.emplace_back(arg);
            }
            continue;
        }
        if (arg == "--") {
            only_args = true;
        } else if (arg == "-c" || arg == "--config") {
            auto v = value(arg);
            if (!v) {
                return v.error();
            }
            o.config_dir = *v;
        } else if (arg.rfind("--config=", 0) == 0) {
            o.config_dir = std::string(arg.substr(9));
        } else if (arg == "--socket") {
            auto v = value(arg);
            if (!v) {
                return v.error();
            }
            o.socket = *v;
        } else if (arg.rfind("--socket=", 0) == 0) {
            o.socket = std::string(arg.substr(9));
        } else if (arg == "--user" || arg == "--session") {
            o.mode = control::Mode::User;
        } else if (arg == "--system") {
            o.mode = control::Mode::System;
        } else if (arg == "-n" || arg == "--no-wait") {
            o.no_wait = true;
        } else if (arg == "--json") {
            o.json = true;
        } else if (arg == "-q" || arg == "--quiet") {
            o.quiet = true;
        } else if (arg == "-g" || arg == "--global") {
            o.global = true;
        } else if (arg == "-r" || arg == "--retain") {
            o.retain = true;
        } else if (arg == "-e" || arg == "--enumerate") {
            o.enumerate = true;
        } else if (arg == "-h" || arg == "--help") {
            o.help = true;
        } else if (arg == "--version") {
            o.version = true;
        } else {
            return base::Error("invalid option: " + std::string(arg));
        }
    }
    return o;
}

void print_help(const Options& o) {
    std::printf("Usage: %s [OPTION]... COMMAND [ARG]...\n"
                "Control startd, the event-based service supervisor.\n"
                "\n"
                "Commands:\n"
                "  start JOB [KEY=VALUE]...    start a job; waits until it is running (or, for a task, done)\n"
                "  stop JOB [KEY=VALUE]...     stop a job; waits until it has stopped\n"
                "  restart JOB [KEY=VALUE]...  restart a running job\n"
                "  reload JOB [KEY=VALUE]...   send the job's reload signal (default HUP) to its main process\n"
                "  status JOB [KEY=VALUE]...   show a job's status\n"
                "  list                        show the status of every job\n"
                "  show-config [JOB]           show jobs' start on / stop on / emits\n"
                "  check-config                report job-file errors and events nothing emits\n"
                "  reload-configuration        re-read the jobs directory\n"
                "  version                     show startd's version\n"
                "  emit EVENT [KEY=VALUE]...   emit an event; waits until every job it affected is at rest\n"
                "  usage JOB                   show a job's usage text\n"
                "  list-env                    list the job environment table\n"
                "  get-env VAR                 show one variable of the table\n"
                "  set-env [-r] VAR[=VALUE]... set variables (-r: keep values already set)\n"
                "  unset-env VAR...            remove variables\n"
                "  reset-env                   back to startd's initial table\n"
                "  (inside a job the env commands act on that job's own table unless -g/--global)\n"
                "\n"
                "Options:\n"
                "  -c, --config DIR   act on the startd instance whose config dir is DIR (env STARTD_CONFIG)\n"
                "      --socket PATH  connect to this control socket\n"
                "      --user         talk to the user-mode instance (default when not root)\n"
                "      --system       talk to the system instance (default for root)\n"
                "  -n, --no-wait      return as soon as the goal is changed\n"
                "      --json         print results as JSON\n"
                "  -q, --quiet        print nothing on success\n"
                "  -g, --global       env commands: act on the global table even inside a job\n"
                "  -r, --retain       set-env: do not replace values already set\n"
                "  -h, --help         show this help\n",
                o.prog.c_str());
}

} // namespace cli
