// Owns the system-call seam: the abstract Sys interface listing every kernel call startd makes.
// Not here: any policy. Real calls live in linux_sys.cpp; tests substitute a fake (tests/fakes/).
#pragma once

#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "sys/spawn.h"

namespace sys {

using base::Error;
using base::Result;
using base::UniqueFd;

// Monotonic time as CLOCK_MONOTONIC counts it. Deliberately not a std clock: it has no static
// now(), so code can only learn the time from Sys::now() (or the loop), which tests control.
struct MonotonicClock {
    using rep = std::int64_t;
    using period = std::nano;
    using duration = std::chrono::nanoseconds;
    using time_point = std::chrono::time_point<MonotonicClock>;
    static constexpr bool is_steady = true;
};
using Duration = MonotonicClock::duration;
using TimePoint = MonotonicClock::time_point;

inline timespec to_timespec(TimePoint t) {
    auto ns = t.time_since_epoch().count();
    return timespec{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}
inline TimePoint to_time_point(const timespec& ts) {
    return TimePoint(Duration(static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec));
}

// One entry of a directory listing, as getdents64 reports it.
struct DirEntry {
    std::string name;
    unsigned char type = 0; // DT_* value; DT_UNKNOWN means "ask fstatat".
};

// Both ends of a pipe or socket pair.
struct FdPair {
    UniqueFd first;  // the read end of a pipe
    UniqueFd second; // the write end of a pipe
};

// What waitid reports about one child. pid == 0 means "no child changed state" (WNOHANG).
struct ChildStatus {
    pid_t pid = 0;
    int code = 0;   // CLD_EXITED, CLD_KILLED, CLD_DUMPED, CLD_STOPPED, CLD_TRAPPED, CLD_CONTINUED
    int status = 0; // the exit status for CLD_EXITED, otherwise the signal number

    bool exited() const { return code == CLD_EXITED; }
    bool killed() const { return code == CLD_KILLED || code == CLD_DUMPED; }
    bool stopped() const { return code == CLD_STOPPED || code == CLD_TRAPPED; }
    // True once the process is gone (exited or killed), as opposed to stopped or continued.
    bool terminated() const { return exited() || killed(); }
};

// A user as getpwnam_r reports it.
struct UserInfo {
    std::string name;
    uid_t uid = 0;
    gid_t gid = 0;
    std::string home;
    std::string shell;
};

// A group as getgrnam_r reports it.
struct GroupInfo {
    std::string name;
    gid_t gid = 0;
    std::vector<std::string> members;
};

// An AF_UNIX address built from a path, ready for bind() and connect().
struct UnixAddress {
    sockaddr_un addr{};
    socklen_t len = 0;

    // Fails with ENAMETOOLONG if the path does not fit sun_path (108 bytes with its NUL).
    static Result<UnixAddress> from_path(std::string_view path) {
        UnixAddress a;
        if (path.empty() || path.size() >= sizeof a.addr.sun_path) {
            return Error::from_errno("unix socket address", path.empty() ? ENOENT : ENAMETOOLONG,
                                     std::string(path));
        }
        a.addr.sun_family = AF_UNIX;
        path.copy(a.addr.sun_path, path.size());
        a.len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + 1);
        return a;
    }
    const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&addr); }
};

// What receive_datagram got: how many bytes, and who sent them (nullopt: no credentials came).
struct Datagram {
    size_t size = 0;
    std::optional<ucred> sender;
};

enum class NonBlocking { No, Yes };

// Every kernel call of the daemon goes through this interface so tests can fake the kernel.
// Each method is a thin forward to the call of the same name and turns errno into an Error.
// Every fd the real implementation creates is close-on-exec (O_CLOEXEC and friends are added):
// only what a SpawnPlan maps explicitly reaches a child.
class Sys {
public:
    virtual ~Sys() = default;

