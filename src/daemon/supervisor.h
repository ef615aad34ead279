// Owns Supervisor: the composition root of the running daemon. It wires the engine to the real
// world — spawning through Sys, reaping every child on SIGCHLD, kill timers on the event loop,
// console-log pipes, the control server — and handles startd's own signals and shutdown.
// Not here: job semantics (core/), the protocol (control/), argument parsing (main.cpp).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>

#include "control/endpoint.h"
#include "control/server.h"
#include "core/engine.h"
#include "daemon/adopted_processes.h"
#include "daemon/check_config_cache.h"
#include "daemon/containment.h"
#include "daemon/daemon_log.h"
#include "daemon/job_dir_watch.h"
#include "daemon/job_loader.h"
#include "daemon/job_timers.h"
#include "daemon/leftovers.h"
#include "daemon/log_pipes.h"
#include "daemon/monitor_feed.h"
#include "daemon/readiness.h"
#include "daemon/state_journal.h"
#include "loop/event_loop.h"
#include "loop/signal_watch.h"
#include "loop/timer.h"
#include "proc/process_tree.h"
#include "sys/sys.h"

namespace daemon_main {

struct Settings {
    control::Endpoint endpoint;
    bool container = false; // running as PID 1
    DaemonLogOptions log;   // startd's own log: its priority and where it goes
    core::Environ job_env;  // the base environment of every job
    // How long a main process with an expect stanza may take to become ready.
    sys::Duration ready_timeout = std::chrono::seconds(90);
    bool cgroups = true; // give jobs cgroups where the kernel lets us (startd --no-cgroups: never)
    // What a re-exec runs (startctl reexec, SIGUSR2): the program startd was started from and
    // its arguments. Empty: re-exec is refused.
    std::string program;
    std::vector<std::string> argv;
    // Reload by itself when the jobs dir changes (inotify), after this much quiet.
    std::optional<JobDirWatch::Timing> watch_jobs_dir = JobDirWatch::Timing{};
    // The timer state file (last firings of `timer missed catch-up` jobs); empty: none is kept.
    std::string timer_state_file;
    // Size-based rotation of job logs (startd --log-max-size, --log-keep); none by default.
    joblog::Rotation log_rotation;
};

class Supervisor final : public core::JobRuntime, public control::IoRegistry {
public:
    Supervisor(sys::Sys& sys, loop::EventLoop& loop, Settings settings);
    ~Supervisor() override;
    Supervisor(const Supervisor&) = delete;
    Supervisor& operator=(const Supervisor&) = delete;

    // Takes over startd's signals, creates the state and log directories, listens on the control
    // socket and loads the jobs. Fails (and changes nothing that matters) when the socket
    // cannot be had: another startd already serves it, or the directory is not ours.
    base::Result<void> start();

    // Stops every job, then quits the loop once none is left. Also what SIGTERM/SIGINT do.
    void shutdown();
    bool shutting_down() const { return m_shutting_down; }

    core::Engine& engine() { return m_engine; }
    JobTimers& timers() { return m_timers; }

    // ---- core::JobRuntime ----------------------------------------------------------------
    base::Result<pid_t> spawn(const core::Job& job, core::ProcessType type) override;
    std::vector<base::Result<pid_t>> spawn_batch(std::span<const core::SpawnRequest> requests) override;
    base::Result<void> signal_group(const core::Job& job, pid_t pid, int sig) override;
    std::vector<base::Result<void>> signal_groups(std::span<const core::GroupSignal> signals) override;
    base::Result<void> signal_process(pid_t pid, int sig) override;
    void arm_kill_timer(core::Job& job, core::Seconds after) override;
    void cancel_kill_timer(core::Job& job) override;
    // supervisor_respawn.cpp
    void arm_respawn_timer(core::Job& job, std::chrono::milliseconds after) override;
    void cancel_respawn_timer(core::Job& job) override;
    std::uint64_t random() override;
    void await_ready(const core::Job& job, pid_t pid) override;
    void abort_ready(const core::Job& job) override;
    void job_changed(const core::Job& job) override;
    void forget(const core::Job& job) override;
    core::Clock::time_point now() override;
    void log(core::LogLevel level, std::string_view message) override;
    bool log_enabled(core::LogLevel level) const override { return m_log.wants(level); }

    // ---- control::IoRegistry --------------------------------------------------------------
    base::Result<void> watch(int fd, bool read, bool write,
                             std::function<void(std::uint32_t)> ready) override;
    void unwatch(int fd) override;
    void post(std::function<void()> fn) override;
    void wake_after(sys::Duration delay, std::function<void()> fn) override;

private:
    // A process about to be spawned: its plan and the fds the plan refers to, which must stay
    // open until the child has them.
    struct PreparedSpawn {
        sys::SpawnPlan plan;
        base::UniqueFd console;
        sys::FdPair log_pipe;
        base::UniqueFd cgroup_procs;
    };

