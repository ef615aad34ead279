// Owns the daemon's wiring of engine, loop, Sys, server and logs.
#include "daemon/supervisor.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <deque>

#include "daemon/fd_limit.h"
#include "daemon/job_loader.h"
#include "log/log_tail.h"
#include "proc/process_tree.h"
#include "proc/spawn_plan.h"
#include "sys/make_dirs.h"

namespace daemon_main {

Supervisor::Supervisor(sys::Sys& sys, loop::EventLoop& loop, Settings settings)
    : m_sys(sys), m_loop(loop), m_settings(std::move(settings)),
      m_log(sys, loop, STDERR_FILENO, m_settings.log),
      m_engine(*this, m_settings.job_env), m_host{m_engine, sys.geteuid(), STARTD_VERSION, {}, {}, {}},
      m_check_config(sys, m_settings.endpoint.jobs_dir, [this] { return check_config(); }),
      m_server(sys, *this, m_host),
      m_readiness(sys, loop, m_engine, logger(), m_settings.ready_timeout),
      m_tree(sys),
      m_containment(sys.getpid(), m_tree, [this](pid_t pid) { return m_engine.job_of(pid) != nullptr; }, logger()),
      m_leftovers(sys, loop, m_tree, logger(), [this] { after_change(); }),
      m_log_pipes(sys, loop, m_settings.endpoint.log_dir, [this](std::string_view job, std::string_view instance) {
          return m_engine.find_instance(job, instance) != nullptr;
      }, m_settings.log_rotation),
      m_monitor(sys),
      m_journal(sys, m_settings.endpoint.journal,
                [this](const std::function<void(const core::Job&)>& each) {
                    for (const std::string& name : m_engine.class_names()) {
                        for (const core::Job* job : m_engine.instances(name)) {
                            each(*job);
                        }
                    }
                },
                logger()),
      m_adopted(sys, loop, [this](pid_t pid) { adopted_ended(pid); }, logger()),
      m_timers(sys, loop, m_engine, m_settings.timer_state_file, logger(), [this] {
          m_journal.set_timers(m_timers.states());
          schedule_journal_flush();
      }) {
    m_host.reload_configuration = [this] { return reload_configuration(); };
    m_host.check_config = [this] { return m_check_config.get(); };
    m_host.reexec = [this](control::CommandHost::ReexecDone done) { reexec(std::move(done)); };
    m_host.jobs_dir = m_settings.endpoint.jobs_dir;
    m_host.jobs_dir_identity = [this] { return control::dir_identity(m_sys, m_settings.endpoint.jobs_dir); };
    m_host.next_timer = [this](const std::string& job) { return m_timers.next_firing(job); };
    m_host.log_status = [this](const core::Job& job) -> std::optional<control::LogStatus> {
        if (job.job_class().console != core::ConsoleType::Log) {
            return std::nullopt;
        }
        return m_log_pipes.status(job);
    };
    m_host.containment = [this](const core::Job& job) { return m_containment.describe(job); };
    m_host.log_path = [this](const std::string& job, const std::string& instance) {
        return m_log_pipes.path_for(job, instance);
    };
    m_host.read_log = [this](const std::string& path, std::optional<std::size_t> lines) {
        return joblog::read_tail(m_sys, path, lines, control::max_log_tail);
    };
    m_host.follow_log = [this](const std::string& path, control::StreamPtr stream) {
        m_log_pipes.follow(path, std::move(stream));
    };
    m_host.reopen_logs = [this] { m_log_pipes.reopen(); };
    m_host.monitor = [this](control::StreamPtr stream) { m_monitor.add(std::move(stream)); };
    m_engine.observe_events([this](const core::Event& ev) { m_monitor.event(ev); });
    m_host.log_priority = [this] { return std::string(to_string(m_log.priority())); };
    m_host.set_log_priority = [this](const std::string& name) -> base::Result<void> {
        auto priority = parse_log_priority(name);
        if (!priority) {
            return base::Error("unknown log priority '" + name + "' (one of " + std::string(log_priority_names) + ")");
        }
        if (*priority != m_log.priority()) {
            // Said at a level both priorities keep where there is one, so the change shows.
            core::LogLevel level = keeps(*priority, core::LogLevel::Info) && keeps(m_log.priority(), core::LogLevel::Info)
                                       ? core::LogLevel::Info
                                       : core::LogLevel::Warning;
            m_log.write(level, "log priority " + std::string(to_string(m_log.priority())) + " → " + name);
            m_log.set_priority(*priority);
        }
        return {};
    };
    m_server.set_log([this](std::string_view line) { log(core::LogLevel::Error, line); });
    m_readiness.on_traced([this](const core::Job* job, std::span<const pid_t> pids, pid_t main) {
        m_containment.traced(job, pids, main);
    });
    seed_random();
}

Supervisor::~Supervisor() {
    m_server.close();
}

base::Result<void> Supervisor::start() {
    const control::Endpoint& ep = m_settings.endpoint;
    auto signals = loop::SignalWatch::create(m_loop, {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGUSR2},
                                             [this](const signalfd_siginfo& info) { on_signal(info); });
    if (!signals) {
        return base::Error("cannot take over signals: " + signals.error().message());
    }
    m_signals = std::move(signals).value();

    // Orphaned grandchildren (daemons that double-fork) come to us, so we reap them too.
    if (auto sub = m_sys.set_child_subreaper(true); !sub) {
        log(core::LogLevel::Warning, "cannot become a subreaper: " + sub.error().message());
    } else {
        m_subreaper = true;
    }
    auto null = m_sys.open("/dev/null", O_RDWR);
    if (!null) {
        return base::Error("cannot open /dev/null: " + null.error().message());
    }
    m_devnull = std::move(null).value();
    // Each `console log` job holds a pipe here: startd takes what its hard limit allows, and
    // gives its jobs back the soft limit it was started with.
    if (auto fds = raise_fd_limit(m_sys); !fds) {
        log(core::LogLevel::Warning, "cannot raise the file descriptor limit: " + fds.error().message());
    } else if (fds->soft != fds->jobs.rlim_cur) {
        m_job_nofile = sys::ResourceLimit{RLIMIT_NOFILE, fds->jobs.rlim_cur, fds->jobs.rlim_max};
        log(core::LogLevel::Debug, "file descriptor limit raised from " + std::to_string(fds->jobs.rlim_cur) + " to " +
                                       std::to_string(fds->soft) + " (jobs keep " + std::to_string(fds->jobs.rlim_cur) + ")");
    }

    bool user = ep.mode == control::Mode::User;
    if (auto dirs = sys::make_dirs(m_sys, ep.log_dir, user ? 0700 : 0755); !dirs) {
        log(core::LogLevel::Warning, "cannot create log directory " + ep.log_dir + ": " + dirs.error().message() +
                                         " (console log output will be dropped and counted)");
    }
    if (auto listening = m_server.listen(ep.socket, user ? 0700 : 0755, user ? 0600 : 0666); !listening) {
        return listening;
    }
    // Each job in its own cgroup where the kernel lets us (cgroup v2, writable): stop then
    // reaches every process of the job. Otherwise its process tree and marks do. Looked for once
    // the socket is ours: the jobs' cgroups are named after it.
    m_containment.set_cgroups(m_settings.cgroups
                                  ? proc::Cgroups::detect(m_sys, proc::jobs_dir_name(ep.socket))
                                  : proc::Cgroups::disabled(m_sys, "turned off (startd --no-cgroups)"));
    m_host.cgroups = m_containment.cgroups_summary();
    log(core::LogLevel::Info, "job cgroups " + m_host.cgroups);
    if (user) {
        (void)sys::make_dirs(m_sys, ep.jobs_dir, 0755); // first start: give the user somewhere to put jobs
    }
    auto loaded = load_jobs(m_sys, m_engine, ep.jobs_dir);
    if (!loaded) {
        log(core::LogLevel::Warning, "cannot read jobs directory " + ep.jobs_dir + ": " + loaded.error().message());
    } else {
        for (const config::Diagnostic& d : loaded->errors) {
            log(core::LogLevel::Error, d.to_string());
        }
        log(core::LogLevel::Info, "loaded " + std::to_string(loaded->added.size()) + " jobs from " + ep.jobs_dir +
                                      ", listening on " + ep.socket);
    }
    if (m_settings.watch_jobs_dir) {
        auto watch = JobDirWatch::create(
            m_sys, m_loop, ep.jobs_dir, *m_settings.watch_jobs_dir, [this] { reload_on_change(); },
            [this](std::string_view text) { log(core::LogLevel::Warning, text); });
        if (!watch) {
            log(core::LogLevel::Warning, "changes to " + ep.jobs_dir + " are not noticed (" + watch.error().message() +
                                             "): run reload-configuration after editing jobs");
        } else {
            m_job_dir_watch = std::move(watch).value();
        }
    }
    if (!recover_jobs()) {
        m_engine.emit("startup", {std::string("MODE=") + (m_settings.container ? "container" : user ? "user" : "system")});
    }
    return {};
}

// ---- signals and children --------------------------------------------------------------------

void Supervisor::on_signal(const signalfd_siginfo& info) {
    switch (info.ssi_signo) {
    case SIGCHLD:
        if (!m_reap_posted) { // else the posted batch reaps these too, after this turn
            reap_children();
        }
        break;
    case SIGTERM:
    case SIGINT:
        log(core::LogLevel::Info, std::string("received ") + (info.ssi_signo == SIGTERM ? "TERM" : "INT") +
                                      ": stopping all jobs");
        shutdown();
        break;
    case SIGHUP:
        m_log_pipes.reopen(); // logrotate's mv, then HUP: each log opens its path afresh
        if (auto r = reload_configuration(); !r) {
            log(core::LogLevel::Error, "reload failed: " + r.error().message());
        }
        break;
    case SIGUSR2:
        reexec({});
        break;
    default:
        break; // SIGPIPE: a client went away; the write reports EPIPE
    }
}

void Supervisor::reap_children() {
    // One SIGCHLD may stand for many children, but one call reaps a bounded batch: each exit may
    // respawn a job, and crashers respawned without limit can exit again before a loop "until
    // none is left" ends, which then never ends (the soak of issue 12: no request, no SIGTERM
    // served). What is left is reaped by a posted call after the next turn has served every
    // other source (fds, timers, signals): SIGCHLD does not come again for children that had
    // exited already. Unknown pids are orphans reparented to us (subreaper / PID 1) and are simply
    // reaped. Stops are reported too: ptrace stops of traced main processes (expect fork/daemon,
    // which __WALL makes sure we see whatever their exit signal) and SIGSTOP (expect stop);
    // Readiness takes those.
    constexpr int reaps_per_turn = 16;
    bool more = false;
    for (int reaped = 0;; ++reaped) {
        if (reaped == reaps_per_turn) {
            more = true;
            break;
        }
        auto status = m_sys.waitid(P_ALL, 0, WEXITED | WSTOPPED | __WALL | WNOHANG);
        if (!status || status->pid == 0) {
            break;
        }
        if (status->terminated() && status->pid == m_reexec_check) {
            reexec_checked(*status);
            continue;
        }
        if (status->terminated()) {
            m_containment.reaped(status->pid);
            if (const core::Job* job = m_engine.job_of(status->pid)) {
                m_containment.may_be_idle(*job); // its cgroup goes once it is at rest
            }
        }
        if (m_readiness.on_child_status(*status) || !status->terminated()) {
            continue;
        }
        core::ExitStatus exit = status->exited() ? core::ExitStatus::exited(status->status)
                                                 : core::ExitStatus::killed(status->status);
        if (!m_engine.on_process_exit(status->pid, exit)) {
            log(core::LogLevel::Debug, "reaped orphan " + std::to_string(status->pid));
        }
    }
    m_containment.retry_removals(); // cgroups that still held a process that has gone now
    if (more && !m_reap_posted) {
        m_reap_posted = true;
        m_loop.post([this] {
            m_reap_posted = false;
            reap_children();
        });
    }
    after_change();
}

void Supervisor::shutdown() {
    m_shutting_down = true;
    m_timers.save(); // the journal goes once the jobs have stopped: the last firings stay here
    m_engine.stop_all();
    after_change();
}

void Supervisor::after_change() {
    m_containment.release_idle(); // the cgroups of jobs that have come to rest
    // Once every job has stopped, what they left below us goes too (leftovers.h), then the
    // jobs' cgroups.
    if (m_shutting_down && m_engine.all_stopped() && !m_leftovers.sweep()) {
        m_journal.remove(); // every job stopped: a successor has nothing to adopt
        m_containment.remove_cgroups();
        m_loop.quit();
    }
}

// ---- JobRuntime ------------------------------------------------------------------------------

base::Result<pid_t> Supervisor::spawn(const core::Job& job, core::ProcessType type) {
    auto prepared = prepare_spawn(job, type);
    if (!prepared) {
        m_containment.may_be_idle(job);
        return prepared.error();
    }
    return finish_spawn(job, *prepared, m_sys.spawn(prepared->plan));
}

std::vector<base::Result<pid_t>> Supervisor::spawn_batch(std::span<const core::SpawnRequest> requests) {
    // Up to a slice at a time: the plans of a whole bring-up (a kilobyte or two each) held at
    // once would grow the heap for good; a slice keeps every CPU busy all the same.
    constexpr std::size_t slice = 32;
    std::vector<std::optional<base::Result<pid_t>>> done(requests.size());
    std::vector<std::pair<std::size_t, PreparedSpawn>> held; // request index, what it holds
    held.reserve(slice); // never reallocated: `plans` points into it
    std::vector<const sys::SpawnPlan*> plans;
    auto run_held = [&] {
        if (held.empty()) {
            return;
        }
        std::vector<base::Result<sys::Spawned, sys::SpawnError>> spawned;
        try {
            spawned = m_sys.spawn_many(plans);
        } catch (...) { // no thread or no memory for the batch: these requests fail, no other
            base::Error why = core::error_of_current_exception();
            for (auto& [index, prepared] : held) {
                m_containment.may_be_idle(*requests[index].job);
                done[index] = why;
            }
            held.clear();
            plans.clear();
            return;
        }
        for (std::size_t k = 0; k < held.size(); ++k) {
            auto& [index, prepared] = held[k];
            done[index] = finish_spawn(*requests[index].job, prepared, std::move(spawned[k]));
        }
        held.clear(); // closes the batch's fds: the children have their copies
        plans.clear();
    };
    // Request indices in the order they are prepared, and whether each was tried once already.
    std::deque<std::pair<std::size_t, bool>> todo;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        todo.emplace_back(i, false);
    }
    while (!todo.empty()) {
        auto [i, retried] = todo.front();
        todo.pop_front();
        const core::SpawnRequest& r = requests[i];
        auto prepared = prepare_spawn(*r.job, r.type);
        if (!prepared && !retried && !held.empty() &&
            (prepared.error().code() == EMFILE || prepared.error().code() == ENFILE)) {
            // Out of descriptors while the batch holds some (each prepared spawn its log pipe, a
            // cgroup.procs): the newer half is let go, which leaves room for the older half (at
            // least one) to run (each child takes a status pipe and a pidfd as it is created),
            // and those let go are prepared again after it, with this one: each tried once more.
            todo.emplace_front(i, true);
            std::size_t keep = std::max<std::size_t>(1, held.size() / 2);
            for (std::size_t k = held.size(); k-- > keep;) {
                todo.emplace_front(held[k].first, true);
            }
            held.resize(keep);
            plans.resize(keep);
            run_held();
            continue;
        }
        if (!prepared) {
            m_containment.may_be_idle(*r.job);
            done[i] = prepared.error();
            continue;
        }
        held.emplace_back(i, std::move(prepared).value());
        plans.push_back(&held.back().second.plan);
        if (held.size() == slice) {
            run_held();
        }
    }
    run_held();
    std::vector<base::Result<pid_t>> results;
    results.reserve(requests.size());
    for (auto& result : done) {
        results.push_back(std::move(*result));
    }
    return results;
}

