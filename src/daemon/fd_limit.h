// Owns startd's own descriptor limit: each `console log` job holds a pipe in startd, so startd
// raises the soft RLIMIT_NOFILE it inherited as far as its hard limit (and the kernel's nr_open)
// allow, and remembers the inherited limit, which is what its jobs get back: programs that use
// select() cannot handle descriptors past 1,024. Also how a failure for want of descriptors is
// worded. Not here: applying limits in a child (sys/spawn), a job's own `limit nofile` (which
// wins: proc/spawn_plan).
#pragma once

#include "base/result.h"
#include "sys/sys.h"

#include <string>
#include <sys/resource.h>

namespace daemon_main {

struct FdLimit {
    // What jobs get: the soft limit startd was started with, under startd's hard limit.
    rlimit jobs{};
    rlim_t soft = 0; // startd's own soft limit now
};

// Raises startd's soft RLIMIT_NOFILE to its hard limit, or both to the kernel's nr_open where the
// hard limit is above it. Fails (changing nothing) when the limit cannot be read or set.
base::Result<FdLimit> raise_fd_limit(sys::Sys& sys);

// " (startd is out of file descriptors)" for EMFILE, " (the system is out of file descriptors)"
// for ENFILE, "" for any other errno: what a job that could not start for want of them says.
std::string fd_shortage_note(int err);

} // namespace daemon_main
