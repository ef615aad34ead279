// Owns the real system calls behind sys::Sys. Each method forwards to libc and maps errno to Error.
#include "sys/linux_sys.h"

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <thread>
#include <unistd.h>

namespace sys {

Sys& real_sys() {
    static LinuxSys instance;
    return instance;
}

Result<UniqueFd> LinuxSys::open(const char* path, int flags, mode_t mode) {
    int fd = ::open(path, flags | O_CLOEXEC, mode);
    if (fd < 0) {
        return Error::from_errno("open", errno, path);
    }
    return UniqueFd(fd);
}

Result<UniqueFd> LinuxSys::openat(int dirfd, const char* path, int flags, mode_t mode) {
    int fd = ::openat(dirfd, path, flags | O_CLOEXEC, mode);
    if (fd < 0) {
        return Error::from_errno("openat", errno, path);
    }
    return UniqueFd(fd);
}

Result<size_t> LinuxSys::pread(int fd, void* buf, size_t len, off_t offset) {
    for (;;) {
        ssize_t n = ::pread(fd, buf, len, offset);
        if (n >= 0) {
            return static_cast<size_t>(n);
        }
        if (errno != EINTR) {
            return Error::from_errno("pread", errno);
        }
    }
}

Result<size_t> LinuxSys::read(int fd, void* buf, size_t len) {
    for (;;) {
        ssize_t n = ::read(fd, buf, len);
        if (n >= 0) {
            return static_cast<size_t>(n);
        }
        if (errno != EINTR) {
            return Error::from_errno("read", errno);
        }
    }
}

Result<size_t> LinuxSys::write(int fd, const void* buf, size_t len) {
    for (;;) {
        ssize_t n = ::write(fd, buf, len);
        if (n >= 0) {
            return static_cast<size_t>(n);
        }
        if (errno != EINTR) {
            return Error::from_errno("write", errno);
        }
    }
}

Result<struct stat> LinuxSys::fstatat(int dirfd, const char* path, int flags) {
    struct stat st {};
    if (::fstatat(dirfd, path, &st, flags) < 0) {
        return Error::from_errno("fstatat", errno, path);
    }
    return st;
}

Result<struct stat> LinuxSys::fstat(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) < 0) {
        return Error::from_errno("fstat", errno);
    }
    return st;
}

namespace {
// The fixed head of the kernel's struct linux_dirent64; the NUL-terminated name follows it.
struct LinuxDirent64Head {
    ino64_t d_ino;
    off64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
};
constexpr std::size_t dirent_name_offset = offsetof(LinuxDirent64Head, d_type) + 1;
} // namespace

Result<std::vector<DirEntry>> LinuxSys::read_dir(int dirfd) {
    std::vector<DirEntry> entries;
    alignas(8) char buf[32768];
    for (;;) {
        long n = ::syscall(SYS_getdents64, dirfd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return Error::from_errno("getdents64", errno);
        }
        if (n == 0) {
            return entries;
        }
        for (long off = 0; off < n;) {
            auto* d = reinterpret_cast<LinuxDirent64Head*>(buf + off);
            off += d->d_reclen;
            std::string_view name(reinterpret_cast<const char*>(d) + dirent_name_offset);
            if (name == "." || name == "..") {
                continue;
            }
            entries.push_back(DirEntry{std::string(name), d->d_type});
        }
    }
}

