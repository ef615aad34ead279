// Owns reading the process tree from /proc (through Sys): a process's live descendants, so that
// stopping a job reaches every process it started — even a daemon that left the job's process
// group with setsid (Postfix's master) — where no cgroup holds the job; and whether one process
// descends from another.
// Not here: sending the signals (the supervisor), cgroups (proc/cgroup).
#pragma once

#include "sys/sys.h"

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <unordered_map>
#include <vector>

namespace proc {

// What one /proc/PID/stat line says that matters here.
struct StatLine {
    pid_t pid = 0;
    char state = '?'; // R, S, D, Z, T, …
    pid_t ppid = 0;
    // When the process started, in clock ticks after boot (field 22): with the pid, it names
    // one process for good (a pid is reused, a pid and its start time are not). 0 if absent.
    unsigned long long start_time = 0;
};

// Parses "/proc/PID/stat" text. The command name may contain spaces and parentheses: it runs
// from the first '(' to the last ')'. nullopt on malformed text.
std::optional<StatLine> parse_stat(std::string_view text);

// Processes by parent (ppid → pid), as one scan of /proc read them.
using ParentIndex = std::unordered_multimap<pid_t, pid_t>;

// The process tree as /proc shows it. It keeps /proc open (opened at first use, close-on-exec)
// and remembers whether the kernel has children files, so a walk costs only what the walk
// itself reads: stopping 1,000 jobs reads 1,000 small trees, each in a handful of calls.
class ProcessTree {
  public:
    explicit ProcessTree(sys::Sys& sys, std::string proc_dir = "/proc");

    // Every live (non-zombie) descendant of `root`, parents before their children. Processes
    // that vanish while /proc is read are skipped; a `root` that is gone has none. The walk
    // follows /proc/PID/task/TID/children, so it costs in proportion to the job's own
    // processes, not to every process on the machine; kernels without those files
    // (CONFIG_PROC_CHILDREN) get one scan of every /proc/PID/stat. Fails only when /proc itself
    // cannot be read.
    base::Result<std::vector<pid_t>> descendants(pid_t root);

    // descendants() of each of `roots`, in order, read in one go: by walking each root's
    // children files, or by one scan of /proc when that reads fewer files — every process's
    // stat except those of our own children, whose parent we know — as when most of the
    // machine's processes are being stopped together. Small batches are always walked.
    base::Result<std::vector<std::vector<pid_t>>> descendants_of(std::span<const pid_t> roots);
    static constexpr std::size_t batch_scan_min = 32;

    // The children of `pid` (its threads' children files; zombies included), or one scan of
    // /proc where the kernel has no children files. Empty when `pid` is gone.
    base::Result<std::vector<pid_t>> children(pid_t pid);
    // /proc/PID/stat, parsed; nullopt when the process is gone.
    std::optional<StatLine> stat(pid_t pid);
    // The whole of /proc/PID/`file` (e.g. "environ"), or the error reading it gave.
    base::Result<std::string> read(pid_t pid, const char* file);

    // Whether `pid` is a live descendant of `ancestor` (its parent, its parent's parent, …), read
    // upwards through /proc/PID/stat: the cost is the depth, not the number of processes.
    bool is_descendant(pid_t pid, pid_t ancestor);

  private:
    // /proc, opened now if it is not open yet.
    base::Result<int> dir();
    enum class Walk { Read, Gone, NoChildrenFiles };
    // Appends the children of every thread of `pid` (/proc/PID/task/TID/children: "12 34 ").
    Walk thread_children(int dir, pid_t pid, std::vector<pid_t>& out);
    // Appends the children listed in `path` (a children file under `dir`) of `thread` (its
    // directory under `dir`).
    Walk read_children(int dir, const std::string& path, const std::string& thread, std::vector<pid_t>& out);
    // The descendants of `root` under `dir`; nullopt when `root` is not there.
    std::optional<base::Result<std::vector<pid_t>>> walk(int dir, pid_t root);
    // One scan of /proc for a batch of roots, or nullopt when walking them is cheaper.
    std::optional<base::Result<ParentIndex>> batch_index(int dir, std::span<const pid_t> roots);

    sys::Sys& m_sys;
    std::string m_proc_dir;
    base::UniqueFd m_dir;
    std::optional<bool> m_children_files; // known once a children file was found, or not found
};

// One-off walks (a ProcessTree for a single call).
base::Result<std::vector<pid_t>> descendants(sys::Sys& sys, pid_t root, const char* proc_dir = "/proc");
bool is_descendant(sys::Sys& sys, pid_t pid, pid_t ancestor, const char* proc_dir = "/proc");

} // namespace proc
