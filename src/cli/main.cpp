// Owns startctl's entry point (also installed as start, stop, restart, reload, status, initctl).
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/options.h"
#include "sys/sys.h"

int main(int argc, char** argv) {
    auto options = cli::parse_options(argc, argv);
    if (!options) {
        std::string_view prog = argc > 0 ? argv[0] : "startctl";
        prog.remove_prefix(prog.rfind('/') + 1); // npos + 1 == 0: no slash, nothing removed
        std::fprintf(stderr, "%.*s: %s\nTry `%.*s --help' for more information.\n",
                     static_cast<int>(prog.size()), prog.data(), options.error().message().c_str(),
                     static_cast<int>(prog.size()), prog.data());
        return cli::exit_failure;
    }
    sys::Sys& sys = sys::real_sys();
    control::EnvLookup env = [](std::string_view key) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(key).c_str());
        return v ? std::optional<std::string>(v) : std::nullopt;
    };
    return cli::run(*options, sys, env, sys.geteuid());
}