namespace {

Result<void> check(const char* call, int rc, std::string_view context = {}) {
    if (rc < 0) {
        return Error::from_errno(call, errno, context);
    }
    return {};
}

Result<UniqueFd> owned(const char* call, int fd, std::string_view context = {}) {
    if (fd < 0) {
        return Error::from_errno(call, errno, context);
    }
    return UniqueFd(fd);
}

Result<FdPair> owned_pair(const char* call, int rc, const int (&fds)[2]) {
    if (rc < 0) {
        return Error::from_errno(call, errno);
    }
    return FdPair{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Lookups with the getxxnam_r convention: grow the buffer on ERANGE.
constexpr std::size_t lookup_buffer_start = 1024;
constexpr std::size_t lookup_buffer_max = 1 << 20;

// getpwnam_r(3): these errors mean "no such entry" for some NSS backends.
bool means_not_found(int err) {
    return err == ENOENT || err == ESRCH || err == EBADF || err == EPERM;
}

} // namespace

Result<void> LinuxSys::unlink(const char* path) {
    return check("unlink", ::unlink(path), path);
}

Result<void> LinuxSys::rename(const char* from, const char* to) {
    return check("rename", ::rename(from, to), to);
}

Result<void> LinuxSys::mkdir(const char* path, mode_t mode) {
    return check("mkdir", ::mkdir(path, mode), path);
}

Result<void> LinuxSys::rmdir(const char* path) {
    return check("rmdir", ::rmdir(path), path);
}

Result<void> LinuxSys::chmod(const char* path, mode_t mode) {
    return check("chmod", ::chmod(path, mode), path);
}

Result<void> LinuxSys::fchmod(int fd, mode_t mode) {
    return check("fchmod", ::fchmod(fd, mode), {});
}

Result<void> LinuxSys::fchown(int fd, uid_t uid, gid_t gid) {
    return check("fchown", ::fchown(fd, uid, gid), {});
}

Result<void> LinuxSys::fsync(int fd) {
    for (;;) {
        if (::fsync(fd) == 0) {
            return {};
        }
        if (errno != EINTR) {
            return Error::from_errno("fsync", errno);
        }
    }
}

Result<FdPair> LinuxSys::pipe2(int flags) {
    int fds[2] = {-1, -1};
    return owned_pair("pipe2", ::pipe2(fds, flags | O_CLOEXEC), fds);
}

Result<void> LinuxSys::set_nonblocking(int fd, NonBlocking on) {
    int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0) {
        return Error::from_errno("fcntl F_GETFL", errno);
    }
    flags = on == NonBlocking::Yes ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
    return check("fcntl F_SETFL", ::fcntl(fd, F_SETFL, flags));
}

Result<UniqueFd> LinuxSys::epoll_create1(int flags) {
    return owned("epoll_create1", ::epoll_create1(flags | EPOLL_CLOEXEC));
}

Result<void> LinuxSys::epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = data;
    return check("epoll_ctl", ::epoll_ctl(epfd, op, fd, &ev));
}

Result<size_t> LinuxSys::epoll_wait(int epfd, std::span<epoll_event> events, int timeout_ms) {
    int n = ::epoll_wait(epfd, events.data(), static_cast<int>(events.size()), timeout_ms);
    if (n < 0) {
        return Error::from_errno("epoll_wait", errno);
    }
    return static_cast<size_t>(n);
}

Result<UniqueFd> LinuxSys::signalfd(const sigset_t& mask, int flags) {
    return owned("signalfd", ::signalfd(-1, &mask, flags | SFD_CLOEXEC));
}

Result<sigset_t> LinuxSys::sigprocmask(int how, const sigset_t& set) {
    sigset_t old;
    sigemptyset(&old);
    if (int err = ::pthread_sigmask(how, &set, &old); err != 0) {
        return Error::from_errno("sigprocmask", err);
    }
    return old;
}

TimePoint LinuxSys::now() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return to_time_point(ts);
}

std::chrono::nanoseconds LinuxSys::boot_clock() {
    timespec ts{};
    ::clock_gettime(CLOCK_BOOTTIME, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

std::chrono::system_clock::time_point LinuxSys::wall_clock() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
        std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec)));
}

Result<UniqueFd> LinuxSys::timerfd_create(int clockid, int flags) {
    return owned("timerfd_create", ::timerfd_create(clockid, flags | TFD_CLOEXEC));
}

Result<void> LinuxSys::timerfd_settime(int fd, int flags, const itimerspec& value) {
    return check("timerfd_settime", ::timerfd_settime(fd, flags, &value, nullptr));
}

Result<Spawned, SpawnError> LinuxSys::spawn(const SpawnPlan& plan) {
    return spawn_process(plan, m_spawn_method);
}

std::vector<Result<Spawned, SpawnError>> LinuxSys::spawn_many(std::span<const SpawnPlan* const> plans) {
    // One thread per CPU: each is suspended while its child runs, so more would only queue.
    // Small batches (a respawn) stay in the calling thread.
    constexpr std::size_t min_parallel = 4;
    unsigned cpus = std::clamp(std::thread::hardware_concurrency(), 1U, 8U);
    return spawn_processes(plans, plans.size() >= min_parallel ? cpus : 1, m_spawn_method);
}

Result<ChildStatus> LinuxSys::waitid(idtype_t idtype, id_t id, int options) {
    siginfo_t info{};
    while (::waitid(idtype, id, &info, options) < 0) {
        if (errno != EINTR) {
            return Error::from_errno("waitid", errno);
        }
    }
    return ChildStatus{info.si_pid, info.si_code, info.si_status};
}

