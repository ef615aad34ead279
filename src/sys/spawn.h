// Owns process creation: the SpawnPlan (what a child sets up before exec, as plain data), the
// ordered child steps, and the {stage, errno} report a failing child sends its parent.
// Not here: deciding what a job's plan is (proc/), or watching the child afterwards (loop/).
//
// How the real spawn works (spawn_process):
//  1. The parent turns the plan into C arrays (argv, envp, exec candidates) before creating the
//     child, so the child never allocates; it only makes async-signal-safe system calls.
//  2. The child is created with clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD) on a stack of its own,
//     as posix_spawn does: it shares the parent's memory until exec (the parent is suspended
//     meanwhile), so no page table is copied, no copy-on-write fault is taken and no address
//     space is torn down at exec; the cost no longer grows with the daemon's size. The pidfd
//     comes back with no race. When that clone is refused (EINVAL before Linux 5.2, ENOSYS or
//     EPERM from a seccomp filter) we fall back to clone3(CLONE_PIDFD), then to fork() and
//     pidfd_open(); when that is unavailable too, Spawned::pidfd is invalid and the caller must
//     learn of the exit through SIGCHLD + waitid(P_ALL).
//  3. The child runs the steps in SpawnStage order. A failing step writes {stage, errno} to a
//     close-on-exec pipe and exits 127. A successful exec closes the pipe, so the parent reads
//     either end-of-file (success) or the report; on a report it reaps the child itself.
// The parent blocks until the child has exec'd or failed; every child step is non-blocking, so
// that wait is short (no NSS lookups happen in the child: names are resolved beforehand).
// spawn_processes() waits for several such children at once, one per worker thread; children
// that will be traced (ptrace_traceme) are created by the calling thread, which is their tracer.
// The program starts with 0, 1, 2 and the plan's fds only: the child marks every other fd
// close-on-exec (close_range), whatever the parent held, inherited or opened without it.
#pragma once

#include "base/result.h"
#include "base/unique_fd.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace sys {

// The child's steps, in the order they run. The parent-side steps (Pipe, Fork) come first.
enum class SpawnStage : std::uint8_t {
    Pipe,        // parent: creating the status pipe
    Fork,        // parent: clone3/fork
    SignalReset, // child: dispositions to SIG_DFL, empty signal mask
    Fds,         // child: placing fds (FdMapping)
    Setsid,      // child: new session
    Umask,
    Nice,
    OomScore, // child: /proc/self/oom_score_adj
    Rlimit,
    Chroot,
    Chdir,
    Setgroups,
    Setgid,
    Setuid,
    Ptrace, // child: PTRACE_TRACEME
    Cgroup, // child: moving into its cgroup (best effort: never reported as a failure)
    Exec,
};

// "setuid", "chdir", "exec", …: the names used in error messages.
std::string_view to_string(SpawnStage stage);

// Why a spawn failed: which step, and the errno it failed with.
struct SpawnError {
    SpawnStage stage = SpawnStage::Fork;
    int error = 0;

    // "setuid failed: Operation not permitted (EPERM)".
    std::string message() const;
};

// Puts `from` (an fd of the parent) on `to` in the child. All mappings apply as one parallel
// assignment: each `to` receives what its `from` was before any mapping ran, so {1→0, 0→1} swaps.
// The targets lose close-on-exec; every other fd but 0, 1 and 2 is closed at exec.
struct FdMapping {
    int from = -1;
    int to = -1;
};

struct ResourceLimit {
    int resource = 0; // RLIMIT_*
    rlim_t soft = RLIM_INFINITY;
    rlim_t hard = RLIM_INFINITY;
};

// Everything a child does between fork and exec, as data, so a fake Sys can record it and tests
// can inspect it. Unset optionals leave the inherited value alone.
struct SpawnPlan {
    // What to execute. Without a '/', it is searched in the PATH of `envp` (or, without one,
    // /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin), as execvp would.
    std::string file;
    std::vector<std::string> argv; // argv[0] included
    std::vector<std::string> envp; // "NAME=value"; the complete environment (empty: none)
    std::vector<FdMapping> fds;    // typically onto 0, 1 and 2
    bool reset_signals = true;     // every disposition to SIG_DFL and an empty signal mask
    bool new_session = false;      // setsid(): own session and process group
    std::optional<mode_t> umask;
    std::optional<int> nice;          // setpriority(PRIO_PROCESS, 0, nice)
    std::optional<int> oom_score_adj; // -1000 … 1000
    std::vector<ResourceLimit> rlimits;
    std::optional<std::string> chroot;
    std::optional<std::string> cwd; // after chroot, so it is inside the new root
    std::optional<std::vector<gid_t>> groups; // setgroups; set it whenever uid changes
    std::optional<gid_t> gid;
    std::optional<uid_t> uid;
    // PTRACE_TRACEME: the child stops with SIGTRAP after exec. Its tracer is the thread that
    // created it, the only one that may make ptrace requests for it: spawn_processes creates
    // such children on the calling thread.
    bool ptrace_traceme = false;
    // An fd of the parent open on a cgroup's cgroup.procs (-1: none). The child writes "0" to it
    // first thing, so it and everything it forks are in the cgroup before exec. A failed move
    // (no permission, as in user mode under another's cgroup) is ignored: the process runs.
    int cgroup_procs_fd = -1;
};

// A running child. pidfd is invalid only when the kernel has no pidfds (before 5.3).
struct Spawned {
    pid_t pid = -1;
    base::UniqueFd pidfd;
};

enum class SpawnMethod {
    Auto,   // Vfork when the kernel allows it, else clone3, else fork + pidfd_open
    Vfork,  // clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD) only; fails with the Fork stage if refused
    Clone3, // clone3(CLONE_PIDFD) only; fails with the Fork stage if unavailable
    Fork,   // fork + pidfd_open, as on kernels before 5.3 or under a seccomp filter
};

// The real spawn behind LinuxSys::spawn. See the top of this file for how it works.
base::Result<Spawned, SpawnError> spawn_process(const SpawnPlan& plan, SpawnMethod method = SpawnMethod::Auto);

// Starts a thread running `work`; throws std::system_error, as std::thread does, when the kernel
// refuses one (EAGAIN under RLIMIT_NPROC or a pids cgroup). Empty: std::thread. A seam for tests.
using StartThread = std::function<std::thread(std::function<void()>)>;

// spawn_process() for each of `plans`, results in the same order, with up to `workers` threads
// (the calling one included) creating children at once. Each thread waits for its own child to
// exec, so on a machine with more than one CPU the children's set-up and exec overlap: a
// bring-up of many jobs is no longer one exec after another. The plans are turned into C
// arrays by the calling thread first; the workers only make system calls. Traced plans are
// created by the calling thread. When a worker cannot be started (no thread, or no memory for
// its child's stack), the threads that could be started create the rest: nothing is thrown.
std::vector<base::Result<Spawned, SpawnError>> spawn_processes(std::span<const SpawnPlan* const> plans,
                                                               unsigned workers,
                                                               SpawnMethod method = SpawnMethod::Auto,
                                                               const StartThread& start_thread = {});

} // namespace sys