    // supervisor_recovery.cpp: the state journal and restart-and-adopt.
    // Adopts what a predecessor's journal says still runs and takes up its job timers (or the
    // timer state file), then starts this startd's journal. Returns whether the predecessor had
    // emitted `startup` already (not to be emitted again).
    bool recover_jobs();
    void schedule_journal_flush();
    void adopted_ended(pid_t pid); // an adopted process (not our child) ended
    // supervisor_reexec.cpp: live re-exec. Starts the check of the program (startd
    // --verify-state on the journal, rewritten first); execs it when the check exits 0.
    // `done` (may be empty: SIGUSR2) hears the outcome: just before the exec, or why not.
    void reexec(control::CommandHost::ReexecDone done);
    void reexec_checked(const sys::ChildStatus& status); // the check ended
    void reexec_abandon(std::string why); // says why, to the log and to whoever asked
    std::string boot_id();
    void seed_random(); // supervisor_respawn.cpp

    void on_signal(const signalfd_siginfo& info);
    void reap_children();
    void after_change(); // quits the loop once a shutdown has stopped everything
    base::Result<nlohmann::json> reload_configuration();
    base::Result<LoadSummary> reload_jobs(); // the jobs dir again, its errors logged
    void reload_on_change();                 // what the jobs dir watch calls
    nlohmann::json check_config();
    // spawn() in three steps, so that spawn_batch can create the children of many plans at once.
    base::Result<PreparedSpawn> prepare_spawn(const core::Job& job, core::ProcessType type);
    base::Result<pid_t> finish_spawn(const core::Job& job, PreparedSpawn& prepared,
                                     base::Result<sys::Spawned, sys::SpawnError> spawned);
    // Whether stopping a job reaches past its process groups (its process tree, its cgroup)
    // when it is signalled. Not in a shutdown with startd a subreaper: what escaped a job's
    // groups becomes ours once its parents die, and Leftovers stops it at the end; the group
    // signals of a whole machine go out without a /proc or cgroupfs read each.
    bool reaches_past_groups() const { return !(m_shutting_down && m_subreaper); }
    // log(), for the components that take a log function.
    std::function<void(core::LogLevel, std::string_view)> logger() {
        return [this](core::LogLevel level, std::string_view text) { log(level, text); };
    }
    // signal_group with the job's descendants already read (nullptr: they were not, or could not be).
    base::Result<void> send_group_signal(const core::Job& job, pid_t pid, int sig,
                                         const std::vector<pid_t>* descendants);

    sys::Sys& m_sys;
    loop::EventLoop& m_loop;
    Settings m_settings;
    DaemonLog m_log; // declared early: everything after it may still log while it is destroyed
    core::Engine m_engine;
    control::CommandHost m_host;
    CheckConfigCache m_check_config; // check-config's report, reused while the jobs dir is unchanged
    control::Server m_server;
    Readiness m_readiness;
    proc::ProcessTree m_tree;  // /proc, held open between stops
    Containment m_containment; // each job's cgroup, or its marks and traced pids
    Leftovers m_leftovers; // what a shutdown leaves below startd once every job has stopped
    std::unique_ptr<loop::SignalWatch> m_signals;
    std::unordered_map<core::Job*, std::unique_ptr<loop::Timer>> m_kill_timers;
    std::unordered_map<core::Job*, std::unique_ptr<loop::Timer>> m_respawn_timers; // `respawn delay`
    std::mt19937_64 m_random; // the respawn delays' jitter (seed_random)
    // The control server's watches: the loop's watch and the server's current callback for it.
    struct IoWatch {
        loop::WatchId id = 0;
        std::shared_ptr<std::function<void(std::uint32_t)>> ready;
    };
    std::unordered_map<int, std::shared_ptr<IoWatch>> m_io_watches;
    std::unique_ptr<loop::Timer> m_server_wake; // the server's one wake_after
    std::function<void()> m_server_wake_fn;
    LogPipes m_log_pipes; // `console log` output
    MonitorFeed m_monitor; // `startctl monitor` clients
    StateJournal m_journal;       // what runs, for a successor after a crash
    bool m_journal_posted = false; // a flush is posted for the end of this turn
    AdoptedProcesses m_adopted;   // processes adopted from a predecessor, not our children
    JobTimers m_timers;           // `timer` stanzas: the `timer` events that start jobs on a clock
    std::unique_ptr<JobDirWatch> m_job_dir_watch; // reloads on changes to the jobs dir
    std::optional<sys::ResourceLimit> m_job_nofile; // jobs' RLIMIT_NOFILE, once startd raised its own
    base::UniqueFd m_devnull;
    bool m_shutting_down = false;
    bool m_reap_posted = false; // reap_children left children for a posted batch
    bool m_subreaper = false; // orphans come to us (reaches_past_groups)
    pid_t m_reexec_check = 0;  // the running check of a re-exec's program, or 0
    std::vector<control::CommandHost::ReexecDone> m_reexec_waiting; // who asked for it
    std::unique_ptr<loop::Timer> m_reexec_timer; // bounds that check
};

} // namespace daemon_main