base::Result<Supervisor::PreparedSpawn> Supervisor::prepare_spawn(const core::Job& job,
                                                                  core::ProcessType type) {
    const core::JobClass& cls = job.job_class();
    proc::PlanContext ctx;
    ctx.mode = m_settings.endpoint.mode == control::Mode::User ? proc::Mode::User : proc::Mode::System;
    ctx.running_as_root = m_sys.geteuid() == 0;
    ctx.extra_env = {"STARTD_CONFIG=" + m_settings.endpoint.config_dir,
                     std::string("STARTD_MODE=") + (ctx.mode == proc::Mode::User ? "user" : "system"),
                     "STARTD_SOCKET=" + m_settings.endpoint.socket};
    int null = m_devnull.get();
    ctx.stdio = {null, null, null};
    ctx.nofile = m_job_nofile;

    PreparedSpawn prepared;
    auto held = m_containment.prepare(job); // its mark and cgroup
    ctx.extra_env.push_back(std::move(held.mark));
    if (cls.console == core::ConsoleType::Output || cls.console == core::ConsoleType::Owner) {
        if (auto c = m_sys.open("/dev/console", O_RDWR | O_NOCTTY); c) {
            prepared.console = std::move(c).value();
            ctx.stdio = {prepared.console.get(), prepared.console.get(), prepared.console.get()};
        } else {
            log(core::LogLevel::Warning, job.display_name() + ": cannot open /dev/console (" + c.error().message() +
                                             "); output goes to /dev/null");
        }
    } else if (cls.console == core::ConsoleType::Log) {
        auto p = m_log_pipes.make_pipe();
        if (!p) {
            return p.error(); // its output would be lost: the job fails, saying why
        }
        prepared.log_pipe = std::move(p).value();
        ctx.stdio = {null, prepared.log_pipe.second.get(), prepared.log_pipe.second.get()};
    }

    if (type == core::ProcessType::Main && cls.expect == core::ExpectType::Notify) {
        auto notify = m_readiness.prepare_notify(job);
        if (!notify) {
            return notify.error();
        }
        ctx.extra_env.push_back(std::move(notify).value());
    }
    auto plan = proc::build_spawn_plan(m_sys, job, type, ctx);
    if (!plan) {
        return plan.error();
    }
    prepared.plan = std::move(plan).value();
    if (held.cgroup_procs.valid()) {
        prepared.cgroup_procs = std::move(held.cgroup_procs);
        prepared.plan.cgroup_procs_fd = prepared.cgroup_procs.get();
    }
    return prepared;
}

