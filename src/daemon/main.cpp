// Owns startd's entry point: arguments, mode detection (system, user, container), wiring.
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "base/option_parser.h"
#include "build_config.h"
#include "control/endpoint.h"
#include "daemon/check_command.h"
#include "daemon/log_priority.h"
#include "daemon/recovery.h"
#include "daemon/ready_signal.h"
#include "daemon/supervisor.h"
#include "loop/event_loop.h"
#include "sys/sys.h"

extern char** environ;

namespace {

constexpr int exit_usage = 2;
constexpr int exit_startup_failed = 1;

void print_usage(std::FILE* to) {
    std::fputs("Usage: startd [--user] [-c DIR] [--jobs-dir DIR] [--socket PATH] [--log-dir DIR] [--debug]\n"
               "              [--log-priority PRIORITY] [--log-stderr] [--state-dir DIR]\n"
               "              [--ready-timeout SECONDS] [--no-cgroups] [--ready-fd N]\n"
               "              [--log-max-size BYTES [--log-keep K]]\n"
               "       startd --check [--json] PATH...\n"
               "\n"
               "Supervise the jobs in a jobs directory (Upstart job files), controlled with startctl.\n"
               "\n"
               "  --user           run as a per-user supervisor (jobs in $XDG_CONFIG_HOME/startd/jobs,\n"
               "                   socket in $XDG_RUNTIME_DIR/startd); the default when not root\n"
               "  --system         run as the system supervisor (jobs in " STARTD_SYSTEM_JOBS_DIR
               ", socket in\n"
               "                   " STARTD_SYSTEM_RUNTIME_DIR ")\n"
               "  -c, --config DIR an instance of its own: jobs in DIR/jobs, its own socket and logs\n"
               "  --jobs-dir DIR   read jobs from DIR instead\n"
               "  --socket PATH    listen on PATH instead\n"
               "  --log-dir DIR    write console logs to DIR instead\n"
               "  --log-max-size BYTES  rotate a job's log once it would pass BYTES (suffix K, M or G:\n"
               "                   KiB, MiB, GiB), at a line boundary: FILE -> FILE.1 -> ... (no default)\n"
               "  --log-keep K     with --log-max-size: keep K rotated files (default 5; 0: none)\n"
               "  --state-dir DIR  keep the timer state file (last firings, for `timer missed\n"
               "                   catch-up`) in DIR (default " STARTD_SYSTEM_STATE_DIR ", user mode\n"
               "                   $XDG_STATE_HOME/startd; with --socket PATH: PATH.timers)\n"
               "  --debug          log every state change (--log-priority debug)\n"
               "  --log-priority PRIORITY  which of startd's own log lines are kept: debug, info\n"
               "                   (the default), message, warn, error, fatal (startctl log-priority\n"
               "                   changes it while startd runs)\n"
               "  --log-stderr     in system mode, log to standard error (with timestamps) rather than\n"
               "                   to syslog; user mode always does\n"
               "  --ready-timeout SECONDS  how long an expect fork/daemon/stop/notify main process may\n"
               "                   take to become ready before its start fails (default 90)\n"
               "  --no-cgroups     never give jobs cgroups; contain them by their process trees\n"
               "  --verify-state FILE  read a state journal as a re-exec would: what `startctl reexec`\n"
               "                   runs the new program with before it execs it; exit 1 if it cannot\n"
               "  --ready-fd N     once the jobs are loaded and the socket is served, write a newline\n"
               "                   to descriptor N and close it (s6, dinit); with $NOTIFY_SOCKET set,\n"
               "                   READY=1 is also sent there (systemd's Type=notify)\n"
               "  --check PATH...  parse job files (a jobs directory or single .conf files) without\n"
               "                   starting anything; one line per job; exit 1 if any has an error\n"
               "  --json           with --check: print the parsed jobs and errors as JSON\n"
               "  --version        print the version\n"
               "Long options may be abbreviated and written --opt=VALUE.\n",
               to);
}

enum Opt {
    Check,
    Json,
    Debug,
    LogPriorityOpt,
    LogStderr,
    NoCgroups,
    User,
    System,
    Config,
    JobsDir,
    Socket,
    LogDir,
    StateDir,
    ReadyTimeout,
    VerifyState,
    ReadyFd,
    LogMaxSize,
    LogKeep,
    Help,
    Version
};

// getopt_long's conventions (base/option_parser.h): --opt=VALUE, abbreviations, -cDIR.
constexpr std::array<base::OptionSpec, 20> option_table = {{
    {Check, '\0', "check", false},
    {Json, '\0', "json", false},
    {Debug, '\0', "debug", false},
    {LogPriorityOpt, '\0', "log-priority", true},
    {LogStderr, '\0', "log-stderr", false},
    {NoCgroups, '\0', "no-cgroups", false},
    {User, '\0', "user", false},
    {System, '\0', "system", false},
    {Config, 'c', "config", true},
    {JobsDir, '\0', "jobs-dir", true},
    {Socket, '\0', "socket", true},
    {LogDir, '\0', "log-dir", true},
    {StateDir, '\0', "state-dir", true},
    {ReadyTimeout, '\0', "ready-timeout", true},
    {VerifyState, '\0', "verify-state", true},
    {ReadyFd, '\0', "ready-fd", true},
    {LogMaxSize, '\0', "log-max-size", true},
    {LogKeep, '\0', "log-keep", true},
    {Help, 'h', "help", false},
    {Version, '\0', "version", false},
}};

std::optional<std::string> getenv_opt(std::string_view key) {
    const char* v = std::getenv(std::string(key).c_str());
    return v ? std::optional<std::string>(v) : std::nullopt;
}

// A count of bytes with an optional K, M or G (powers of 1024), or nullopt.
std::optional<std::uint64_t> parse_size(const std::string& text) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
        ++digits;
    }
    if (digits == 0 || digits > 12 || text.size() > digits + 1) {
        return std::nullopt;
    }
    std::uint64_t value = std::stoull(text.substr(0, digits));
    if (digits < text.size()) {
        switch (text[digits]) {
        case 'K':
        case 'k':
            value <<= 10;
            break;
        case 'M':
        case 'm':
            value <<= 20;
            break;
        case 'G':
        case 'g':
            value <<= 30;
            break;
        default:
            return std::nullopt;
        }
    }
    return value;
}

} // namespace

