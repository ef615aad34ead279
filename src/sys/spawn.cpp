// Owns the real process creation behind Sys::spawn: parent-side preparation, clone/clone3/fork, the
// child's ordered steps, and reading the child's {stage, errno} report. See spawn.h for the design.
#include "sys/spawn.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <climits>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/sched.h>
#include <memory>
#include <new>
#include <optional>
#include <sanitizer/asan_interface.h>
#include <sched.h>
#include <span>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace sys {

std::string_view to_string(SpawnStage stage) {
    switch (stage) {
    case SpawnStage::Pipe:
        return "create status pipe";
    case SpawnStage::Fork:
        return "fork";
    case SpawnStage::SignalReset:
        return "reset signals";
    case SpawnStage::Fds:
        return "set up file descriptors";
    case SpawnStage::Setsid:
        return "setsid";
    case SpawnStage::Umask:
        return "umask";
    case SpawnStage::Nice:
        return "nice";
    case SpawnStage::OomScore:
        return "oom score";
    case SpawnStage::Rlimit:
        return "setrlimit";
    case SpawnStage::Chroot:
        return "chroot";
    case SpawnStage::Chdir:
        return "chdir";
    case SpawnStage::Setgroups:
        return "setgroups";
    case SpawnStage::Setgid:
        return "setgid";
    case SpawnStage::Setuid:
        return "setuid";
    case SpawnStage::Ptrace:
        return "ptrace";
    case SpawnStage::Cgroup:
        return "cgroup";
    case SpawnStage::Exec:
        return "exec";
    }
    return "unknown stage";
}

std::string SpawnError::message() const {
    std::string text(to_string(stage));
    text += " failed: ";
    text += std::strerror(error);
    if (const char* name = ::strerrorname_np(error)) {
        text += " (";
        text += name;
        text += ')';
    }
    return text;
}

namespace {

constexpr const char* default_search_path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr int child_failure_exit = 127;

// What a failing child writes to the status pipe: one write of 8 bytes, atomic on a pipe.
struct Report {
    std::int32_t stage;
    std::int32_t error;
};

// Whether clone3 worked so far under SpawnMethod::Auto; cleared on the first ENOSYS/EPERM.
std::atomic<bool> clone3_usable{true};
// Whether clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD) worked so far under SpawnMethod::Auto.
std::atomic<bool> vfork_usable{true};

// The vfork-style child's stack. run_child's frames are small (no allocation, no stdio).
constexpr std::size_t vfork_stack_size = std::size_t{64} * 1024;

// A child stack mapped for a batch's worker thread and unmapped after: from the heap, its
// touched pages would stay resident in the daemon after every bring-up.
class ChildStack {
  public:
    ChildStack()
        : m_base(::mmap(nullptr, vfork_stack_size, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0)) {}
    ChildStack(const ChildStack&) = delete;
    ChildStack& operator=(const ChildStack&) = delete;
    ~ChildStack() {
        if (m_base != MAP_FAILED) {
            ::munmap(m_base, vfork_stack_size);
        }
    }
    // nullptr when it could not be mapped (the vfork-style clone then fails with ENOMEM).
    char* get() const { return m_base == MAP_FAILED ? nullptr : static_cast<char*>(m_base); }