base::Result<pid_t> Supervisor::finish_spawn(const core::Job& job, PreparedSpawn& prepared,
                                             base::Result<sys::Spawned, sys::SpawnError> spawned) {
    if (!spawned) {
        m_containment.may_be_idle(job); // its cgroup, made for this process, may now hold none
        return base::Error(spawned.error().message() + fd_shortage_note(spawned.error().error));
    }
    pid_t pid = spawned->pid;
    if (prepared.log_pipe.first.valid()) {
        prepared.log_pipe.second.reset(); // only the child writes; EOF once it (and its children) are done
        m_log_pipes.attach(std::move(prepared.log_pipe.first), job);
    }
    return pid;
}

base::Result<void> Supervisor::signal_group(const core::Job& job, pid_t pid, int sig) {
    core::GroupSignal one{&job, pid, sig};
    return signal_groups(std::span(&one, 1)).front();
}

std::vector<base::Result<void>> Supervisor::signal_groups(std::span<const core::GroupSignal> signals) {
    // One reading of the process tree for the whole batch, before any of it is signalled.
    std::optional<std::vector<std::vector<pid_t>>> trees;
    if (reaches_past_groups()) {
        std::vector<pid_t> roots;
        roots.reserve(signals.size());
        for (const core::GroupSignal& s : signals) {
            roots.push_back(s.pid);
        }
        if (auto read = m_tree.descendants_of(roots); read) {
            trees = std::move(read).value();
        }
    }
    // Descendants that left the group (setsid, as Postfix's master does) are still the job's:
    // without a cgroup, the process tree says so while their parents live; once those have
    // died, startd has adopted them, and their mark or the fork trace says whose they are.
    std::vector<std::vector<pid_t>> escaped;
    if (reaches_past_groups()) {
        std::vector<const core::Job*> mains;
        mains.reserve(signals.size());
        for (const core::GroupSignal& s : signals) {
            mains.push_back(s.pid == s.job->pid(core::ProcessType::Main) ? s.job : nullptr);
        }
        escaped = m_containment.escapees(mains);
        for (std::size_t i = 0; trees && i < escaped.size(); ++i) {
            (*trees)[i].insert((*trees)[i].end(), escaped[i].begin(), escaped[i].end());
        }
    }
    std::vector<base::Result<void>> results;
    results.reserve(signals.size());
    for (std::size_t i = 0; i < signals.size(); ++i) {
        const core::GroupSignal& s = signals[i];
        const std::vector<pid_t>* also = trees ? &(*trees)[i] : i < escaped.size() ? &escaped[i] : nullptr;
        results.push_back(send_group_signal(*s.job, s.pid, s.sig, also));
    }
    return results;
}

