// Owns run_startctl (see run_startctl.h).
#include "support/run_startctl.h"

#include "cli/commands.h"
#include "sys/sys.h"

#include <gtest/gtest.h>
#include <optional>
#include <string_view>

namespace test_support {

StartctlRun run_startctl(cli::Options o, const std::string& command, std::vector<std::string> args) {
    if (o.prog.empty()) {
        o.prog = "startctl";
    }
    o.command = command;
    o.args = std::move(args);
    control::EnvLookup no_env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
    sys::Sys& sys = sys::real_sys();
    testing::internal::CaptureStdout();
    testing::internal::CaptureStderr();
    int status = cli::run(o, sys, no_env, sys.geteuid());
    std::string out = testing::internal::GetCapturedStdout();
    return {status, std::move(out), testing::internal::GetCapturedStderr()};
}

} // namespace test_support