  private:
    void* m_base;
};

// The calling thread's own child stack, mapped once and kept: a respawn then costs no mmap,
// munmap or fresh page faults. Only the thread suspended in the clone uses it.
char* own_child_stack() {
    thread_local ChildStack stack;
    return stack.get();
}

// Everything the child needs, built by the parent so the child never allocates.
struct Prepared {
    const SpawnPlan& plan;
    std::vector<std::string> candidates;  // full paths to try with execve, in order
    std::vector<char*> argv;              // NULL-terminated
    std::vector<char*> envp;              // NULL-terminated
    std::vector<int> temp_fds;            // the child's scratch space for the fd shuffle
    std::vector<int> targets;             // the plan's targets above 2, ascending, each once
    int fd_floor = 3;                     // scratch fds go at or above this: above every target
    char oom_text[16] = {};               // oom_score_adj as text
    std::size_t oom_len = 0;
    int status_fd = -1;
};

std::vector<std::string> exec_candidates(const SpawnPlan& plan) {
    if (plan.file.find('/') != std::string::npos) {
        return {plan.file};
    }
    std::vector<std::string> out;
    if (plan.file.empty()) {
        return out; // the child reports exec ENOENT
    }
    std::string_view search = default_search_path;
    for (const std::string& entry : plan.envp) {
        if (entry.starts_with("PATH=")) {
            search = std::string_view(entry).substr(5);
        }
    }
    while (!search.empty()) {
        std::size_t colon = search.find(':');
        std::string_view dir = search.substr(0, colon);
        search = colon == std::string_view::npos ? std::string_view{} : search.substr(colon + 1);
        if (dir.empty()) {
            continue; // an empty entry means "the current directory": never for a supervisor
        }
        std::string full(dir);
        full += '/';
        full += plan.file;
        out.push_back(std::move(full));
    }
    return out;
}

Prepared prepare(const SpawnPlan& plan) {
    Prepared p{plan, exec_candidates(plan), {}, {}, {}, {}, 3, {}, 0, -1};
    if (plan.argv.empty()) {
        p.argv.push_back(const_cast<char*>(plan.file.c_str()));
    }
    for (const std::string& arg : plan.argv) {
        p.argv.push_back(const_cast<char*>(arg.c_str()));
    }
    p.argv.push_back(nullptr);
    for (const std::string& var : plan.envp) {
        p.envp.push_back(const_cast<char*>(var.c_str()));
    }
    p.envp.push_back(nullptr);
    p.temp_fds.assign(plan.fds.size(), -1);
    for (const FdMapping& m : plan.fds) {
        p.fd_floor = std::max(p.fd_floor, m.to + 1);
        if (m.to > 2) {
            p.targets.push_back(m.to);
        }
    }
    std::sort(p.targets.begin(), p.targets.end());
    p.targets.erase(std::unique(p.targets.begin(), p.targets.end()), p.targets.end());
    if (plan.oom_score_adj) {
        auto [end, ec] = std::to_chars(p.oom_text, p.oom_text + sizeof p.oom_text - 1, *plan.oom_score_adj);
        p.oom_len = ec == std::errc() ? static_cast<std::size_t>(end - p.oom_text) : 0;
    }
    return p;
}

// --- child side: only async-signal-safe calls from here to run_child's end -------------------

[[noreturn]] void child_fail(int status_fd, SpawnStage stage, int err) {
    Report report{static_cast<std::int32_t>(stage), err};
    // Nothing more can be done if this write fails; the pipe is empty, so it cannot block.
    [[maybe_unused]] ssize_t written = ::write(status_fd, &report, sizeof report);
    ::_exit(child_failure_exit);
}

void child_reset_signals(int status_fd) {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig != SIGKILL && sig != SIGSTOP) {
            ::sigaction(sig, &dfl, nullptr); // fails only for libc-reserved signals: fine
        }
    }
    sigset_t empty;
    sigemptyset(&empty);
    if (::sigprocmask(SIG_SETMASK, &empty, nullptr) < 0) {
        child_fail(status_fd, SpawnStage::SignalReset, errno);
    }
}

// The parallel fd assignment: first copy every source above all targets, then place the copies.
void child_place_fds(Prepared& p, int status_fd) {
    const auto& fds = p.plan.fds;
    for (std::size_t i = 0; i < fds.size(); ++i) {
        p.temp_fds[i] = ::fcntl(fds[i].from, F_DUPFD_CLOEXEC, p.fd_floor);
        if (p.temp_fds[i] < 0) {
            child_fail(status_fd, SpawnStage::Fds, errno);
        }
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
        if (::dup2(p.temp_fds[i], fds[i].to) < 0) { // dup2 leaves the target without FD_CLOEXEC
            child_fail(status_fd, SpawnStage::Fds, errno);
        }
    }
}

bool child_keeps(const Prepared& p, int fd) {
    return fd <= 2 || std::binary_search(p.targets.begin(), p.targets.end(), fd);
}

// The fallback of child_cloexec_others before Linux 5.11 (no CLOSE_RANGE_CLOEXEC): the fds
// /proc/self/fd lists, read with getdents64 (no allocation); without /proc, every fd number
// below the fd limit. False if neither could be done.
bool child_cloexec_by_listing(const Prepared& p) {
    int dir = ::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        alignas(8) char buf[2048];
        long got = 0;
        while ((got = ::syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0) {
            for (long at = 0; at < got;) {
                const char* name = buf + at + 19; // d_ino (8), d_off (8), d_reclen (2), d_type (1)
                unsigned short reclen = 0;
                std::memcpy(&reclen, buf + at + 16, sizeof reclen);
                at += reclen;
                int fd = 0;
                bool number = *name != '\0';
                for (; *name != '\0'; ++name) {
                    number = number && *name >= '0' && *name <= '9';
                    fd = fd * 10 + (*name - '0');
                }
                if (number && fd != dir && !child_keeps(p, fd)) {
                    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
                }
            }
        }
        ::close(dir);
        if (got == 0) {
            return true;
        }
    }
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) < 0) {
        return false;
    }
    for (rlim_t fd = 3; fd < limit.rlim_cur && fd <= static_cast<rlim_t>(INT_MAX); ++fd) {
        if (!child_keeps(p, static_cast<int>(fd))) {
            ::fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC); // EBADF for the many not open
        }
    }
    return true;
}