base::Result<void> Supervisor::send_group_signal(const core::Job& job, pid_t pid, int sig,
                                                 const std::vector<pid_t>* descendants) {
    // Every job process leads its own session and process group, so -pid reaches its children.
    // A main process found through expect fork/daemon may lead a group of its own (setsid) or
    // none; whatever is left in the group the job was spawned in belongs to the job too.
    if (job.main_group > 0 && job.main_group != pid && pid == job.pid(core::ProcessType::Main)) {
        (void)m_sys.kill(-job.main_group, sig);
    }
    if (pid == job.pid(core::ProcessType::Main) && reaches_past_groups()) {
        m_containment.signal_cgroup(job, sig); // everything in the job's cgroup, if it has one
    }
    if (descendants != nullptr) {
        for (pid_t child : *descendants) {
            (void)m_sys.kill(child, sig);
        }
    }
    if (auto group = m_sys.kill(-pid, sig); group) {
        return {};
    }
    return m_sys.kill(pid, sig);
}

base::Result<void> Supervisor::signal_process(pid_t pid, int sig) { return m_sys.kill(pid, sig); }

void Supervisor::arm_kill_timer(core::Job& job, core::Seconds after) {
    auto& timer = m_kill_timers[&job];
    if (!timer) {
        core::Job* target = &job;
        timer = std::make_unique<loop::Timer>(m_loop, [this, target] { m_engine.on_kill_timeout(*target); });
    }
    if (auto armed = timer->arm_after(std::chrono::duration_cast<sys::Duration>(after)); !armed) {
        // Without its timer a job whose process ignores the signal would wait forever: KILL it
        // at the end of this turn instead (unless the job has stopped by then).
        log(core::LogLevel::Error, job.display_name() + ": cannot arm kill timer (" + armed.error().message() +
                                       "); sending KILL now");
        core::Job* target = &job;
        m_loop.post([this, target] {
            if (m_kill_timers.count(target) != 0) {
                m_engine.on_kill_timeout(*target);
                after_change();
            }
        });
    }
}