Result<void> LinuxSys::kill(pid_t pid, int sig) {
    return check("kill", ::kill(pid, sig));
}

Result<UniqueFd> LinuxSys::pidfd_open(pid_t pid) {
    // pidfd_open(2) makes close-on-exec fds by itself.
    return owned("pidfd_open", static_cast<int>(::syscall(SYS_pidfd_open, pid, 0U)));
}

Result<std::string> LinuxSys::executable_path() {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf);
    if (n < 0) {
        return Error::from_errno("readlink", errno, "/proc/self/exe");
    }
    std::string path(buf, static_cast<std::size_t>(n));
    constexpr std::string_view deleted = " (deleted)";
    if (path.size() > deleted.size() && path.compare(path.size() - deleted.size(), deleted.size(), deleted) == 0) {
        path.resize(path.size() - deleted.size());
    }
    return path;
}

Result<void> LinuxSys::exec(const std::string& file, const std::vector<std::string>& argv) {
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const std::string& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    ::execv(file.c_str(), args.data());
    return Error::from_errno("execv", errno, file);
}

pid_t LinuxSys::getpid() {
    return ::getpid();
}

uid_t LinuxSys::geteuid() {
    return ::geteuid();
}

Result<pid_t> LinuxSys::getpgid(pid_t pid) {
    pid_t pgid = ::getpgid(pid);
    if (pgid < 0) {
        return Error::from_errno("getpgid", errno);
    }
    return pgid;
}

Result<void> LinuxSys::set_child_subreaper(bool on) {
    return check("prctl PR_SET_CHILD_SUBREAPER", ::prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0, 0, 0, 0));
}

Result<rlimit> LinuxSys::getrlimit(int resource) {
    rlimit value{};
    if (::getrlimit(static_cast<__rlimit_resource_t>(resource), &value) < 0) {
        return Error::from_errno("getrlimit", errno);
    }
    return value;
}

Result<void> LinuxSys::setrlimit(int resource, const rlimit& limit) {
    return check("setrlimit", ::setrlimit(static_cast<__rlimit_resource_t>(resource), &limit));
}

Result<void> LinuxSys::set_pass_credentials(int fd) {
    int on = 1;
    return check("setsockopt SO_PASSCRED", ::setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
}

Result<void> LinuxSys::send_datagram(int fd, const sockaddr* addr, socklen_t len, std::string_view bytes) {
    ssize_t n;
    do {
        n = ::sendto(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL, addr, len);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return Error::from_errno("sendto", errno);
    }
    return {};
}

Result<Datagram> LinuxSys::receive_datagram(int fd, std::span<char> buf) {
    iovec iov{buf.data(), buf.size()};
    // Room for the credentials and a few descriptors (which we close: nobody asked for them).
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred)) + CMSG_SPACE(sizeof(int) * 16)];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
        n = ::recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        return Error::from_errno("recvmsg", errno);
    }
    Datagram d;
    d.size = std::min(static_cast<size_t>(n), buf.size());
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET) {
            continue;
        }
        if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(ucred))) {
            ucred cred;
            std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
            d.sender = cred;
        } else if (c->cmsg_type == SCM_RIGHTS) {
            size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < count; ++i) {
                int passed;
                std::memcpy(&passed, CMSG_DATA(c) + i * sizeof(int), sizeof passed);
                ::close(passed);
            }
        }
    }
    return d;
}

// ptrace's data argument carries an integer (options, a signal) in a pointer-sized slot.
Result<void> LinuxSys::ptrace_setoptions(pid_t pid, unsigned options) {
    return check("ptrace PTRACE_SETOPTIONS",
                 static_cast<int>(::ptrace(PTRACE_SETOPTIONS, pid, nullptr, reinterpret_cast<void*>(std::uintptr_t{options}))));
}

Result<void> LinuxSys::ptrace_cont(pid_t pid, int sig) {
    return check("ptrace PTRACE_CONT",
                 static_cast<int>(::ptrace(PTRACE_CONT, pid, nullptr, reinterpret_cast<void*>(static_cast<std::intptr_t>(sig)))));
}

Result<void> LinuxSys::ptrace_detach(pid_t pid, int sig) {
    return check("ptrace PTRACE_DETACH",
                 static_cast<int>(::ptrace(PTRACE_DETACH, pid, nullptr, reinterpret_cast<void*>(static_cast<std::intptr_t>(sig)))));
}