// Marks close-on-exec every fd but 0, 1, 2 and the plan's targets, so the program starts with
// those only, whatever else the parent held: descriptors startd inherited without close-on-exec
// from whoever started it, or one of its own opened without it by mistake. The status pipe is
// among them and keeps working until the exec closes it.
void child_cloexec_others(const Prepared& p, int status_fd) {
    unsigned first = 3;
    bool done = true;
    for (int target : p.targets) {
        auto upto = static_cast<unsigned>(target);
        if (done && upto > first) {
            done = ::syscall(SYS_close_range, first, upto - 1, CLOSE_RANGE_CLOEXEC) == 0;
        }
        first = upto + 1;
    }
    done = done && ::syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) == 0;
    if (!done && !child_cloexec_by_listing(p)) {
        child_fail(status_fd, SpawnStage::Fds, errno);
    }
}

void child_exec(const Prepared& p, int status_fd) {
    int failure = ENOENT;
    bool saw_eacces = false;
    for (const std::string& candidate : p.candidates) {
        ::execve(candidate.c_str(), p.argv.data(), p.envp.data());
        failure = errno;
        if (failure == EACCES) {
            saw_eacces = true;
        } else if (failure != ENOENT && failure != ENOTDIR && failure != ELOOP && failure != ENAMETOOLONG) {
            break; // a real failure of an existing file: report it rather than search on
        }
    }
    if (saw_eacces && (failure == ENOENT || failure == ENOTDIR)) {
        failure = EACCES; // as execvp: "found but not executable" beats "not found"
    }
    child_fail(status_fd, SpawnStage::Exec, failure);
}

[[noreturn]] void run_child(Prepared& p) noexcept {
    const SpawnPlan& plan = p.plan;
    int status_fd = p.status_fd;
    if (plan.cgroup_procs_fd >= 0) {
        [[maybe_unused]] ssize_t moved = ::write(plan.cgroup_procs_fd, "0", 1); // best effort
    }
    if (!plan.fds.empty()) {
        // Move the status pipe above every target so placing fds cannot overwrite it.
        status_fd = ::fcntl(p.status_fd, F_DUPFD_CLOEXEC, p.fd_floor);
        if (status_fd < 0) {
            child_fail(p.status_fd, SpawnStage::Fds, errno);
        }
    }
    if (plan.reset_signals) {
        child_reset_signals(status_fd);
    }
    child_place_fds(p, status_fd);
    child_cloexec_others(p, status_fd);
    if (plan.new_session && ::setsid() < 0) {
        child_fail(status_fd, SpawnStage::Setsid, errno);
    }
    if (plan.umask) {
        ::umask(*plan.umask);
    }
    if (plan.nice && ::setpriority(PRIO_PROCESS, 0, *plan.nice) < 0) {
        child_fail(status_fd, SpawnStage::Nice, errno);
    }
    if (plan.oom_score_adj) {
        int fd = ::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            child_fail(status_fd, SpawnStage::OomScore, errno);
        }
        if (::write(fd, p.oom_text, p.oom_len) < 0) {
            child_fail(status_fd, SpawnStage::OomScore, errno);
        }
        ::close(fd);
    }
    for (const ResourceLimit& limit : plan.rlimits) {
        rlimit value{limit.soft, limit.hard};
        if (::setrlimit(static_cast<__rlimit_resource_t>(limit.resource), &value) < 0) {
            child_fail(status_fd, SpawnStage::Rlimit, errno);
        }
    }
    if (plan.chroot && ::chroot(plan.chroot->c_str()) < 0) {
        child_fail(status_fd, SpawnStage::Chroot, errno);
    }
    const char* cwd = plan.cwd ? plan.cwd->c_str() : plan.chroot ? "/" : nullptr;
    if (cwd && ::chdir(cwd) < 0) {
        child_fail(status_fd, SpawnStage::Chdir, errno);
    }
    // Raw system calls for credentials: after a raw clone3, glibc's setuid would try to signal
    // the parent's other threads (its setxid broadcast). The kernel calls change only this one
    // thread, which is the whole child.
    if (plan.groups && ::syscall(SYS_setgroups, plan.groups->size(), plan.groups->data()) < 0) {
        child_fail(status_fd, SpawnStage::Setgroups, errno);
    }
    if (plan.gid && ::syscall(SYS_setresgid, *plan.gid, *plan.gid, *plan.gid) < 0) {
        child_fail(status_fd, SpawnStage::Setgid, errno);
    }
    if (plan.uid && ::syscall(SYS_setresuid, *plan.uid, *plan.uid, *plan.uid) < 0) {
        child_fail(status_fd, SpawnStage::Setuid, errno);
    }
    if (plan.ptrace_traceme && ::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) < 0) {
        child_fail(status_fd, SpawnStage::Ptrace, errno);
    }
    child_exec(p, status_fd);
    ::_exit(child_failure_exit); // not reached: child_exec always ends in child_fail
}

