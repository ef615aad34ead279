// Owns startctl's argument parsing, help, usage and version text (the commands' lines of the
// help come from the command table, commands.h).
#include "cli/options.h"

#include "base/option_parser.h"
#include "build_config.h"
#include "cli/commands.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <span>
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
    Lines,
    Follow,
    Reopen,
    Svg,
    Since,
    Help,
    Version,
    InstanceName,
    Group,
    NewName,
    NewGroup
};

constexpr std::array<base::OptionSpec, 22> option_table = {{
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
    {Lines, '\0', "lines", true},
    {Follow, 'f', "follow", false},
    {Reopen, '\0', "reopen", false},
    {Svg, '\0', "svg", false},
    {Since, '\0', "since", true},
    {Help, 'h', "help", false},
    {Version, '\0', "version", false},
    {InstanceName, 'i', "instance", true},
}};

// After the word `instance`, -g is a group (postmulti's -g), not --global.
constexpr std::array<base::OptionSpec, 12> instance_option_table = {{
    {Config, 'c', "config", true},
    {User, '\0', "user", false},
    {Session, '\0', "session", false},
    {System, '\0', "system", false},
    {Json, '\0', "json", false},
    {Quiet, 'q', "quiet", false},
    {Help, 'h', "help", false},
    {InstanceName, 'i', "instance", true},
    {Group, 'g', "group", true},
    {NewName, 'I', "new-name", true},
    {NewGroup, 'G', "new-group", true},
    {NoWait, 'n', "no-wait", false},
}};

// Where the first operand (the command) is in argv under `table`'s options, or argc.
int first_operand(std::span<const base::OptionSpec> table, int argc, const char* const* argv) {
    auto takes_value_long = [&](std::string_view name) {
        const base::OptionSpec* found = nullptr;
        for (const base::OptionSpec& spec : table) {
            if (spec.long_name == name) {
                return spec.takes_value;
            }
            if (!spec.long_name.empty() && spec.long_name.starts_with(name)) {
                found = found == nullptr ? &spec : found;
            }
        }
        return found != nullptr && found->takes_value;
    };
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--") {
            return i + 1 < argc ? i + 1 : argc;
        }
        if (arg.starts_with("--")) {
            if (arg.find('=') == std::string_view::npos && takes_value_long(arg.substr(2))) {
                ++i;
            }
        } else if (arg.size() > 1 && arg.front() == '-') {
            for (std::size_t k = 1; k < arg.size(); ++k) {
                auto spec = std::find_if(table.begin(), table.end(),
                                         [&](const base::OptionSpec& s) { return s.short_name == arg[k]; });
                if (spec != table.end() && spec->takes_value) {
                    i += k + 1 == arg.size() ? 1 : 0; // -cDIR or -c DIR
                    break;
                }
            }
        } else {
            return i;
        }
    }
    return argc;
}

// `log` reads -n as tail does (the number of lines), not as --no-wait.
constexpr std::array<base::OptionSpec, 22> log_option_table = [] {
    auto table = option_table;
    for (base::OptionSpec& spec : table) {
        if (spec.id == NoWait) {
            spec = {NoWait, '\0', "no-wait", false};
        } else if (spec.id == Lines) {
            spec = {Lines, 'n', "lines", true};
        }
    }
    return table;
}();

} // namespace

base::Result<Options> parse_options(int argc, const char* const* argv) {
    Options o;
    std::string_view argv0 = argc > 0 ? argv[0] : "startctl";
    o.prog = std::string(argv0.substr(argv0.rfind('/') + 1));
    // Installed as links under some commands' names: the binary is then that command.
    if (const Command* command = find_command(o.prog); command != nullptr && command->own_program) {
        o.command = o.prog;
    }
    // `startctl [OPTION]... instance SUBCOMMAND [OPTION]...`: the words after `instance` are
    // parsed with its own table, as a command line of their own.
    int split = first_operand(option_table, argc, argv);
    bool instance = split < argc && std::string_view(argv[split]) == "instance" && o.command.empty();
    auto line = base::parse_command_line(option_table, instance ? split : argc, argv);
    if (o.command.empty() && !instance) {
        // `log` is known by its first operand, which depends on whether -n takes a value.
        if (auto as_log = base::parse_command_line(log_option_table, argc, argv);
            as_log && !as_log->operands.empty() && as_log->operands.front() == "log") {
            line = std::move(as_log);
        }
    }
    if (!line) {
        return std::move(line).error();
    }
    if (instance) {
        auto rest = base::parse_command_line(instance_option_table, argc - split, argv + split);
        if (!rest) {
            return std::move(rest).error();
        }
        line->options.insert(line->options.end(), rest->options.begin(), rest->options.end());
        line->operands.push_back("instance");
        line->operands.insert(line->operands.end(), rest->operands.begin(), rest->operands.end());
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
        case Lines: {
            const std::string& n = *opt.value;
            if (n.empty() || n.size() > 9 || n.find_first_not_of("0123456789") != std::string::npos) {
                return base::Error("option " + opt.spelling + " needs a number of lines, not '" + n + "'");
            }
            o.lines = std::stoul(n);
            break;
        }
        case Follow:
            o.follow = true;
            break;
        case Reopen:
            o.reopen = true;
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
        case InstanceName:
            o.instance_name = std::move(*opt.value);
            break;
        case Group:
            o.group = std::move(*opt.value);
            break;
        case NewName:
            o.new_name = std::move(*opt.value);
            break;
        case NewGroup:
            o.new_group = std::move(*opt.value);
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
        "Instances (startd.conf(5); after `instance', -g GROUP selects a group):\n"
        "  instance start|stop|status|reload|check   the default instance, then each listed one\n"
        "  instance list [--json]      name, group, enabled, running, config dir of each\n"
        "  instance init               turn multi-instance support on in the default instance\n"
        "  instance create -I NAME [-G GROUP] [DIR]   a new, disabled instance\n"
        "  instance destroy -i NAME    remove a stopped instance with no job files\n"
        "  instance enable|disable -i NAME|-g GROUP|-c DIR\n"
        "  instance assign -i NAME [-I NEWNAME] [-G GROUP]   rename or regroup (`-' removes)\n"
        "\n"
        "Options:\n"
        "  -c, --config DIR   act on the startd instance whose config dir is DIR (env STARTD_CONFIG)\n"
        "  -i, --instance NAME  act on the instance named NAME (multi_instance_name)\n"
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
        "  -n, --lines N      log: the last N lines (default: all; with -f, 10)\n"
        "  -f, --follow       log: then what the job writes, across restarts and rotations\n"
        "      --reopen       log: have startd reopen every job log (after rotating them)\n"
        "      --svg          graph: SVG through Graphviz's dot (else DOT text)\n"
        "      --since SECS   plot: the last SECS seconds (else the start-up)\n"
        "  -h, --help         show this help\n"
        "      --version      show the version (and the Upstart version startd implements)\n"
        "\n"
        "Long options may be abbreviated and written --opt=VALUE; short ones bundled (-nq).\n");
}

} // namespace cli
