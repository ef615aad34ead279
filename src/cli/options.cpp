// Owns startctl's argument parsing, help, usage and version text (the commands' lines of the
// help come from the command table, commands.h).
#include "cli/options.h"

#include "base/option_parser.h"
#include "build_config.h"
#include "cli/commands.h"

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <string_view>

namespace cli {

namespace {

enum Opt {
    Config,
    Socket,
    User,
    Session,
    System,
    NoWait,
    Json,
    Quiet,
    Global,
    Retain,
    Enumerate,
    Root,
    JobsDir,
    Now,
    Svg,
    Since,
    Help,
    Version
};

constexpr std::array<base::OptionSpec, 18> option_table = {{
    {Config, 'c', "config", true},
    {Socket, '\0', "socket", true},
    {User, '\0', "user", false},
    {Session, '\0', "session", false}, // Upstart's name for the per-user instance
    {System, '\0', "system", false},
    {NoWait, 'n', "no-wait", false},
    {Json, '\0', "json", false},
    {Quiet, 'q', "quiet", false},
    {Global, 'g', "global", false},
    {Retain, 'r', "retain", false},
    {Enumerate, 'e', "enumerate", false},
    {Root, '\0', "root", true},
    {JobsDir, '\0', "jobs-dir", true},
    {Now, '\0', "now", false},
    {Svg, '\0', "svg", false},
    {Since, '\0', "since", true},
    {Help, 'h', "help", false},
    {Version, '\0', "version", false},
}};

} // namespace

base::Result<Options> parse_options(int argc, const char* const* argv) {
    Options o;
    std::string_view argv0 = argc > 0 ? argv[0] : "startctl";
    o.prog = std::string(argv0.substr(argv0.rfind('/') + 1));
    // Installed as links under some commands' names: the binary is then that command.
    if (const Command* command = find_command(o.prog); command != nullptr && command->own_program) {
        o.command = o.prog;
    }
    auto line = base::parse_command_line(option_table, argc, argv);
    if (!line) {
        return std::move(line).error();
    }
    for (base::ParsedOption& opt : line->options) {
        switch (static_cast<Opt>(opt.id)) {
        case Config:
            o.config_dir = std::move(*opt.value);
            break;
        case Socket:
            o.socket = std::move(*opt.value);
            break;
        case User:
        case Session:
            o.mode = control::Mode::User;
            break;
        case System:
            o.mode = control::Mode::System;
            break;
        case NoWait:
            o.no_wait = true;
            break;
        case Json:
            o.json = true;
            break;
        case Quiet:
            o.quiet = true;
            break;
        case Global:
            o.global = true;
            break;
        case Retain:
            o.retain = true;
            break;
        case Enumerate:
            o.enumerate = true;
            break;
        case Root:
            o.root = std::move(*opt.value);
            break;
        case JobsDir:
            o.jobs_dir = std::move(*opt.value);
            break;
        case Now:
            o.now = true;
            break;
        case Svg:
            o.svg = true;
            break;
        case Since: {
            const std::string& text = *opt.value;
            char* end = nullptr;
            errno = 0;
            unsigned long long seconds = text.empty() || text[0] == '-' ? 0 : std::strtoull(text.c_str(), &end, 10);
            if (text.empty() || text[0] == '-' || end == nullptr || *end != '\0' || errno != 0) {
                return base::Error("--since takes a number of seconds, not \"" + text + "\"");
            }
            o.since = seconds;
            break;
        }
        case Help:
            o.help = true;
            break;
        case Version:
            o.version = true;
            break;
        }
    }
    for (std::string& word : line->operands) {
        if (o.command.empty()) {
            o.command = std::move(word);
        } else {
            o.args.push_back(std::move(word));
        }
    }
    return o;
}

void print_usage(const Options& o) {
    std::fprintf(stderr,
                 "Usage: %s [OPTION]... COMMAND [ARG]...\n"
                 "Try `%s --help' for the commands and options.\n",
                 o.prog.c_str(), o.prog.c_str());
}

void print_version(const Options& o) {
    std::printf("%s (upstart %s)\nstartd %s\n", o.prog.c_str(), STARTD_UPSTART_VERSION, STARTD_VERSION);
}

void print_help(const Options& o) {
    std::printf("Usage: %s [OPTION]... COMMAND [ARG]...\n"
                "Control startd, the event-based service supervisor.\n"
                "\n"
                "Commands:\n",
                o.prog.c_str());
    for (const Command& command : commands()) {
        std::printf("  %-28.*s%.*s\n", static_cast<int>(command.synopsis.size()), command.synopsis.data(),
                    static_cast<int>(command.summary.size()), command.summary.data());
    }
    std::printf(
        "  (inside a job the env commands act on that job's own table unless -g/--global)\n"
        "\n"
        "Options:\n"
        "  -c, --config DIR   act on the startd instance whose config dir is DIR (env STARTD_CONFIG)\n"
        "      --socket PATH  connect to this control socket\n"
        "      --user         talk to the user-mode instance (default when not root)\n"
        "      --system       talk to the system instance (default for root)\n"
        "      --session      the same as --user (Upstart's name)\n"
        "  -n, --no-wait      return as soon as the goal is changed\n"
        "      --json         print results as JSON\n"
        "  -q, --quiet        print nothing on success\n"
        "  -g, --global       env commands: act on the global table even inside a job\n"
        "  -r, --retain       set-env: do not replace values already set\n"
        "  -e, --enumerate    show-config: one event per line, as initctl's (initctl2dot reads it)\n"
        "      --root DIR     enable/disable/is-enabled: the system jobs dir under DIR "
        "(DIR" STARTD_SYSTEM_JOBS_DIR "),\n"
        "                     and never ask a startd (installers, chroots, images)\n"
        "      --jobs-dir DIR enable/disable/is-enabled: the jobs dir DIR\n"
        "      --now          enable/disable: also start/stop the job (needs the startd serving it)\n"
        "      --svg          graph: SVG through Graphviz's dot (else DOT text)\n"
        "      --since SECS   plot: the last SECS seconds (else the start-up)\n"
        "  -h, --help         show this help\n"
        "      --version      show the version (and the Upstart version startd implements)\n"
        "\n"
        "Long options may be abbreviated and written --opt=VALUE; short ones bundled (-nq).\n");
}

} // namespace cli