// --- parent side ----------------------------------------------------------------------------

int vfork_entry(void* arg) { run_child(*static_cast<Prepared*>(arg)); }

// Creates the child with clone(CLONE_VM | CLONE_VFORK | CLONE_PIDFD) on its own stack: it shares
// our memory until it execs or exits, and we are suspended until then, so everything it writes
// (errno, Prepared::temp_fds) is ours again afterwards. It does not share our fd table, fs
// (cwd, umask, root) or signal handlers. Signal safety: the daemon keeps its signals blocked (they
// arrive through signalfd) and child_reset_signals sets every disposition to SIG_DFL before it
// unblocks anything, so no handler of ours ever runs on the shared memory. Returns the pid
// (> 0) or -errno.
pid_t vfork_child(Prepared& p, char* stack, base::UniqueFd& pidfd) {
    if (stack == nullptr) {
        return -ENOMEM;
    }
    // The stack grows down on every architecture Linux runs startd on; keep it 16-byte aligned.
    auto top = reinterpret_cast<std::uintptr_t>(stack + vfork_stack_size) & ~std::uintptr_t{15};
    int raw_pidfd = -1;
    int pid = ::clone(vfork_entry, reinterpret_cast<void*>(top), CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &p,
                      &raw_pidfd);
    // The child never returned from its frames (it exec'd or _exit'ed), so under AddressSanitizer
    // their redzones are still poisoned in our shared shadow memory: clear them, or the next use of
    // this stack, or of its pages once unmapped, reports errors that are not there.
    ASAN_UNPOISON_MEMORY_REGION(stack, vfork_stack_size);
    if (pid < 0) {
        return -errno;
    }
    pidfd.reset(raw_pidfd);
    return pid;
}

// Creates the child with clone3(CLONE_PIDFD). Returns the pid (> 0) or -errno; in the child it
// does not return.
pid_t clone3_child(Prepared& p, base::UniqueFd& pidfd) {
    int raw_pidfd = -1;
    clone_args args{};
    args.flags = CLONE_PIDFD;
    args.pidfd = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(&raw_pidfd));
    args.exit_signal = SIGCHLD;
    long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) {
        run_child(p);
    }
    if (pid < 0) {
        return -errno;
    }
    pidfd.reset(raw_pidfd);
    return static_cast<pid_t>(pid);
}

// Creates the child with fork() and then asks for a pidfd. The child cannot be reaped by anyone
// else before pidfd_open (nobody waits for it yet), so the pidfd names the right process.
pid_t fork_child(Prepared& p, base::UniqueFd& pidfd) {
    pid_t pid = ::fork();
    if (pid == 0) {
        run_child(p);
    }
    if (pid < 0) {
        return -errno;
    }
    long fd = ::syscall(SYS_pidfd_open, pid, 0);
    if (fd >= 0) {
        pidfd.reset(static_cast<int>(fd));
    }
    // Without a pidfd (ENOSYS before Linux 5.3, or EMFILE) the caller watches via SIGCHLD.
    return pid;
}

// Reads the child's report: nullopt on end-of-file, which means exec succeeded.
std::optional<Report> read_report(int fd) {
    Report report{};
    std::size_t got = 0;
    auto* bytes = reinterpret_cast<char*>(&report);
    while (got < sizeof report) {
        ssize_t n = ::read(fd, bytes + got, sizeof report - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    if (got < sizeof report) {
        return std::nullopt;
    }
    return report;
}

void reap(pid_t pid) {
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED) < 0 && errno == EINTR) {
    }
}

} // namespace