int main(int argc, char** argv) {
    bool check = false;
    bool json = false;
    std::optional<std::string> log_priority;
    bool log_stderr = false;
    bool cgroups = true;
    std::optional<control::Mode> mode;
    std::optional<std::string> config_dir;
    std::optional<std::string> jobs_dir;
    std::optional<std::string> socket;
    std::optional<std::string> log_dir;
    std::optional<std::string> state_dir;
    std::optional<std::string> ready_timeout;
    std::optional<std::string> verify_state;
    std::optional<std::string> ready_fd;
    std::optional<std::string> log_max_size;
    std::optional<std::string> log_keep;
    auto line = base::parse_command_line(option_table, argc, argv);
    if (!line) {
        std::fprintf(stderr, "startd: %s\nTry 'startd --help' for more information.\n",
                     line.error().message().c_str());
        return exit_usage;
    }
    for (base::ParsedOption& opt : line->options) {
        switch (static_cast<Opt>(opt.id)) {
        case Check:
            check = true;
            break;
        case Json:
            json = true;
            break;
        case Debug:
            log_priority = "debug";
            break;
        case LogPriorityOpt:
            log_priority = std::move(opt.value);
            break;
        case LogStderr:
            log_stderr = true;
            break;
        case NoCgroups:
            cgroups = false;
            break;
        case User:
            mode = control::Mode::User;
            break;
        case System:
            mode = control::Mode::System;
            break;
        case Config:
            config_dir = std::move(opt.value);
            break;
        case JobsDir:
            jobs_dir = std::move(opt.value);
            break;
        case Socket:
            socket = std::move(opt.value);
            break;
        case LogDir:
            log_dir = std::move(opt.value);
            break;
        case StateDir:
            state_dir = std::move(opt.value);
            break;
        case ReadyTimeout:
            ready_timeout = std::move(opt.value);
            break;
        case VerifyState:
            verify_state = std::move(opt.value);
            break;
        case ReadyFd:
            ready_fd = std::move(opt.value);
            break;
        case LogMaxSize:
            log_max_size = std::move(opt.value);
            break;
        case LogKeep:
            log_keep = std::move(opt.value);
            break;
        case Help:
            print_usage(stdout);
            return 0;
        case Version:
            std::printf("startd %s (upstart %s)\n", STARTD_VERSION, STARTD_UPSTART_VERSION);
            return 0;
        }
    }
    std::vector<std::string> paths = std::move(line->operands);
    sys::Sys& sys = sys::real_sys();
    if (verify_state) {
        return daemon_main::run_verify_state(sys, *verify_state, stdout, stderr);
    }
    if (check) {
        if (paths.empty()) {
            std::fprintf(stderr, "startd: --check needs at least one jobs directory or job file\n");
            return exit_usage;
        }
        return daemon_main::run_check(sys, paths, json ? daemon_main::CheckFormat::Json : daemon_main::CheckFormat::Text,
                                      stdout, stderr);
    }
    if (!paths.empty()) {
        std::fprintf(stderr, "startd: unexpected argument '%s' (did you mean --check or --jobs-dir?)\n",
                     paths.front().c_str());
        return exit_usage;
    }

    bool container = sys.getpid() == 1;
    uid_t uid = sys.geteuid();
    control::Mode m = mode.value_or(uid == 0 ? control::Mode::System : control::Mode::User);
    daemon_main::Settings settings;
    settings.endpoint = control::resolve_endpoint(m, config_dir, uid, getenv_opt);
    if (jobs_dir) {
        settings.endpoint.jobs_dir = *jobs_dir;
    }
    if (socket) {
        settings.endpoint.socket = *socket; // the caller's choice of place: startctl checks who serves it
        settings.endpoint.journal = *socket + ".journal";
    } else if (auto safe =
                   control::secure_runtime_dir(sys, settings.endpoint, uid, control::RuntimeDirUse::Listen);
               !safe) {
        std::fprintf(stderr, "startd: %s\n", safe.error().message().c_str());
        return exit_startup_failed;
    }
    if (log_dir) {
        settings.endpoint.log_dir = *log_dir;
    }
    if (state_dir) {
        settings.endpoint.state_dir = *state_dir;
        settings.timer_state_file = *state_dir + "/timers";
    } else if (socket) {
        // An instance placed by hand keeps it beside its socket.
        settings.timer_state_file = *socket + ".timers";
    } else {
        settings.timer_state_file = settings.endpoint.state_dir + "/timers";
    }
    if (ready_timeout) {
        // Seconds, fractions allowed (tests use short values); at most a day.
        char* end = nullptr;
        double secs = std::strtod(ready_timeout->c_str(), &end);
        if (ready_timeout->empty() || end == nullptr || *end != '\0' || !(secs > 0) || secs > 86400) {
            std::fprintf(stderr, "startd: --ready-timeout: expected a number of seconds (0 < N <= 86400), got '%s'\n",
                         ready_timeout->c_str());
            return exit_usage;
        }
        settings.ready_timeout =
            std::chrono::duration_cast<sys::Duration>(std::chrono::duration<double>(secs));
    }
    if (log_keep && !log_max_size) {
        std::fprintf(stderr, "startd: --log-keep needs --log-max-size\n");
        return exit_usage;
    }
    if (log_max_size) {
        auto size = parse_size(*log_max_size);
        auto keep = log_keep ? parse_size(*log_keep) : std::optional<std::uint64_t>(5);
        if (!size || *size < 1024) {
            std::fprintf(stderr,
                         "startd: --log-max-size: expected a size of at least 1024 bytes (e.g. 10M), got '%s'\n",
                         log_max_size->c_str());
            return exit_usage;
        }
        if (!keep || *keep > 1000 || (log_keep && log_keep->find_first_not_of("0123456789") != std::string::npos)) {
            std::fprintf(stderr, "startd: --log-keep: expected a number of files from 0 to 1000, got '%s'\n",
                         log_keep->c_str());
            return exit_usage;
        }
        settings.log_rotation = joblog::Rotation{*size, static_cast<unsigned>(*keep)};
    }
    // Whoever started startd hears once it is ready (after Supervisor::start()); the
    // descriptor is checked now, so a wrong number is a usage error before anything starts.
    daemon_main::ReadyTargets ready;
    ready.notify_socket = getenv_opt("NOTIFY_SOCKET");
    if (ready_fd) {
        auto fd = daemon_main::ready_fd_from_argument(sys, *ready_fd);
        if (!fd) {
            std::fprintf(stderr, "startd: %s\n", fd.error().message().c_str());
            return exit_usage;
        }
        ready.ready_fd = std::move(fd).value();
    }
    settings.container = container;
    // What a re-exec runs: this program, from the file it was started from, with these
    // arguments, less --ready-fd: readiness is told once, and its descriptor is gone by then.
    if (auto program = sys.executable_path(); program) {
        settings.program = std::move(program).value();
        for (int i = 0; i < argc; ++i) {
            std::string_view arg = argv[i];
            if (arg.size() >= 9 && std::string_view("--ready-fd").starts_with(arg.substr(0, arg.find('=')))) {
                i += arg.find('=') == std::string_view::npos ? 1 : 0; // its value too
                continue;
            }
            settings.argv.emplace_back(arg);
        }
    }
    if (log_priority) {
        auto priority = daemon_main::parse_log_priority(*log_priority);
        if (!priority) {
            std::fprintf(stderr, "startd: --log-priority: expected one of %s, got '%s'\n",
                         std::string(daemon_main::log_priority_names).c_str(), log_priority->c_str());
            return exit_usage;
        }
        settings.log.priority = *priority;
    }
    // System mode logs to syslog, as system daemons do, and a startd that is PID 1 of a whole
    // machine puts what syslog does not take (before syslog runs) in the kernel's log; user mode,
    // and --log-stderr, write timestamped lines to standard error.
    settings.log.syslog = m == control::Mode::System && !log_stderr;
    settings.log.kmsg = settings.log.syslog && container;
    settings.cgroups = cgroups;
    if (m == control::Mode::User) {
        // A user's jobs run in the user's environment, as Upstart's session init did.
        // Not NOTIFY_SOCKET: that is startd's own supervisor's, never a job's.
        for (char** e = environ; *e != nullptr; ++e) {
            if (std::strchr(*e, '=') != nullptr && std::strncmp(*e, "NOTIFY_SOCKET=", 14) != 0) {
                settings.job_env.emplace_back(*e);
            }
        }
    } else {
        settings.job_env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                            "TERM=" + getenv_opt("TERM").value_or("linux")};
    }

    auto loop = loop::EventLoop::create(sys);
    if (!loop) {
        std::fprintf(stderr, "startd: cannot create the event loop: %s\n", loop.error().message().c_str());
        return exit_startup_failed;
    }
    daemon_main::Supervisor supervisor(sys, **loop, std::move(settings));
    if (auto started = supervisor.start(); !started) {
        std::fprintf(stderr, "startd: %s\n", started.error().message().c_str());
        return exit_startup_failed;
    }
    for (const std::string& failure : daemon_main::signal_ready(sys, std::move(ready))) {
        supervisor.log(core::LogLevel::Warning, failure);
    }
    if (auto ran = (*loop)->run(); !ran) {
        std::fprintf(stderr, "startd: event loop failed: %s\n", ran.error().message().c_str());
        return exit_startup_failed;
    }
    return 0;
}
