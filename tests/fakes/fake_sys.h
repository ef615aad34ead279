// Owns FakeSys: a stateful fake kernel behind sys::Sys for unit tests (dinit's bp_sys idea).
// Not here: scripting a whole supervisor scenario (tests build those from these verbs).
//
// What it models: an fd table (files and directories in memory, pipes, Unix stream sockets,
// Unix datagram sockets that send (what they sent is recorded),
// epoll, signalfd, timerfd, pidfd, inotify), a process table filled by spawn(), signals sent and
// received, a monotonic clock that only moves when a test calls advance(), users and groups.
// Readiness for epoll_wait is computed from that state, so a test drives the code under test by
// changing the world (exit_process, advance, feed, raise_signal) and letting the loop run.
//
// Fake fds are real numbers: each is the write end of a real pipe whose read end the fake
// keeps. When the code under test closes one (a UniqueFd going out of scope, which calls
// ::close), the fake sees POLLHUP on its end and treats the fd as closed: pipe peers see EOF,
// epoll forgets it, open_fds() no longer lists it.
//
// Anything it does not model, and every call that would block forever, fails the test loudly
// (ADD_FAILURE) and returns an error. Unused fail_next() injections fail the test at the end.
#pragma once

#include <fcntl.h>
#include <sys/signalfd.h>

#include <deque>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sys/sys.h"

namespace fakes {

namespace detail {

// One direction of a pipe or socket: bytes in flight and how many fds can read or write it.
struct Channel {
    std::string data;
    int readers = 0;
    int writers = 0;
    bool hung_up = false; // the test said the writing side is gone (FakeSys::hang_up)
    std::size_t capacity = static_cast<std::size_t>(-1); // a full channel takes no more writes
};

struct Node {
    enum class Type { File, Dir, Socket, Fifo } type = Type::File;
    std::string content;
    mode_t mode = 0644;
    uid_t uid = 0;
    gid_t gid = 0;
};

enum class FdKind { Console, File, Dir, Stream, Socket, Listener, Epoll, Signal, Timer, Pid, Inotify };

struct Interest {
    uint32_t events = 0;
    uint64_t data = 0;
    bool disabled = false; // EPOLLONESHOT fired
};

struct InotifyState {
    std::string queue; // encoded inotify_event records
    std::map<int, std::string> watches;
    int next_wd = 1;
};

struct FakeFd {
    FdKind kind = FdKind::Console;
    base::UniqueFd sentinel; // read end of the real pipe whose write end is this fd's number
    base::UniqueFd held;     // the fd itself while the fake owns it (connections not yet accepted)
    bool nonblock = false;
    std::string captured; // every byte written through this fd
    // File, Dir, Listener, bound Socket
    std::string path;
    std::size_t offset = 0;
    int access = O_RDWR; // O_RDONLY, O_WRONLY or O_RDWR
    bool append = false;
    // Stream
    std::shared_ptr<Channel> in;
    std::shared_ptr<Channel> out;
    bool is_socket = false;
    std::optional<ucred> peer;
    // Socket: SOCK_DGRAM (send_datagram) rather than SOCK_STREAM
    bool datagram = false;
    // Listener
    bool listening = false;
    std::deque<int> pending;
    // Epoll
    std::map<int, Interest> interest;
    // Signal
    sigset_t mask{};
    // Timer
    std::optional<sys::TimePoint> deadline;
    sys::Duration interval{};
    uint64_t expirations = 0;
    // Pid
    pid_t pid = 0;
    // Inotify
    std::shared_ptr<InotifyState> inotify;
};

// "/a/./b//c/../d" → "/a/b/d". Paths are absolute.
std::string normalize(std::string_view path);
std::string parent_of(const std::string& path);
inline sys::Error fail(const char* call, int err, std::string_view context = {}) {
    return sys::Error::from_errno(call, err, context);
}

} // namespace detail

class FakeSys final : public sys::Sys {
public:
    // A process in the fake's table: a child created by spawn() (or added by a test).
    struct Process {
        enum class State { Running, Zombie, Reaped };
        pid_t pid = 0;
        sys::SpawnPlan plan;
        State state = State::Running;
        sys::ChildStatus status;                 // valid once Zombie
        std::optional<sys::ChildStatus> stopped; // a stop not yet reported by waitid(WSTOPPED)
        pid_t pgid = 0;
        pid_t sid = 0;
        std::vector<detail::FakeFd> held_fds; // the child's copies of mapped pipes and sockets
    };
    struct SentSignal {
        pid_t pid = 0; // negative: a process group
        int sig = 0;
    };