// Creates the child of a prepared plan and waits until it has exec'd or failed. Makes only system
// calls (no allocation), so any thread may run it: `stack` is the vfork child's, unused by
// the other methods.
base::Result<Spawned, SpawnError> launch(Prepared& prepared, char* stack, SpawnMethod method) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) < 0) {
        return SpawnError{SpawnStage::Pipe, errno};
    }
    base::UniqueFd status_read(pipe_fds[0]);
    base::UniqueFd status_write(pipe_fds[1]);
    prepared.status_fd = status_write.get();

    base::UniqueFd pidfd;
    pid_t pid = -ENOSYS;
    bool tried = false;
    if (method == SpawnMethod::Vfork || (method == SpawnMethod::Auto && vfork_usable.load())) {
        pid = vfork_child(prepared, stack, pidfd);
        tried = true;
        if (method == SpawnMethod::Auto && (pid == -EINVAL || pid == -ENOSYS || pid == -EPERM)) {
            vfork_usable.store(false);
            tried = false;
        }
    }
    bool try_clone3 = !tried && (method == SpawnMethod::Clone3 || (method == SpawnMethod::Auto && clone3_usable.load()));
    if (try_clone3) {
        pid = clone3_child(prepared, pidfd);
        if (method == SpawnMethod::Auto && (pid == -ENOSYS || pid == -EPERM)) {
            clone3_usable.store(false);
            try_clone3 = false;
        }
    }
    if (!tried && !try_clone3) {
        pid = fork_child(prepared, pidfd);
    }
    if (pid < 0) {
        return SpawnError{SpawnStage::Fork, -pid};
    }

    status_write.reset(); // only the child holds the write end now: EOF comes at its exec
    if (auto report = read_report(status_read.get())) {
        reap(pid);
        return SpawnError{static_cast<SpawnStage>(report->stage), report->error};
    }
    return Spawned{pid, std::move(pidfd)};
}

base::Result<Spawned, SpawnError> spawn_process(const SpawnPlan& plan, SpawnMethod method) {
    Prepared prepared = prepare(plan);
    return launch(prepared, own_child_stack(), method);
}

std::vector<base::Result<Spawned, SpawnError>> spawn_processes(std::span<const SpawnPlan* const> plans,
                                                               unsigned workers, SpawnMethod method,
                                                               const StartThread& start_thread) {
    // Everything that allocates happens here, in the calling thread: the workers only make
    // system calls (and glibc's per-thread malloc arenas stay unused).
    std::vector<Prepared> prepared;
    prepared.reserve(plans.size());
    for (const SpawnPlan* plan : plans) {
        prepared.push_back(prepare(*plan));
    }
    // A PTRACE_TRACEME child's tracer is the thread that created it, and only that thread may
    // make ptrace requests for it: the caller's (startd's fork tracker runs on it). A worker
    // exits after the batch, and its tracees would die of their exec SIGTRAP. So traced plans
    // are this thread's; the others go to whichever thread is free.
    std::vector<std::size_t> traced;
    std::vector<std::size_t> shared;
    for (std::size_t i = 0; i < plans.size(); ++i) {
        (plans[i]->ptrace_traceme ? traced : shared).push_back(i);
    }
    std::vector<std::optional<base::Result<Spawned, SpawnError>>> slots(plans.size());
    std::atomic<std::size_t> next{0};
    // Each worker is suspended while its child sets up and enters execve (CLONE_VFORK), and the
    // child runs on that worker's stack and thread data, which nothing else touches meanwhile.
    auto work = [&](char* stack) {
        for (std::size_t k = next.fetch_add(1); k < shared.size(); k = next.fetch_add(1)) {
            slots[shared[k]] = launch(prepared[shared[k]], stack, method);
        }
    };
    std::size_t helpers = workers > 1 ? std::min<std::size_t>(workers - 1, shared.size()) : 0;
    std::vector<ChildStack> stacks(helpers); // the calling thread has its own
    std::vector<std::thread> threads;
    threads.reserve(stacks.size());
    for (ChildStack& stack : stacks) {
        char* base = stack.get();
        if (base == nullptr) {
            break; // no memory for its child's stack: fewer workers
        }
        try {
            threads.push_back(start_thread ? start_thread([&work, base] { work(base); })
                                           : std::thread(work, base));
        } catch (const std::system_error&) {
            break; // EAGAIN under RLIMIT_NPROC or a pids cgroup: the threads we have do the rest
        } catch (const std::bad_alloc&) {
            break;
        }
    }
    for (std::size_t i : traced) {
        slots[i] = launch(prepared[i], own_child_stack(), method);
    }
    work(own_child_stack());
    for (std::thread& t : threads) {
        t.join();
    }
    std::vector<base::Result<Spawned, SpawnError>> results;
    results.reserve(plans.size());
    for (auto& slot : slots) {
        results.push_back(std::move(*slot));
    }
    return results;
}

} // namespace sys
