// Owns FakeSys's processes (spawn, exits, waitid, signals sent), the signals this process
// receives (blocked mask, signalfd), the monotonic clock and timerfds, users/groups and inotify.
#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>

#include <algorithm>
#include <cstring>
#include <system_error>

#include "fakes/fake_sys.h"

namespace fakes {

using detail::fail;
using detail::FdKind;

namespace {

sys::Duration duration_of(const timespec& ts) {
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// Signals whose default action is to do nothing: delivering one unblocked is harmless.
bool ignored_by_default(int sig) {
    return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
}

} // namespace

// --- time ------------------------------------------------------------------------------------

void FakeSys::fire_timers() {
    for (auto& [fd, entry] : m_fds) {
        if (entry.kind != FdKind::Timer || !entry.deadline || *entry.deadline > m_now) {
            continue;
        }
        if (entry.interval.count() > 0) {
            auto periods = (m_now - *entry.deadline) / entry.interval + 1;
            entry.expirations += static_cast<uint64_t>(periods);
            *entry.deadline += periods * entry.interval;
        } else {
            entry.expirations += 1;
            entry.deadline.reset();
        }
    }
}

void FakeSys::advance(sys::Duration by) {
    sweep();
    m_now += by;
    fire_timers();
}

bool FakeSys::advance_to_next_timer() {
    sweep();
    std::optional<sys::TimePoint> next;
    for (const auto& [fd, entry] : m_fds) {
        if (entry.kind == FdKind::Timer && entry.deadline && (!next || *entry.deadline < *next)) {
            next = entry.deadline;
        }
    }
    if (!next) {
        return false;
    }
    m_now = std::max(m_now, *next);
    fire_timers();
    return true;
}

sys::Result<base::UniqueFd> FakeSys::timerfd_create(int clockid, int flags) {
    if (auto e = enter("timerfd_create")) {
        return fail("timerfd_create", *e);
    }
    if (clockid != CLOCK_MONOTONIC) {
        ADD_FAILURE() << "FakeSys: only CLOCK_MONOTONIC timerfds are modelled";
        return fail("timerfd_create", EINVAL);
    }
    detail::FakeFd entry;
    entry.kind = FdKind::Timer;
    entry.nonblock = (flags & TFD_NONBLOCK) != 0;
    return base::UniqueFd(make_fd(std::move(entry)));
}

sys::Result<void> FakeSys::timerfd_settime(int fd, int flags, const itimerspec& value) {
    if (auto e = enter("timerfd_settime")) {
        return fail("timerfd_settime", *e);
    }
    detail::FakeFd* entry = find_kind(fd, FdKind::Timer, "timerfd_settime");
    if (!entry) {
        return fail("timerfd_settime", EINVAL);
    }
    entry->expirations = 0;
    entry->interval = duration_of(value.it_interval);
    if (value.it_value.tv_sec == 0 && value.it_value.tv_nsec == 0) {
        entry->deadline.reset();
        return {};
    }
    entry->deadline = (flags & TFD_TIMER_ABSTIME) ? sys::to_time_point(value.it_value)
                                                  : m_now + duration_of(value.it_value);
    fire_timers(); // a deadline already past fires at once, as on Linux
    return {};
}

// --- signals to this process ----------------------------------------------------------------

bool FakeSys::is_pending(int sig) const {
    return std::any_of(m_pending.begin(), m_pending.end(),
                       [&](const signalfd_siginfo& info) { return static_cast<int>(info.ssi_signo) == sig; });
}

void FakeSys::raise_signal(int sig, pid_t from, int code, int status) {
    if (!sigismember(&m_blocked, sig)) {
        if (!ignored_by_default(sig)) {
            ADD_FAILURE() << "FakeSys: signal " << sig << " arrived unblocked; the real process would have died";
        }
        return;
    }
    if (sig < SIGRTMIN && is_pending(sig)) {
        return; // standard signals do not queue
    }
    signalfd_siginfo info{};
    info.ssi_signo = static_cast<uint32_t>(sig);
    info.ssi_pid = static_cast<uint32_t>(from);
    info.ssi_code = code;
    info.ssi_status = status;
    m_pending.push_back(info);
}

void FakeSys::deliver_unblocked() {
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        int sig = static_cast<int>(it->ssi_signo);
        if (sigismember(&m_blocked, sig)) {
            ++it;
            continue;
        }
        if (!ignored_by_default(sig)) {
            ADD_FAILURE() << "FakeSys: pending signal " << sig << " was unblocked; the real process would have died";
        }
        it = m_pending.erase(it);
    }
}

sys::Result<base::UniqueFd> FakeSys::signalfd(const sigset_t& mask, int flags) {
    if (auto e = enter("signalfd")) {
        return fail("signalfd", *e);
    }
    detail::FakeFd entry;
    entry.kind = FdKind::Signal;
    entry.mask = mask;
    entry.nonblock = (flags & SFD_NONBLOCK) != 0;
    return base::UniqueFd(make_fd(std::move(entry)));
}

sys::Result<sigset_t> FakeSys::sigprocmask(int how, const sigset_t& set) {
    if (auto e = enter("sigprocmask")) {
        return fail("sigprocmask", *e);
    }
    sigset_t old = m_blocked;
    switch (how) {
    case SIG_BLOCK:
        sigorset(&m_blocked, &m_blocked, &set);
        break;
    case SIG_UNBLOCK:
        for (int sig = 1; sig < NSIG; ++sig) {
            if (sigismember(&set, sig)) {
                sigdelset(&m_blocked, sig);
            }
        }
        break;
    case SIG_SETMASK:
        m_blocked = set;
        break;
    default:
        return fail("sigprocmask", EINVAL);
    }
    deliver_unblocked();
    return old;
}

// --- processes -------------------------------------------------------------------------------

FakeSys::Process* FakeSys::child(pid_t pid) {
    auto it = m_processes.find(pid);
    return it == m_processes.end() ? nullptr : &it->second;
}

const FakeSys::Process& FakeSys::process(pid_t pid) const {
    auto it = m_processes.find(pid);
    if (it == m_processes.end()) {
        ADD_FAILURE() << "FakeSys: no process " << pid;
        static const Process none;
        return none;
    }
    return it->second;
}

sys::Result<sys::Spawned, sys::SpawnError> FakeSys::spawn(const sys::SpawnPlan& plan) {
    m_spawn_attempts.push_back(plan);
    std::optional<int> injected = enter("spawn");
    if (!injected) {
        injected = take_injection("fork");
    }
    if (injected) {
        return sys::SpawnError{sys::SpawnStage::Fork, *injected};
    }
    if (!m_spawn_failures.empty()) {
        sys::SpawnError error = m_spawn_failures.front();
        m_spawn_failures.pop_front();
        return error;
    }
    Process p;
    for (const sys::FdMapping& mapping : plan.fds) {
        auto source = m_fds.find(mapping.from);
        if (source == m_fds.end()) {
            return sys::SpawnError{sys::SpawnStage::Fds, EBADF};
        }
        p.held_fds.push_back(copy_of(source->second)); // the child keeps pipes open until it dies
    }
    p.pid = m_next_pid++;
    p.plan = plan;
    p.pgid = plan.new_session ? p.pid : m_pgid;
    p.sid = plan.new_session ? p.pid : m_sid;
    pid_t pid = p.pid;
    m_processes.emplace(pid, std::move(p));
    m_spawned.push_back(pid);
    sys::Spawned spawned{pid, {}};
    if (m_pidfd_supported) {
        detail::FakeFd entry;
        entry.kind = FdKind::Pid;
        entry.pid = pid;
        spawned.pidfd = base::UniqueFd(make_fd(std::move(entry)));
    }
    return spawned;
}

sys::Result<void> FakeSys::exec(const std::string& file, const std::vector<std::string>& argv) {
    if (auto e = enter("exec")) {
        return fail("execv", *e, file);
    }
    std::vector<std::string> call{file};
    call.insert(call.end(), argv.begin(), argv.end());
    m_execs.push_back(std::move(call));
    return fail("execv", ENOEXEC, file);
}

sys::Result<base::UniqueFd> FakeSys::pidfd_open(pid_t pid) {
    if (auto e = enter("pidfd_open")) {
        return fail("pidfd_open", *e);
    }
    if (!m_pidfd_supported) {
        return fail("pidfd_open", ENOSYS);
    }
    Process* p = child(pid);
    if (!p || p->state == Process::State::Reaped) {
        return fail("pidfd_open", ESRCH);
    }
    detail::FakeFd entry;
    entry.kind = FdKind::Pid;
    entry.pid = pid;
    return base::UniqueFd(make_fd(std::move(entry)));
}

std::vector<sys::Result<sys::Spawned, sys::SpawnError>> FakeSys::spawn_many(
    std::span<const sys::SpawnPlan* const> plans) {
    if (auto e = enter("spawn_many")) {
        for (const sys::SpawnPlan* plan : plans) {
            m_spawn_attempts.push_back(*plan);
        }
        throw std::system_error(*e, std::generic_category(), "spawn_many: creating a worker thread");
    }
    return Sys::spawn_many(plans);
}

bool FakeSys::write_as_child(pid_t pid, int child_fd, std::string_view bytes) {
    Process* p = child(pid);
    if (!p || p->state != Process::State::Running) {
        return false;
    }
    for (std::size_t i = 0; i < p->plan.fds.size() && i < p->held_fds.size(); ++i) {
        if (p->plan.fds[i].to == child_fd && p->held_fds[i].out) {
            p->held_fds[i].out->data.append(bytes);
            return true;
        }
    }
    return false;
}

void FakeSys::fail_spawn_at(sys::SpawnStage stage, int err) {
    m_spawn_failures.push_back(sys::SpawnError{stage, err});
}

pid_t FakeSys::add_child_process() {
    Process p;
    p.pid = m_next_pid++;
    p.pgid = m_pgid;
    p.sid = m_sid;
    pid_t pid = p.pid;
    m_processes.emplace(pid, std::move(p));
    return pid;
}

void FakeSys::terminate(pid_t pid, sys::ChildStatus status) {
    Process* p = child(pid);
    if (!p || p->state != Process::State::Running) {
        ADD_FAILURE() << "FakeSys: process " << pid << " is not running";
        return;
    }
    p->state = Process::State::Zombie;
    p->status = status;
    for (detail::FakeFd& held : p->held_fds) {
        release_channels(held);
    }
    p->held_fds.clear();
    raise_signal(SIGCHLD, pid, status.code, status.status);
}

void FakeSys::exit_process(pid_t pid, int exit_status) {
    terminate(pid, sys::ChildStatus{pid, CLD_EXITED, exit_status});
}

void FakeSys::kill_process(pid_t pid, int sig, bool core_dumped) {
    terminate(pid, sys::ChildStatus{pid, core_dumped ? CLD_DUMPED : CLD_KILLED, sig});
}

void FakeSys::stop_process(pid_t pid, int sig, bool traced) {
    Process* p = child(pid);
    if (!p || p->state != Process::State::Running) {
        ADD_FAILURE() << "FakeSys: process " << pid << " is not running";
        return;
    }
    int code = traced ? CLD_TRAPPED : CLD_STOPPED;
    p->stopped = sys::ChildStatus{pid, code, sig};
    raise_signal(SIGCHLD, pid, code, sig);
}

std::optional<sys::ChildStatus> FakeSys::take_status(Process& p, int options) {
    if ((options & WSTOPPED) && p.stopped) {
        sys::ChildStatus status = *p.stopped;
        if (!(options & WNOWAIT)) {
            p.stopped.reset();
        }
        return status;
    }
    if ((options & WEXITED) && p.state == Process::State::Zombie) {
        if (!(options & WNOWAIT)) {
            p.state = Process::State::Reaped;
        }
        return p.status;
    }
    return std::nullopt;
}

sys::Result<sys::ChildStatus> FakeSys::waitid(idtype_t idtype, id_t id, int options) {
    if (auto e = enter("waitid")) {
        return fail("waitid", *e);
    }
    if (!(options & (WEXITED | WSTOPPED))) {
        return fail("waitid", EINVAL);
    }
    std::vector<Process*> candidates;
    if (idtype == P_PID || static_cast<int>(idtype) == P_PIDFD) {
        pid_t pid = static_cast<pid_t>(id);
        if (static_cast<int>(idtype) == P_PIDFD) {
            detail::FakeFd* entry = find_kind(static_cast<int>(id), FdKind::Pid, "waitid");
            if (!entry) {
                return fail("waitid", EBADF);
            }
            pid = entry->pid;
        }
        if (Process* p = child(pid); p && p->state != Process::State::Reaped) {
            candidates.push_back(p);
        }
    } else if (idtype == P_ALL) {
        for (auto& [pid, p] : m_processes) {
            if (p.state != Process::State::Reaped) {
                candidates.push_back(&p);
            }
        }
    } else {
        ADD_FAILURE() << "FakeSys: waitid is modelled for P_PID, P_PIDFD and P_ALL";
        return fail("waitid", EINVAL);
    }
    if (candidates.empty()) {
        return fail("waitid", ECHILD);
    }
    for (Process* p : candidates) {
        if (auto status = take_status(*p, options)) {
            return *status;
        }
    }
    if (!(options & WNOHANG)) {
        ADD_FAILURE() << "FakeSys: waitid without WNOHANG would wait forever";
        return fail("waitid", EDEADLK);
    }
    return sys::ChildStatus{};
}

sys::Result<void> FakeSys::kill(pid_t pid, int sig) {
    if (auto e = enter("kill")) {
        return fail("kill", *e);
    }
    if (pid == m_self || pid == 0) {
        if (sig != 0) {
            m_signals_sent.push_back(SentSignal{pid, sig});
            raise_signal(sig, m_self);
        }
        return {};
    }
    if (pid == -1) {
        ADD_FAILURE() << "FakeSys: kill(-1, …) is not modelled";
        return fail("kill", EINVAL);
    }
    bool found = false;
    for (const auto& [child_pid, p] : m_processes) {
        bool match = pid > 0 ? child_pid == pid : p.pgid == -pid;
        found = found || (match && p.state != Process::State::Reaped);
    }
    if (!found) {
        return fail("kill", ESRCH);
    }
    if (sig != 0) {
        m_signals_sent.push_back(SentSignal{pid, sig});
    }
    return {};
}

sys::Result<pid_t> FakeSys::getpgid(pid_t pid) {
    if (auto e = enter("getpgid")) {
        return fail("getpgid", *e);
    }
    if (pid == 0 || pid == m_self) {
        return m_pgid;
    }
    Process* p = child(pid);
    if (!p || p->state == Process::State::Reaped) {
        return fail("getpgid", ESRCH);
    }
    return p->pgid;
}

sys::Result<void> FakeSys::set_child_subreaper(bool on) {
    if (auto e = enter("set_child_subreaper")) {
        return fail("prctl PR_SET_CHILD_SUBREAPER", *e);
    }
    m_subreaper = on;
    return {};
}

rlimit FakeSys::rlimit_of(int resource) const {
    auto it = m_rlimits.find(resource);
    return it != m_rlimits.end() ? it->second : rlimit{RLIM_INFINITY, RLIM_INFINITY};
}

sys::Result<rlimit> FakeSys::getrlimit(int resource) {
    if (auto e = enter("getrlimit")) {
        return fail("getrlimit", *e);
    }
    return rlimit_of(resource);
}

sys::Result<void> FakeSys::setrlimit(int resource, const rlimit& limit) {
    if (auto e = enter("setrlimit")) {
        return fail("setrlimit", *e);
    }
    if (limit.rlim_cur > limit.rlim_max) {
        return fail("setrlimit", EINVAL);
    }
    if ((limit.rlim_max > rlimit_of(resource).rlim_max && m_euid != 0) ||
        (resource == RLIMIT_NOFILE && limit.rlim_max > m_nr_open)) {
        return fail("setrlimit", EPERM);
    }
    m_rlimits[resource] = limit;
    return {};
}

// --- users and groups ------------------------------------------------------------------------

sys::Result<std::optional<sys::UserInfo>> FakeSys::lookup_user(const char* name) {
    if (auto e = enter("lookup_user")) {
        return fail("getpwnam_r", *e, name);
    }
    auto it = m_users.find(name);
    return it == m_users.end() ? std::optional<sys::UserInfo>{} : std::optional<sys::UserInfo>(it->second);
}

sys::Result<std::optional<sys::GroupInfo>> FakeSys::lookup_group(const char* name) {
    if (auto e = enter("lookup_group")) {
        return fail("getgrnam_r", *e, name);
    }
    auto it = m_groups.find(name);
    return it == m_groups.end() ? std::optional<sys::GroupInfo>{} : std::optional<sys::GroupInfo>(it->second);
}

sys::Result<std::vector<gid_t>> FakeSys::group_list(const char* user, gid_t gid) {
    if (auto e = enter("group_list")) {
        return fail("getgrouplist", *e, user);
    }
    std::vector<gid_t> groups{gid};
    for (const auto& [name, group] : m_groups) {
        bool member = std::find(group.members.begin(), group.members.end(), user) != group.members.end();
        if (member && group.gid != gid) {
            groups.push_back(group.gid);
        }
    }
    return groups;
}

// --- inotify ---------------------------------------------------------------------------------

sys::Result<base::UniqueFd> FakeSys::inotify_init1(int flags) {
    if (auto e = enter("inotify_init1")) {
        return fail("inotify_init1", *e);
    }
    detail::FakeFd entry;
    entry.kind = FdKind::Inotify;
    entry.inotify = std::make_shared<detail::InotifyState>();
    entry.nonblock = (flags & IN_NONBLOCK) != 0;
    return base::UniqueFd(make_fd(std::move(entry)));
}

sys::Result<int> FakeSys::inotify_add_watch(int fd, const char* path, uint32_t) {
    if (auto e = enter("inotify_add_watch")) {
        return fail("inotify_add_watch", *e, path);
    }
    detail::FakeFd* entry = find_kind(fd, FdKind::Inotify, "inotify_add_watch");
    if (!entry) {
        return fail("inotify_add_watch", EBADF);
    }
    if (!exists(path)) {
        return fail("inotify_add_watch", ENOENT, path);
    }
    std::string full = resolve(AT_FDCWD, path, "inotify_add_watch");
    for (const auto& [wd, watched] : entry->inotify->watches) {
        if (watched == full) {
            return wd; // as Linux: one watch per inode, its mask replaced
        }
    }
    int wd = entry->inotify->next_wd++;
    entry->inotify->watches[wd] = full;
    return wd;
}

sys::Result<void> FakeSys::inotify_rm_watch(int fd, int wd) {
    if (auto e = enter("inotify_rm_watch")) {
        return fail("inotify_rm_watch", *e);
    }
    detail::FakeFd* entry = find_kind(fd, FdKind::Inotify, "inotify_rm_watch");
    if (!entry || entry->inotify->watches.erase(wd) == 0) {
        return fail("inotify_rm_watch", EINVAL);
    }
    return {};
}

void FakeSys::push_inotify_event(const std::string& dir, uint32_t mask, const std::string& name) {
    sweep();
    std::string full = resolve(AT_FDCWD, dir.c_str(), "push_inotify_event");
    // The name is NUL-terminated and padded, as the kernel pads it, to keep records aligned.
    std::size_t padded = name.empty() ? 0 : (name.size() / sizeof(inotify_event) + 1) * sizeof(inotify_event);
    for (auto& [fd, entry] : m_fds) {
        if (entry.kind != FdKind::Inotify) {
            continue;
        }
        for (const auto& [wd, watched] : entry.inotify->watches) {
            if (watched != full) {
                continue;
            }
            inotify_event head{};
            head.wd = wd;
            head.mask = mask;
            head.len = static_cast<uint32_t>(padded);
            std::string record(reinterpret_cast<const char*>(&head), sizeof head);
            record += name;
            record.resize(sizeof head + padded, '\0');
            entry.inotify->queue += record;
        }
    }
}

} // namespace fakes