    FakeSys();
    ~FakeSys() override;
    FakeSys(const FakeSys&) = delete;
    FakeSys& operator=(const FakeSys&) = delete;

    // --- files (paths are absolute; parents are created as needed) ---------------------------
    void add_file(const std::string& path, std::string content, mode_t mode = 0644);
    void add_dir(const std::string& path, mode_t mode = 0755);
    // A named pipe nobody writes to: a blocking open for reading would wait forever (the fake
    // fails the test instead); opened O_NONBLOCK it reads as empty.
    void add_fifo(const std::string& path);
    // Called with the full path at the start of every open/openat, before the path is looked
    // up: lets a test change the file system between a stat and the open that follows it.
    void before_open(std::function<void(const std::string&)> hook) { m_before_open = std::move(hook); }
    // Who owns path (a test playing another user who created it first).
    void set_owner(const std::string& path, uid_t uid);
    bool exists(const std::string& path) const;
    std::optional<std::string> file_content(const std::string& path) const;
    std::optional<mode_t> file_mode(const std::string& path) const;
    // Directories below `mount` behave as cgroup v2 does: mkdir makes an empty cgroup.procs in
    // the new directory, rmdir removes a directory with the (control) files in it, and fails
    // with EBUSY while a directory is below it or its cgroup.procs lists a process. Elsewhere
    // rmdir fails with ENOTEMPTY unless the directory is empty.
    void add_cgroup2_mount(const std::string& mount);
    // read_dir reports DT_UNKNOWN for every entry, as some filesystems do.
    void set_dirent_types_unknown(bool unknown) { m_dirent_unknown = unknown; }

    // --- streams (pipes, sockets, the console on 0/1/2) -------------------------------------
    // Bytes become readable on fd, as if its peer had written them.
    void feed(int fd, std::string_view bytes);
    // fd's peer is gone: once drained, reads return 0 and epoll reports EPOLLHUP.
    void hang_up(int fd);
    // At most `bytes` wait to be read on fd: its peer's writes past that are short, then EAGAIN
    // (a socket buffer that fills because fd is not read).
    void limit_buffer(int fd, std::size_t bytes);
    // Everything written through fd so far (fd must still be open).
    std::string written(int fd) const;
    // A client connected to the listening socket bound at `path`, with these credentials as the
    // server will see them. The test owns the client end.
    base::UniqueFd connect_client(const std::string& path, ucred creds);
    // Fake fds currently open, in ascending order (0, 1, 2 excluded).
    std::vector<int> open_fds();
    bool is_open(int fd);
    // The epoll events fd would report now (for tests that drive readiness by hand).
    uint32_t ready_events(int fd);
    // The path an open file, directory or listening socket fd was opened on ("" for others).
    std::string fd_path(int fd);

    // --- time ------------------------------------------------------------------------------
    // Moves the monotonic clock forward and fires every timerfd whose deadline has passed.
    void advance(sys::Duration by);
    // Moves the clock to the earliest armed timerfd deadline; false if none is armed.
    bool advance_to_next_timer();

