// Owns job cgroups (cgroup v2): finding whether startd may create them, one directory per job
// instance under startd's own cgroup, and signalling or killing everything in one. Where cgroups
// are not available (cgroup v1, read-only, no permission) it says why, and startd falls back to
// process groups and process trees.
// Not here: moving a child into its cgroup (the child does it before exec: SpawnPlan), or
// deciding when to kill (the engine's kill path, via the supervisor).
#pragma once

#include "sys/sys.h"

#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace proc {

class Cgroups {
  public:
    // Cgroups are available when `mount` is a cgroup v2 hierarchy (it has cgroup.controllers),
    // startd's own cgroup is known (the "0::PATH" line of `self_cgroup`), and startd can create
    // OWN/startd-jobs there. Otherwise unavailable(), with the reason.
    static Cgroups detect(sys::Sys& sys, const std::string& mount = "/sys/fs/cgroup",
                          const std::string& self_cgroup = "/proc/self/cgroup");

    bool available() const { return !m_base.empty(); }
    // Why not ("/sys/fs/cgroup is not a cgroup v2 hierarchy"), empty when available.
    const std::string& unavailable_reason() const { return m_reason; }
    // The parent of every job cgroup (OWN/startd-jobs), empty when unavailable.
    const std::string& base() const { return m_base; }

    // The cgroup directory of a job instance, created if missing ("web", "getty@tty1";
    // '/' in names becomes '_').
    base::Result<std::string> job_dir(std::string_view job, std::string_view instance);
    // DIR/cgroup.procs opened for writing: a child writes "0" to it to move itself in.
    base::Result<base::UniqueFd> procs_fd(const std::string& dir);
    // The processes in DIR now.
    base::Result<std::vector<pid_t>> pids(const std::string& dir);
    // Sends `sig` to every process in DIR. SIGKILL uses cgroup.kill (Linux 5.14) when there is
    // one, so even processes forking meanwhile die; other signals go to each pid.
    base::Result<void> signal(const std::string& dir, int sig);

  private:
    Cgroups(sys::Sys& sys, std::string base, std::string reason)
        : m_sys(&sys), m_base(std::move(base)), m_reason(std::move(reason)) {}

    base::Result<std::string> read_file(const std::string& path);

    sys::Sys* m_sys;
    std::string m_base;
    std::string m_reason;
};

} // namespace proc
