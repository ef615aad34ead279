// Owns make_dirs: `mkdir -p` through the Sys seam (the runtime, log and jobs directories).
#pragma once

#include <sys/types.h>

#include <string>

#include "sys/sys.h"

namespace sys {

// Creates `dir` and any missing parents. Parents get 0755, `dir` itself gets `mode` when it is
// created here; directories that already exist are left as they are.
Result<void> make_dirs(Sys& sys, const std::string& dir, mode_t mode);

} // namespace sys
