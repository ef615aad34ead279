// Owns how each job's processes are held together, so that stopping the job reaches all of
// them: the job's cgroup where startd may create one (cgroup v2, writable, not turned off), or
// else what startd knows of the job's processes — the mark it puts in the environment of every
// process it spawns for the job (proc/job_mark), and the processes the fork trace followed
// (expect fork/daemon: nginx's master, when startd tracks a worker) — to find the processes
// that left the job's process group and outlived their parents. startd is a subreaper, so
// those became its own children: the escapees of a batch of stops are found among startd's
// children, read once per batch, and each adopted process's environment is read at most once
// in its life (the answer is kept until startd reaps it). A job's cgroup is removed once the
// job has no process left (at rest, or destroyed), retried while processes remain in it, and
// startd's own directory of job cgroups when it exits. Also how each job is contained, for
// status and version.
// Not here: the signals and the main process's own group and descendants (Supervisor), cgroup
// files (proc/cgroup), reading /proc (proc/process_tree), the fork trace (daemon/readiness).
#pragma once

#include "base/unique_fd.h"
#include "core/job.h"
#include "proc/cgroup.h"
#include "proc/process_tree.h"
#include "sys/sys.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace daemon_main {

class Containment {
  public:
    using Log = std::function<void(core::LogLevel, std::string_view)>;
    // `self` is startd's pid: its children are where escapees are found, and it is part of each
    // mark. `is_job_process` says whether a pid is a process the engine knows (a main process or
    // a hook of some job): those are never escapees.
    Containment(pid_t self, proc::ProcessTree& tree, std::function<bool(pid_t)> is_job_process, Log log);

    // Job cgroups as detected (or turned off) at start-up.
    void set_cgroups(proc::Cgroups cgroups) { m_cgroups = std::move(cgroups); }
    // For version replies: "available (BASE)" or "unavailable: WHY".
    std::string cgroups_summary() const;

    // What a process of `job` about to be spawned gets: the mark for its environment, and
    // the cgroup.procs of the job's cgroup to move itself into (invalid without a cgroup).
    struct Prepared {
        std::string mark;
        base::UniqueFd cgroup_procs;
    };
    Prepared prepare(const core::Job& job);

    // `job` was adopted from a predecessor (restart after SIGKILL): its cgroup, where it has
    // one, is the one the predecessor made for it (cgroups are named after the socket and the
    // job), so stopping it reaches every process in it. Nothing for a job already held.
    void adopted(const core::Job& job);

    // The processes the fork trace of `job` went through on the way to its main process
    // (`main`, left out): kept with their start times, so that a stop reaches them when they
    // outlive their parents (a daemon's master whose worker is the tracked pid).
    void traced(const core::Job* job, std::span<const pid_t> pids, pid_t main);
    // startd reaped `pid`: its pid may be reused from now on.
    void reaped(pid_t pid);
    // `job` is gone: its cgroup is removed, or, while processes remain in it, retried after
    // later reaps.
    void forget(const core::Job& job);
    // `job` may have no process left now (one of its processes was reaped, or a spawn failed):
    // looked at by release_idle().
    void may_be_idle(const core::Job& job);
    // Removes the cgroup of each job may_be_idle() named that is at rest (stop/waiting).
    void release_idle();
    // startd reaped children: retries the removals that found processes still in the cgroup,
    // each a bounded number of times (then it is left, and status says so).
    void retry_removals();
    // At exit, once every job has stopped: every job cgroup left, then startd's own directory
    // of them. Whatever cannot be removed is logged.
    void remove_cgroups();

    // The job's cgroup directory, or nullptr.
    const std::string* cgroup_of(const core::Job& job) const;
    // Sends `sig` to everything in the job's cgroup, if it has one.
    void signal_cgroup(const core::Job& job, int sig);
    // "cgroup PATH" (with " (removed: no process left)" or " (not removed: processes remain
    // in it)" once the job is at rest), or "process tree (no cgroup: WHY)"; empty for a job
    // never spawned.
    std::string describe(const core::Job& job) const;

    // For each of `jobs`, in order: the processes that escaped it (startd's children the
    // engine does not know, attributed to the job by a traced pid or by their mark) and their
    // descendants. Jobs with a cgroup need none (empty). One reading of startd's children for
    // the whole batch, nothing at all when every job has a cgroup.
    std::vector<std::vector<pid_t>> escapees(std::span<const core::Job* const> jobs);

  private:
    // Where the job's cgroup directory is.
    enum class Dir : unsigned char {
        Present, // made, and not removed since
        Removed, // removed once the job had no process left; made again at its next spawn
        Busy,    // its removal found processes (or a cgroup) still in it
    };
    struct Held {
        std::uint64_t serial = 0;  // the job's mark
        std::string cgroup;        // its cgroup directory, empty when it has none
        Dir dir = Dir::Present;
        int removal_tries = 0;     // removals that found it busy
        std::string not_removed;   // why, when Busy
        std::string no_cgroup;     // why not, when the job's own cgroup could not be made
        std::vector<pid_t> traced; // pids the fork trace saw (keys of m_traced)
    };
    // The cgroup of a destroyed job that was busy when the job went.
    struct Lingering {
        std::string dir;
        int removal_tries = 0;
    };
    // How many times a busy cgroup is tried again (after reaps) before it is left.
    static constexpr int max_removal_tries = 16;
    struct Traced {
        std::uint64_t serial = 0;
        unsigned long long start_time = 0;
    };

    // The serial of the job `pid` belongs to (0: none of ours), learned once per process.
    std::uint64_t owner(pid_t pid);
    // Removes the cgroup of `held` (present or busy); true once it is gone.
    bool remove_cgroup(const core::Job& job, Held& held);

    proc::ProcessTree& m_tree;
    std::function<bool(pid_t)> m_is_job_process;
    Log m_log;
    std::optional<proc::Cgroups> m_cgroups;
    std::unordered_map<const core::Job*, Held> m_held;
    std::unordered_map<pid_t, Traced> m_traced;         // pid → the job whose trace saw it
    std::unordered_map<pid_t, std::uint64_t> m_adopted; // startd's unknown children → their mark
    std::unordered_set<const core::Job*> m_maybe_idle;  // may_be_idle() since the last release_idle()
    std::unordered_set<const core::Job*> m_busy;        // held jobs whose cgroup is Busy
    std::vector<Lingering> m_lingering;                 // busy cgroups of destroyed jobs
    std::uint64_t m_next_serial = 1;
    pid_t m_self;
};

} // namespace daemon_main
