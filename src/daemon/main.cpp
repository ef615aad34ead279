// Owns startd's entry point: argument parsing and dispatch to the chosen mode.
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/check_command.h"
#include "sys/sys.h"

namespace {

constexpr int exit_usage = 2;

void print_usage(std::FILE* to) {
    std::fputs("Usage: startd --check [--json] PATH...\n"
               "       startd --version\n"
               "\n"
               "  --check PATH...  parse job files (a jobs directory or single .conf files) without\n"
               "                   starting anything; one line per job; exit 1 if any has an error\n"
               "  --json           with --check: print the parsed jobs and errors as JSON\n"
               "  --version        print the version\n"
               "  --help           print this help\n",
               to);
}

} // namespace

int main(int argc, char** argv) {
    bool check = false;
    bool json = false;
    std::vector<std::string> paths;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--check") {
            check = true;
        } else if (arg == "--json") {
            json = true;
        } else if (arg == "--help" || arg == "-h") {
            print_usage(stdout);
            return 0;
        } else if (arg == "--version") {
            std::printf("startd %s\n", STARTD_VERSION);
            return 0;
        } else if (arg == "--") {
            for (++i; i < argc; ++i) {
                paths.emplace_back(argv[i]);
            }
        } else if (!arg.empty() && arg.front() == '-') {
            std::fprintf(stderr, "startd: unknown option '%s'\nTry 'startd --help' for more information.\n", argv[i]);
            return exit_usage;
        } else {
            paths.emplace_back(arg);
        }
    }
    if (!check) {
        std::fprintf(stderr, "startd: supervising jobs is not available in this build yet; only --check is\n"
                             "Try 'startd --help' for more information.\n");
        return exit_usage;
    }
    if (paths.empty()) {
        std::fprintf(stderr, "startd: --check needs at least one jobs directory or job file\n");
        return exit_usage;
    }
    return daemon_main::run_check(sys::real_sys(), paths,
                                  json ? daemon_main::CheckFormat::Json : daemon_main::CheckFormat::Text, stdout,
                                  stderr);
}