void Supervisor::cancel_kill_timer(core::Job& job) { m_kill_timers.erase(&job); }

void Supervisor::await_ready(const core::Job& job, pid_t pid) { m_readiness.watch(job, pid); }

void Supervisor::abort_ready(const core::Job& job) { m_readiness.abort(job); }

void Supervisor::forget(const core::Job& job) {
    m_monitor.forget(job);
    m_containment.forget(job);
    m_journal.gone(job);
    schedule_journal_flush();
}

core::Clock::time_point Supervisor::now() {
    return core::Clock::time_point(std::chrono::duration_cast<core::Clock::duration>(m_loop.now().time_since_epoch()));
}

void Supervisor::log(core::LogLevel level, std::string_view message) {
    m_log.write(level, message);
}

// ---- IoRegistry ------------------------------------------------------------------------------

base::Result<void> Supervisor::watch(int fd, bool read, bool write,
                                     std::function<void(std::uint32_t)> ready) {
    std::uint32_t events = (read ? EPOLLIN : 0u) | (write ? EPOLLOUT : 0u);
    auto it = m_io_watches.find(fd);
    if (it != m_io_watches.end()) {
        // An interest change (a reply that has to wait, backpressure): one EPOLL_CTL_MOD, which
        // allocates nothing, rather than a DEL and an ADD that can fail for want of memory.
        it->second->ready = std::make_shared<std::function<void(std::uint32_t)>>(std::move(ready));
        if (auto changed = m_loop.modify_watch(it->second->id, events); !changed) {
            m_loop.remove_watch(it->second->id);
            m_io_watches.erase(it);
            return changed.error();
        }
        return {};
    }
    auto slot = std::make_shared<IoWatch>();
    slot->ready = std::make_shared<std::function<void(std::uint32_t)>>(std::move(ready));
    auto callback = [slot, this](std::uint32_t ev) {
        auto ready = slot->ready; // alive while it runs, even if it watches its own fd anew
        (*ready)(ev);
        after_change();
        return loop::Next::Keep;
    };
    auto id = m_loop.add_watch(fd, events, std::move(callback));
    if (!id) {
        return id.error();
    }
    slot->id = *id;
    m_io_watches.emplace(fd, std::move(slot));
    return {};
}

void Supervisor::unwatch(int fd) {
    if (auto it = m_io_watches.find(fd); it != m_io_watches.end()) {
        m_loop.remove_watch(it->second->id);
        m_io_watches.erase(it);
    }
}

void Supervisor::post(std::function<void()> fn) {
    m_loop.post([this, fn = std::move(fn)] {
        fn();
        after_change();
    });
}

void Supervisor::wake_after(sys::Duration delay, std::function<void()> fn) {
    if (!m_server_wake) {
        m_server_wake = std::make_unique<loop::Timer>(m_loop, [this] {
            auto due = std::move(m_server_wake_fn);
            m_server_wake_fn = nullptr;
            if (due) {
                due();
                after_change();
            }
        });
    }
    m_server_wake_fn = std::move(fn);
    if (auto armed = m_server_wake->arm_after(delay); !armed) {
        log(core::LogLevel::Error, "cannot arm the control server's timer: " + armed.error().message());
    }
}

} // namespace daemon_main