    // --- processes -------------------------------------------------------------------------
    const std::vector<pid_t>& spawned() const { return m_spawned; }
    // Every plan passed to spawn, the failed ones included, in order.
    const std::vector<sys::SpawnPlan>& spawn_attempts() const { return m_spawn_attempts; }
    const Process& process(pid_t pid) const;
    bool has_process(pid_t pid) const { return m_processes.count(pid) != 0; }
    // A running child that spawn() did not create (an orphan reparented to a subreaper).
    pid_t add_child_process();
    // The child terminates: its pidfds become readable, waitid can reap it, SIGCHLD is raised.
    void exit_process(pid_t pid, int exit_status);
    void kill_process(pid_t pid, int sig, bool core_dumped = false);
    // The child stops (reported once by waitid with WSTOPPED; SIGCHLD is raised).
    void stop_process(pid_t pid, int sig, bool traced = false);
    // The next spawn fails in the child at `stage` with `err` (the plan is still recorded).
    void fail_spawn_at(sys::SpawnStage stage, int err);
    // The child writes `bytes` on its fd `child_fd` (one the plan mapped: 1 for its stdout), as
    // a job's output reaches a console-log pipe. False when the child holds no such stream.
    bool write_as_child(pid_t pid, int child_fd, std::string_view bytes);
    // Without pidfd support spawn() gives no pidfd and pidfd_open fails with ENOSYS.
    void set_pidfd_supported(bool supported) { m_pidfd_supported = supported; }
    const std::vector<SentSignal>& signals_sent() const { return m_signals_sent; }
    pid_t self_pid() const { return m_self; }
    void set_self_pid(pid_t pid) { m_self = pid; }
    // The effective uid geteuid() reports: 0 (system mode) unless a test says otherwise.
    void set_euid(uid_t uid) { m_euid = uid; }
    bool subreaper() const { return m_subreaper; }
    // This process's limits, as getrlimit reports them; setrlimit checks what the kernel does
    // (soft <= hard, hard raised only as root, RLIMIT_NOFILE at most nr_open) and changes them.
    void set_rlimit(int resource, rlimit limit) { m_rlimits[resource] = limit; }
    rlimit rlimit_of(int resource) const;
    void set_nr_open(rlim_t max) { m_nr_open = max; }

    // --- datagrams --------------------------------------------------------------------------
    // A datagram waits on fd for receive_datagram (epoll readiness is not modelled for it).
    void queue_datagram(int fd, std::string bytes, std::optional<ucred> sender) {
        m_datagrams[fd].push_back({std::move(bytes), sender});
    }
    bool passes_credentials(int fd) const { return m_pass_credentials.count(fd) != 0; }
    // A datagram the code under test sent: to "@name" (abstract) or "/path", and its bytes.
    struct SentDatagram {
        std::string to;
        std::string bytes;
    };
    const std::vector<SentDatagram>& sent_datagrams() const { return m_sent_datagrams; }

    // --- ptrace ----------------------------------------------------------------------------
    // Every ptrace call, in order: "setoptions 1000 0x3", "cont 1000 0", "detach 1001 0",
    // "geteventmsg 1000". They succeed for any process in the table that is not reaped.
    const std::vector<std::string>& ptrace_log() const { return m_ptrace_log; }
    // What PTRACE_GETEVENTMSG returns for `pid` (the new child's pid after a fork event).
    void set_event_message(pid_t pid, unsigned long message) { m_event_messages[pid] = message; }

    // --- signals to this process -----------------------------------------------------------
    // A signal arrives. Blocked: it stays pending until a signalfd reads it. Not blocked: it is
    // discarded if its default action is to ignore it, otherwise the test fails (it would have
    // killed the real process).
    void raise_signal(int sig, pid_t from = 0, int code = SI_USER, int status = 0);
    const sigset_t& blocked_signals() const { return m_blocked; }
    bool is_pending(int sig) const;

    // --- users, groups, inotify ------------------------------------------------------------
    void add_user(sys::UserInfo user) { m_users[user.name] = std::move(user); }
    void add_group(sys::GroupInfo group) { m_groups[group.name] = std::move(group); }
    // Queues an event on every inotify watch of `dir` (the path given to inotify_add_watch).
    void push_inotify_event(const std::string& dir, uint32_t mask, const std::string& name);