    // --- files -------------------------------------------------------------------------------
    virtual Result<UniqueFd> open(const char* path, int flags, mode_t mode = 0) = 0;
    virtual Result<UniqueFd> openat(int dirfd, const char* path, int flags, mode_t mode = 0) = 0;
    // Reads at most len bytes; 0 means end of file. EINTR is retried.
    virtual Result<size_t> read(int fd, void* buf, size_t len) = 0;
    // Reads at most len bytes at `offset` of a file, leaving its position alone; 0 past its end.
    virtual Result<size_t> pread(int fd, void* buf, size_t len, off_t offset) = 0;
    // Writes at most len bytes (a short write is not an error). EINTR is retried.
    virtual Result<size_t> write(int fd, const void* buf, size_t len) = 0;
    virtual Result<struct stat> fstatat(int dirfd, const char* path, int flags) = 0;
    virtual Result<struct stat> fstat(int fd) = 0;
    // All entries of an open directory (without "." and ".."), in kernel order.
    virtual Result<std::vector<DirEntry>> read_dir(int dirfd) = 0;
    virtual Result<void> unlink(const char* path) = 0;
    // rename(from, to): replaces `to` atomically.
    virtual Result<void> rename(const char* from, const char* to) = 0;
    virtual Result<void> mkdir(const char* path, mode_t mode) = 0;
    virtual Result<void> rmdir(const char* path) = 0;
    virtual Result<void> chmod(const char* path, mode_t mode) = 0;
    virtual Result<void> fchmod(int fd, mode_t mode) = 0;
    virtual Result<void> fchown(int fd, uid_t uid, gid_t gid) = 0;
    // fsync: the file's data (or a directory's entries) on stable storage.
    virtual Result<void> fsync(int fd) = 0;

    // --- file descriptors --------------------------------------------------------------------
    // pipe2; FdPair::first is the read end.
    virtual Result<FdPair> pipe2(int flags) = 0;
    // O_NONBLOCK on or off (fcntl F_GETFL/F_SETFL).
    virtual Result<void> set_nonblocking(int fd, NonBlocking on) = 0;

