// Owns running one startctl command: resolving the instance, talking to startd, printing.
#pragma once

#include <sys/types.h>

#include "cli/options.h"
#include "control/endpoint.h"
#include "sys/sys.h"

namespace cli {

// Runs the command in `options`; returns startctl's exit status (cli/exit_codes.h).
int run(const Options& options, sys::Sys& sys, const control::EnvLookup& env, uid_t uid);

} // namespace cli
