// Owns job cgroups (cgroup v2): finding the cgroup v2 hierarchy wherever it is mounted
// (/proc/self/mountinfo: /sys/fs/cgroup on a unified host, /sys/fs/cgroup/unified on a hybrid
// one) and startd's own cgroup in it, whether startd may create cgroups there, one directory per
// job instance under a directory of this startd's own (removed again once empty), and signalling
// or killing everything in one. Where cgroups are not available (no cgroup2 mount, read-only, no permission,
// turned off) it says why, and startd contains jobs by their process trees instead (daemon/containment). Not
// here: moving a child into its cgroup (the child does it before exec: SpawnPlan), or deciding when to kill
// (the engine's kill path, via the supervisor).
#pragma once

#include "sys/sys.h"

#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace proc {

// A cgroup2 mount as /proc/self/mountinfo lists it: where it is mounted, and which directory of
// the hierarchy appears there ("/" unless a subtree is bind-mounted or a cgroup namespace is in
// force).
struct CgroupMount {
    std::string point;
    std::string root;
};

// The cgroup2 mounts in mountinfo text, in order (octal escapes such as "\040" decoded).
std::vector<CgroupMount> cgroup2_mounts(std::string_view mountinfo);

// The path of the process's cgroup v2 from /proc/PID/cgroup text (the "0::PATH" line), or
// nullopt when there is none (cgroup v1 only).
std::optional<std::string> unified_cgroup(std::string_view self_cgroup);

// The name of the directory under startd's own cgroup that holds one startd's job cgroups:
// "startd-" and a hash of its control socket, so two startds in one cgroup (a system and a user
// instance, tests) never share a job's cgroup, and a restarted startd finds its own again.
std::string jobs_dir_name(std::string_view socket);

struct CgroupPaths {
    std::string mountinfo = "/proc/self/mountinfo";
    std::string self_cgroup = "/proc/self/cgroup";
};

class Cgroups {
  public:
    // Cgroups are available when a cgroup2 hierarchy is mounted (any mount point), startd's own
    // cgroup is in it (the "0::PATH" line of self_cgroup, under the mount's root) and startd can
    // create OWN/`dir_name` there. Otherwise unavailable(), with the reason.
    static Cgroups detect(sys::Sys& sys, std::string_view dir_name, const CgroupPaths& paths = {});
    // Never available: job cgroups were turned off (startd --no-cgroups), for `reason`.
    static Cgroups disabled(sys::Sys& sys, std::string reason) { return Cgroups(sys, {}, std::move(reason)); }

    bool available() const { return !m_base.empty(); }
    // Why not ("no cgroup v2 hierarchy is mounted"), empty when available.
    const std::string& unavailable_reason() const { return m_reason; }
    // The parent of every job cgroup (OWN/startd-HASH), empty when unavailable.
    const std::string& base() const { return m_base; }

    // The cgroup directory of a job instance, created if missing ("web", "getty@tty1";
    // '/' in names becomes '_').
    base::Result<std::string> job_dir(std::string_view job, std::string_view instance);
    // Removes DIR (a job cgroup, or base()) once nothing is in it: fails with EBUSY while a
    // process or a cgroup is still in it. A DIR that is gone already counts as removed.
    base::Result<void> remove(const std::string& dir);
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
