// Owns the signal name table (Upstart/libnih spellings, without the SIG prefix).
#include "core/signal_names.h"

#include <array>
#include <csignal>

namespace core {

namespace {

struct SignalName {
    std::string_view name;
    int number;
};

// Aliases (IOT, CLD, POLL) come after the primary name so number → name finds the primary.
constexpr std::array<SignalName, 34> signal_table = {{
    {"HUP", SIGHUP},       {"INT", SIGINT},       {"QUIT", SIGQUIT},     {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},     {"IOT", SIGIOT},       {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL},     {"USR1", SIGUSR1},     {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},     {"ALRM", SIGALRM},     {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},     {"CLD", SIGCHLD},      {"CONT", SIGCONT},
    {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},     {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},
    {"URG", SIGURG},       {"XCPU", SIGXCPU},     {"XFSZ", SIGXFSZ},     {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},     {"WINCH", SIGWINCH},   {"IO", SIGIO},         {"POLL", SIGPOLL},
    {"PWR", SIGPWR},       {"SYS", SIGSYS},
}};

} // namespace

std::optional<int> signal_from_name(std::string_view name) {
    if (name.substr(0, 3) == "SIG") {
        name.remove_prefix(3);
    }
    for (const SignalName& entry : signal_table) {
        if (entry.name == name) {
            return entry.number;
        }
    }
    return std::nullopt;
}

std::string signal_name(int signum) {
    for (const SignalName& entry : signal_table) {
        if (entry.number == signum) {
            return std::string(entry.name);
        }
    }
    return std::to_string(signum);
}

} // namespace core