    // --- epoll waits -----------------------------------------------------------------------
    // Called when epoll_wait would block forever (nothing ready, infinite timeout): the hook is
    // "the world moving while the loop sleeps". Without a hook such a wait fails the test.
    void when_blocked(std::function<void()> hook) { m_when_blocked = std::move(hook); }
    // The timeout of every epoll_wait call so far.
    const std::vector<int>& epoll_timeouts() const { return m_epoll_timeouts; }

    // --- fault injection and call log ------------------------------------------------------
    // The call named `call` (a Sys method name; "fork" means spawn's fork stage) fails with
    // `err` after `skip` more successful calls. Injections queue per call.
    void fail_next(const std::string& call, int err, int skip = 0);
    // Drops the injections not consumed yet (a fuzzer injects at random and cannot know).
    void clear_injections() { m_injections.clear(); }
    int call_count(std::string_view call) const;
    // Asked at every call for which no fail_next() injection is due: an errno makes the call
    // fail with it. For randomised fault tests; an empty function turns it off. "spawn_many"
    // is asked too: an errno there throws std::system_error, as LinuxSys does when a worker
    // thread cannot be created, and the batch's plans are recorded in spawn_attempts().
    // epoll_ctl is asked as "epoll_ctl ADD", "epoll_ctl MOD" or "epoll_ctl DEL": only adding a
    // watch allocates, so only ADD really fails with ENOMEM or ENOSPC.
    void fail_when(std::function<std::optional<int>(std::string_view call)> policy) { m_policy = std::move(policy); }
    const std::vector<std::string>& calls() const { return m_calls; }

    // --- Sys --------------------------------------------------------------------------------
    sys::Result<base::UniqueFd> open(const char* path, int flags, mode_t mode = 0) override;
    sys::Result<base::UniqueFd> openat(int dirfd, const char* path, int flags, mode_t mode = 0) override;
    sys::Result<size_t> read(int fd, void* buf, size_t len) override;
    sys::Result<size_t> pread(int fd, void* buf, size_t len, off_t offset) override;
    sys::Result<size_t> write(int fd, const void* buf, size_t len) override;
    sys::Result<struct stat> fstatat(int dirfd, const char* path, int flags) override;
    sys::Result<struct stat> fstat(int fd) override;
    sys::Result<std::vector<sys::DirEntry>> read_dir(int dirfd) override;
    sys::Result<void> unlink(const char* path) override;
    sys::Result<void> rename(const char* from, const char* to) override;
    sys::Result<void> mkdir(const char* path, mode_t mode) override;
    sys::Result<void> rmdir(const char* path) override;
    sys::Result<void> chmod(const char* path, mode_t mode) override;
    sys::Result<void> fchmod(int fd, mode_t mode) override;
    sys::Result<void> fchown(int fd, uid_t uid, gid_t gid) override;
    sys::Result<void> fsync(int fd) override;

    sys::Result<sys::FdPair> pipe2(int flags) override;
    sys::Result<void> set_nonblocking(int fd, sys::NonBlocking on) override;

    sys::Result<base::UniqueFd> epoll_create1(int flags) override;
    sys::Result<void> epoll_ctl(int epfd, int op, int fd, uint32_t events, uint64_t data) override;
    sys::Result<size_t> epoll_wait(int epfd, std::span<epoll_event> events, int timeout_ms) override;

    sys::Result<base::UniqueFd> signalfd(const sigset_t& mask, int flags) override;
    sys::Result<sigset_t> sigprocmask(int how, const sigset_t& set) override;

