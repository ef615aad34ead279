// Owns running startctl's command dispatch (cli::run) in the test process with its standard
// output and error captured: the status, what it printed and what it complained about. Nothing
// is read from the environment.
#pragma once

#include "cli/options.h"

#include <string>
#include <vector>

namespace test_support {

struct StartctlRun {
    int status = 0;
    std::string out;
    std::string err;
};

// Runs `o` (prog defaults to "startctl") with `command` and `args` against the real Sys.
StartctlRun run_startctl(cli::Options o, const std::string& command, std::vector<std::string> args);

} // namespace test_support
