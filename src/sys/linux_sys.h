// Owns LinuxSys: the real Sys, one forwarding call per method, errno turned into Error. Nothing else.
#pragma once

#include "sys/sys.h"

namespace sys {

class LinuxSys final : public Sys {
public:
    // `spawn_method` exists for tests that must cover the fork + pidfd_open fallback on a kernel
    // that has clone3; the daemon uses the default.
    explicit LinuxSys(SpawnMethod spawn_method = SpawnMethod::Auto) : m_spawn_method(spawn_method) {}

    Result<UniqueFd> open(const char* path, int flags, mode_t mode = 0) override;
    Result<UniqueFd> openat(int dirfd, const char* path, int flags, mode_t mode = 0) override;
    Result<size_t> read(int fd, void* buf, size_t len) override;
    Result<size_t> pread(int fd, void* buf, size_t len, off_t offset) override;
    Result<size_t> write(int fd, const void* buf, size_t len) override;
    Result<struct stat> fstatat(int dirfd, const char* path, int flags) override;
    Result<struct stat> fstat(int fd) override;
    Result<std::vector<DirEntry>> read_dir(int dirfd) override;
    Result<void> unlink(const char* path) override;
    Result<void> rename(const char* from, const char* to) override;
    Result<void> mkdir(const char* path, mode_t mode) override;
    Result<void> rmdir(const char* path) override;
    Result<void> chmod(const char* path, mode_t mode) override;
    Result<void> fchmod(int fd, mode_t mode) override;
    Result<void> fchown(int fd, uid_t uid, gid_t gid) override;
    Result<void> fsync(int fd) override;

    Result<FdPair> pipe2(int flags) override;
    Result<void> set_nonblocking(int fd, NonBlocking on) override;

    Result<UniqueFd> epoll_create1(int flags) override;
    Result<void> epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) override;
    Result<size_t> epoll_wait(int epfd, std::span<epoll_event> events, int timeout_ms) override;

    Result<UniqueFd> signalfd(const sigset_t& mask, int flags) override;
    Result<sigset_t> sigprocmask(int how, const sigset_t& set) override;

    TimePoint now() override;
    std::chrono::nanoseconds boot_clock() override;
    std::chrono::system_clock::time_point wall_clock() override;
    Result<UniqueFd> timerfd_create(int clockid, int flags) override;
    Result<void> timerfd_settime(int fd, int flags, const itimerspec& value) override;

    Result<Spawned, SpawnError> spawn(const SpawnPlan& plan) override;
    std::vector<Result<Spawned, SpawnError>> spawn_many(std::span<const SpawnPlan* const> plans) override;
    Result<ChildStatus> waitid(idtype_t idtype, id_t id, int options) override;
    Result<void> kill(pid_t pid, int sig) override;
    Result<UniqueFd> pidfd_open(pid_t pid) override;
    pid_t getpid() override;
    Result<std::string> executable_path() override;
    Result<void> exec(const std::string& file, const std::vector<std::string>& argv) override;
    uid_t geteuid() override;
    Result<pid_t> getpgid(pid_t pid) override;
    Result<void> set_child_subreaper(bool on) override;
    Result<rlimit> getrlimit(int resource) override;
    Result<void> setrlimit(int resource, const rlimit& limit) override;
    Result<void> set_pass_credentials(int fd) override;
    Result<Datagram> receive_datagram(int fd, std::span<char> buf) override;
    Result<void> send_datagram(int fd, const sockaddr* addr, socklen_t len, std::string_view bytes) override;
    Result<void> ptrace_setoptions(pid_t pid, unsigned options) override;
    Result<void> ptrace_cont(pid_t pid, int sig) override;
    Result<void> ptrace_detach(pid_t pid, int sig) override;
    Result<unsigned long> ptrace_geteventmsg(pid_t pid) override;

    Result<UniqueFd> socket(int domain, int type, int protocol) override;
    Result<void> bind(int fd, const sockaddr* addr, socklen_t len) override;
    Result<void> listen(int fd, int backlog) override;
    Result<UniqueFd> accept4(int fd, int flags) override;
    Result<void> connect(int fd, const sockaddr* addr, socklen_t len) override;
    Result<ucred> peer_credentials(int fd) override;

    Result<std::optional<UserInfo>> lookup_user(const char* name) override;
    Result<std::optional<GroupInfo>> lookup_group(const char* name) override;
    Result<std::vector<gid_t>> group_list(const char* user, gid_t gid) override;

    Result<UniqueFd> inotify_init1(int flags) override;
    Result<int> inotify_add_watch(int fd, const char* path, uint32_t mask) override;
    Result<void> inotify_rm_watch(int fd, int wd) override;

private:
    SpawnMethod m_spawn_method;
};

} // namespace sys