    sys::TimePoint now() override { return m_now; }
    // The boot clock: the monotonic clock plus boot_offset (set_boot_offset; suspend never
    // happens in the fake, so the two move together).
    std::chrono::nanoseconds boot_clock() override { return m_now.time_since_epoch() + m_boot_offset; }
    void set_boot_offset(std::chrono::nanoseconds offset) { m_boot_offset = offset; }
    // The wall clock: the monotonic clock plus an offset that tests set (set_wall_clock) or
    // move at once (jump_wall_clock: the clock being set, or NTP stepping it).
    std::chrono::system_clock::time_point wall_clock() override {
        return std::chrono::system_clock::time_point(
            std::chrono::duration_cast<std::chrono::system_clock::duration>(m_now.time_since_epoch() + m_wall_offset));
    }
    void set_wall_clock(std::chrono::system_clock::time_point at) {
        m_wall_offset = at.time_since_epoch() - m_now.time_since_epoch();
    }
    void jump_wall_clock(std::chrono::nanoseconds by) { m_wall_offset += by; }
    sys::Result<base::UniqueFd> timerfd_create(int clockid, int flags) override;
    sys::Result<void> timerfd_settime(int fd, int flags, const itimerspec& value) override;

    sys::Result<sys::Spawned, sys::SpawnError> spawn(const sys::SpawnPlan& plan) override;
    // spawn() of each plan, after a "spawn_many" injection point (see fail_when).
    std::vector<sys::Result<sys::Spawned, sys::SpawnError>> spawn_many(std::span<const sys::SpawnPlan* const> plans) override;
    sys::Result<sys::ChildStatus> waitid(idtype_t idtype, id_t id, int options) override;
    sys::Result<void> kill(pid_t pid, int sig) override;
    sys::Result<base::UniqueFd> pidfd_open(pid_t pid) override;
    pid_t getpid() override { return m_self; }
    sys::Result<std::string> executable_path() override { return std::string("/usr/sbin/startd"); }
    // The fake cannot replace the test's program: it records the call and fails with ENOEXEC,
    // as a file that is not a program would.
    sys::Result<void> exec(const std::string& file, const std::vector<std::string>& argv) override;
    const std::vector<std::vector<std::string>>& execs() const { return m_execs; }
    uid_t geteuid() override { return m_euid; }
    sys::Result<pid_t> getpgid(pid_t pid) override;
    sys::Result<void> set_child_subreaper(bool on) override;
    sys::Result<rlimit> getrlimit(int resource) override;
    sys::Result<void> setrlimit(int resource, const rlimit& limit) override;
    sys::Result<void> ptrace_setoptions(pid_t pid, unsigned options) override;
    sys::Result<void> ptrace_cont(pid_t pid, int sig) override;
    sys::Result<void> ptrace_detach(pid_t pid, int sig) override;
    sys::Result<unsigned long> ptrace_geteventmsg(pid_t pid) override;

    sys::Result<base::UniqueFd> socket(int domain, int type, int protocol) override;
    sys::Result<void> bind(int fd, const sockaddr* addr, socklen_t len) override;
    sys::Result<void> listen(int fd, int backlog) override;
    sys::Result<base::UniqueFd> accept4(int fd, int flags) override;
    sys::Result<void> connect(int fd, const sockaddr* addr, socklen_t len) override;
    sys::Result<ucred> peer_credentials(int fd) override;
    sys::Result<void> set_pass_credentials(int fd) override;
    sys::Result<sys::Datagram> receive_datagram(int fd, std::span<char> buf) override;
    sys::Result<void> send_datagram(int fd, const sockaddr* addr, socklen_t len, std::string_view bytes) override;

    sys::Result<std::optional<sys::UserInfo>> lookup_user(const char* name) override;
    sys::Result<std::optional<sys::GroupInfo>> lookup_group(const char* name) override;
    sys::Result<std::vector<gid_t>> group_list(const char* user, gid_t gid) override;

    sys::Result<base::UniqueFd> inotify_init1(int flags) override;
    sys::Result<int> inotify_add_watch(int fd, const char* path, uint32_t mask) override;
    sys::Result<void> inotify_rm_watch(int fd, int wd) override;

private:
    using FakeFd = detail::FakeFd;