    // --- epoll -------------------------------------------------------------------------------
    virtual Result<UniqueFd> epoll_create1(int flags) = 0;
    // op is EPOLL_CTL_ADD/MOD/DEL; events and data fill the epoll_event (ignored for DEL).
    virtual Result<void> epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) = 0;
    // Waits up to timeout_ms (-1: forever) and fills the front of `events`; returns how many.
    // EINTR is returned, not retried: the caller knows how much of its timeout is left.
    virtual Result<size_t> epoll_wait(int epfd, std::span<epoll_event> events, int timeout_ms) = 0;

    // --- signals -----------------------------------------------------------------------------
    // A new signalfd for `mask` (SFD_CLOEXEC is added; pass SFD_NONBLOCK for the loop).
    virtual Result<UniqueFd> signalfd(const sigset_t& mask, int flags) = 0;
    // how is SIG_BLOCK, SIG_UNBLOCK or SIG_SETMASK; returns the previous mask.
    virtual Result<sigset_t> sigprocmask(int how, const sigset_t& set) = 0;

    // --- time --------------------------------------------------------------------------------
    // clock_gettime(CLOCK_MONOTONIC). Cannot fail on Linux, so it returns the time directly.
    virtual TimePoint now() = 0;
    // clock_gettime(CLOCK_BOOTTIME): time since boot, suspend included, as the start times in
    // /proc/PID/stat count it.
    virtual std::chrono::nanoseconds boot_clock() = 0;
    // clock_gettime(CLOCK_REALTIME): the wall clock, which may be set (jump) at any time.
    virtual std::chrono::system_clock::time_point wall_clock() = 0;
    virtual Result<UniqueFd> timerfd_create(int clockid, int flags) = 0;
    // flags is 0 (relative) or TFD_TIMER_ABSTIME; an all-zero it_value disarms the timer.
    virtual Result<void> timerfd_settime(int fd, int flags, const itimerspec& value) = 0;

    // --- processes ---------------------------------------------------------------------------
    // Creates a process that runs `plan` (see sys/spawn.h). On success the child has exec'd (or
    // is stopped for ptrace); on failure the child, if one was created, has been reaped and the
    // error names the step that failed.
    virtual Result<Spawned, SpawnError> spawn(const SpawnPlan& plan) = 0;
    // spawn() of each of `plans`, results in the same order. A real kernel creates them several
    // at a time (sys/spawn.h, spawn_processes); this default, one after another.
    virtual std::vector<Result<Spawned, SpawnError>> spawn_many(std::span<const SpawnPlan* const> plans) {
        std::vector<Result<Spawned, SpawnError>> results;
        results.reserve(plans.size());
        for (const SpawnPlan* plan : plans) {
            results.push_back(spawn(*plan));
        }
        return results;
    }
    // waitid(idtype, id, options). idtype is P_PID, P_PIDFD (id is the pidfd) or P_ALL; options
    // combine WEXITED, WSTOPPED, WCONTINUED, WNOHANG, WNOWAIT. EINTR is retried.
    virtual Result<ChildStatus> waitid(idtype_t idtype, id_t id, int options) = 0;
    virtual Result<void> kill(pid_t pid, int sig) = 0;
    // pidfd_open(pid, 0): an fd that becomes readable when `pid` ends, for a process that is
    // not our child (adopted after a restart: its exit is never reported to us by waitid).
    virtual Result<UniqueFd> pidfd_open(pid_t pid) = 0;
    // getpid() cannot fail, so it returns the pid directly.
    virtual pid_t getpid() = 0;
    // The program this process runs (readlink /proc/self/exe), without the " (deleted)" the
    // kernel adds once the file has been replaced (a package upgrade).
    virtual Result<std::string> executable_path() = 0;
    // execv(file, argv) with this process's environment: replaces the program, keeping the pid,
    // the children and every fd without close-on-exec. Returns only when it fails.
    virtual Result<void> exec(const std::string& file, const std::vector<std::string>& argv) = 0;
    // geteuid() cannot fail, so it returns the uid directly.
    virtual uid_t geteuid() = 0;
    virtual Result<pid_t> getpgid(pid_t pid) = 0;
    // prctl(PR_SET_CHILD_SUBREAPER): orphaned descendants are reparented to us, not to init.
    virtual Result<void> set_child_subreaper(bool on) = 0;
    // getrlimit / setrlimit of this process (RLIMIT_*).
    virtual Result<rlimit> getrlimit(int resource) = 0;
    virtual Result<void> setrlimit(int resource, const rlimit& limit) = 0;

    // --- ptrace (expect fork/daemon) ---------------------------------------------------------
    // Each needs `pid` to be our tracee and in a ptrace-stop, else ESRCH.
    // PTRACE_SETOPTIONS with PTRACE_O_* flags.
    virtual Result<void> ptrace_setoptions(pid_t pid, unsigned options) = 0;
    // PTRACE_CONT, delivering `sig` (0: none) to the tracee.
    virtual Result<void> ptrace_cont(pid_t pid, int sig) = 0;
    // PTRACE_DETACH, delivering `sig` (0: none); the process runs on untraced.
    virtual Result<void> ptrace_detach(pid_t pid, int sig) = 0;
    // PTRACE_GETEVENTMSG: for a fork event, the new child's pid.
    virtual Result<unsigned long> ptrace_geteventmsg(pid_t pid) = 0;

    // --- sockets -----------------------------------------------------------------------------
    virtual Result<UniqueFd> socket(int domain, int type, int protocol) = 0;
    virtual Result<void> bind(int fd, const sockaddr* addr, socklen_t len) = 0;
    virtual Result<void> listen(int fd, int backlog) = 0;
    // accept4 without the peer address (SO_PEERCRED tells who it is); EAGAIN when none waits.
    virtual Result<UniqueFd> accept4(int fd, int flags) = 0;
    virtual Result<void> connect(int fd, const sockaddr* addr, socklen_t len) = 0;
    // getsockopt(SOL_SOCKET, SO_PEERCRED): pid, uid and gid of the peer when it connected.
    virtual Result<ucred> peer_credentials(int fd) = 0;
    // setsockopt(SOL_SOCKET, SO_PASSCRED, 1): every datagram then carries its sender's
    // credentials, checked by the kernel (expect notify).
    virtual Result<void> set_pass_credentials(int fd) = 0;
    // One datagram without blocking (EAGAIN when none waits), with the sender's credentials if
    // the socket passes them. A datagram longer than `buf` is cut short. File descriptors sent
    // along are closed at once.
    virtual Result<Datagram> receive_datagram(int fd, std::span<char> buf) = 0;
    // sendto: one datagram to `addr` (MSG_NOSIGNAL). EINTR is retried.
    virtual Result<void> send_datagram(int fd, const sockaddr* addr, socklen_t len, std::string_view bytes) = 0;

    // --- users and groups (resolved when called, never cached) ------------------------------
    // getpwnam_r / getgrnam_r: nullopt when there is no such entry, an Error when the lookup
    // itself failed (e.g. an unreachable NSS backend).
    virtual Result<std::optional<UserInfo>> lookup_user(const char* name) = 0;
    virtual Result<std::optional<GroupInfo>> lookup_group(const char* name) = 0;
    // getgrouplist: every group `user` belongs to, `gid` included.
    virtual Result<std::vector<gid_t>> group_list(const char* user, gid_t gid) = 0;

    // --- inotify -----------------------------------------------------------------------------
    virtual Result<UniqueFd> inotify_init1(int flags) = 0;
    virtual Result<int> inotify_add_watch(int fd, const char* path, uint32_t mask) = 0;
    virtual Result<void> inotify_rm_watch(int fd, int wd) = 0;
};

// The process-wide real implementation.
Sys& real_sys();

// A signal set from a list of signal numbers (sigemptyset + sigaddset: no system call).
inline sigset_t make_sigset(std::initializer_list<int> signals) {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : signals) {
        sigaddset(&set, sig);
    }
    return set;
}

} // namespace sys