Result<unsigned long> LinuxSys::ptrace_geteventmsg(pid_t pid) {
    unsigned long message = 0;
    if (::ptrace(PTRACE_GETEVENTMSG, pid, nullptr, &message) < 0) {
        return Error::from_errno("ptrace PTRACE_GETEVENTMSG", errno);
    }
    return message;
}

Result<UniqueFd> LinuxSys::socket(int domain, int type, int protocol) {
    return owned("socket", ::socket(domain, type | SOCK_CLOEXEC, protocol));
}

Result<void> LinuxSys::bind(int fd, const sockaddr* addr, socklen_t len) {
    return check("bind", ::bind(fd, addr, len));
}

Result<void> LinuxSys::listen(int fd, int backlog) {
    return check("listen", ::listen(fd, backlog));
}

Result<UniqueFd> LinuxSys::accept4(int fd, int flags) {
    return owned("accept4", ::accept4(fd, nullptr, nullptr, flags | SOCK_CLOEXEC));
}

Result<void> LinuxSys::connect(int fd, const sockaddr* addr, socklen_t len) {
    return check("connect", ::connect(fd, addr, len));
}

Result<ucred> LinuxSys::peer_credentials(int fd) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        return Error::from_errno("getsockopt SO_PEERCRED", errno);
    }
    return cred;
}

Result<std::optional<UserInfo>> LinuxSys::lookup_user(const char* name) {
    std::vector<char> buf(lookup_buffer_start);
    for (;;) {
        passwd pw{};
        passwd* found = nullptr;
        int err = ::getpwnam_r(name, &pw, buf.data(), buf.size(), &found);
        if (err == ERANGE && buf.size() < lookup_buffer_max) {
            buf.resize(buf.size() * 2);
            continue;
        }
        if (err != 0 && !means_not_found(err)) {
            return Error::from_errno("getpwnam_r", err, name);
        }
        if (err != 0 || found == nullptr) {
            return std::optional<UserInfo>{};
        }
        return std::optional<UserInfo>(UserInfo{pw.pw_name, pw.pw_uid, pw.pw_gid, pw.pw_dir ? pw.pw_dir : "",
                                                pw.pw_shell ? pw.pw_shell : ""});
    }
}

Result<std::optional<GroupInfo>> LinuxSys::lookup_group(const char* name) {
    std::vector<char> buf(lookup_buffer_start);
    for (;;) {
        group gr{};
        group* found = nullptr;
        int err = ::getgrnam_r(name, &gr, buf.data(), buf.size(), &found);
        if (err == ERANGE && buf.size() < lookup_buffer_max) {
            buf.resize(buf.size() * 2);
            continue;
        }
        if (err != 0 && !means_not_found(err)) {
            return Error::from_errno("getgrnam_r", err, name);
        }
        if (err != 0 || found == nullptr) {
            return std::optional<GroupInfo>{};
        }
        GroupInfo info{gr.gr_name, gr.gr_gid, {}};
        for (char** member = gr.gr_mem; member && *member; ++member) {
            info.members.emplace_back(*member);
        }
        return std::optional<GroupInfo>(std::move(info));
    }
}

Result<std::vector<gid_t>> LinuxSys::group_list(const char* user, gid_t gid) {
    std::vector<gid_t> groups(32);
    for (;;) {
        int count = static_cast<int>(groups.size());
        int rc = ::getgrouplist(user, gid, groups.data(), &count);
        if (rc >= 0) {
            groups.resize(static_cast<size_t>(rc));
            return groups;
        }
        if (static_cast<size_t>(count) <= groups.size()) {
            return Error::from_errno("getgrouplist", EINVAL, user);
        }
        groups.resize(static_cast<size_t>(count)); // count now says how many there are
    }
}

Result<UniqueFd> LinuxSys::inotify_init1(int flags) {
    return owned("inotify_init1", ::inotify_init1(flags | IN_CLOEXEC));
}

Result<int> LinuxSys::inotify_add_watch(int fd, const char* path, uint32_t mask) {
    int wd = ::inotify_add_watch(fd, path, mask);
    if (wd < 0) {
        return Error::from_errno("inotify_add_watch", errno, path);
    }
    return wd;
}

Result<void> LinuxSys::inotify_rm_watch(int fd, int wd) {
    return check("inotify_rm_watch", ::inotify_rm_watch(fd, wd));
}

} // namespace sys