    // Logs the call and returns the injected errno, if one is due.
    std::optional<int> enter(const char* call);
    std::optional<int> take_injection(std::string_view call);
    // A new fake fd holding `entry`; the caller wraps the number in a UniqueFd.
    int make_fd(FakeFd entry);
    // The open fd `fd`, or nullptr after a loud failure (`call` names the caller).
    FakeFd* find(int fd, const char* call);
    FakeFd* find_kind(int fd, detail::FdKind kind, const char* call);
    // Forgets every fd the code under test has closed since the last sweep.
    void sweep();
    void forget(int fd, FakeFd& entry);
    // A second reference to what `entry` refers to (dup, or a child's inherited copy).
    FakeFd copy_of(const FakeFd& entry);
    void release_channels(FakeFd& entry);
    uint32_t readiness(const FakeFd& entry) const;
    size_t collect(FakeFd& epoll, std::span<epoll_event> events);
    std::string resolve(int dirfd, const char* path, const char* call);
    sys::Result<base::UniqueFd> open_path(const std::string& full, int flags, mode_t mode, const char* call);
    void ensure_parents(const std::string& path);
    bool in_cgroup2(const std::string& path) const; // below an add_cgroup2_mount() mount
    sys::Result<base::UniqueFd> stream_end(std::shared_ptr<detail::Channel> in, std::shared_ptr<detail::Channel> out,
                                           bool is_socket, std::optional<ucred> peer, bool nonblock);
    void fire_timers();
    void deliver_unblocked();
    Process* child(pid_t pid);
    void terminate(pid_t pid, sys::ChildStatus status);
    std::optional<sys::ChildStatus> take_status(Process& p, int options);
    ucred own_credentials() const;

    std::map<int, FakeFd> m_fds;
    std::map<std::string, detail::Node> m_fs;
    std::vector<std::string> m_cgroup2_mounts;
    bool m_dirent_unknown = false;
    std::function<void(const std::string&)> m_before_open;

    sys::TimePoint m_now;

    pid_t m_self = 100;
    uid_t m_euid = 0;
    pid_t m_next_pid = 1000;
    std::map<pid_t, Process> m_processes;
    std::vector<std::string> m_ptrace_log;
    std::map<int, std::deque<std::pair<std::string, std::optional<ucred>>>> m_datagrams;
    std::set<int> m_pass_credentials;
    std::vector<SentDatagram> m_sent_datagrams;
    std::map<pid_t, unsigned long> m_event_messages;
    sys::Result<void> ptrace_op(const char* call, const std::string& entry, pid_t pid);
    std::vector<pid_t> m_spawned;
    std::vector<sys::SpawnPlan> m_spawn_attempts;
    std::deque<sys::SpawnError> m_spawn_failures;
    std::vector<SentSignal> m_signals_sent;
    bool m_pidfd_supported = true;
    std::vector<std::vector<std::string>> m_execs; // exec(): file, then argv
    std::chrono::nanoseconds m_boot_offset{0};
    std::chrono::nanoseconds m_wall_offset{std::chrono::seconds(1'780'000'000)}; // 2026-05-28 UTC
    bool m_subreaper = false;
    std::map<int, rlimit> m_rlimits;
    rlim_t m_nr_open = 1048576;
    pid_t m_pgid = 100;
    pid_t m_sid = 100;

    sigset_t m_blocked{};
    std::deque<signalfd_siginfo> m_pending;

    std::map<std::string, sys::UserInfo> m_users;
    std::map<std::string, sys::GroupInfo> m_groups;

    std::function<void()> m_when_blocked;
    std::vector<int> m_epoll_timeouts;
    int m_idle_streak = 0; // consecutive blocked waits after which nothing was ready

    struct Injection {
        int skip;
        int err;
    };
    std::map<std::string, std::deque<Injection>, std::less<>> m_injections;
    std::function<std::optional<int>(std::string_view call)> m_policy;
    std::vector<std::string> m_calls;
};

} // namespace fakes
