// Owns Engine: the job registry, the event queue, and every job transition (Upstart's model).
// Commands (start/stop/restart/reload), process exits and timers come in; spawns, signals and
// timers go out through JobRuntime. Work is queued, never recursed: poll() drains it.
// The transitions themselves live in job_lifecycle.cpp (goals and state entry) and
// job_exit.cpp (process exits, respawn, kill timeouts).
#pragma once

#include "base/result.h"
#include "core/event_history.h"
#include "core/event_match.h"
#include "core/event_queue.h"
#include "core/instance_table.h"
#include "core/job.h"
#include "core/job_runtime.h"
#include "core/state_history.h"

#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace core {

// The event each firing of a job's `timer` emits (JOB, TIMER, TIMER_FIRED).
inline constexpr std::string_view timer_event = "timer";

// A job instance a startd finds running when it starts after its predecessor ended without
// stopping its jobs (SIGKILL, a crash): what the predecessor's journal recorded of it.
struct AdoptedJob {
    std::string job;
    std::string instance;
    JobGoal goal = JobGoal::Start;
    JobState state = JobState::Running;
    Environ env;
    std::array<pid_t, process_type_count> pids{}; // as recorded
    std::array<bool, process_type_count> ended{}; // which of them no longer run
    pid_t main_group = 0;
    unsigned respawn_count = 0;
    Clock::time_point respawn_time{};
    // `respawn delay`/`healthy`: see Job. A respawn_due in the past is due at once; main_started
    // unknown (the epoch) counts the main process's run from its adoption.
    unsigned respawn_attempt = 0;
    std::uint32_t respawn_delay_ms = 0;
    Clock::time_point respawn_due{};
    Clock::time_point main_started{};
    std::string status_text;
    std::string failure; // the failure it was winding down after, or empty
};

// An operand of a `start on` / `stop on` tree that an event has matched, and by which event
// (`startctl why`). The operand is nodes[node] of the class's tree.
struct MatchedOperand {
    std::uint32_t node = 0;
    std::string event;
    Environ env;
    Clock::time_point at{}; // when the event was handled
};

// A refused command, with a stable code (the control protocol's error codes) and Upstart's text.
struct CommandError {
    std::string code;
    std::string message;
};

template <typename T> using CommandResult = base::Result<T, CommandError>;

class Engine {
  public:
    // `global_env` is the base of every job's environment (PATH, TERM, or the user's whole env).
    Engine(JobRuntime& runtime, Environ global_env);
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;
    ~Engine();

    // ---- job classes ---------------------------------------------------------------------
    // Registers or replaces a class. While instances of the old definition run, they keep it;
    // the new one takes over when the last of them has stopped (Upstart's rule).
    void set_class(std::shared_ptr<const JobClass> cls);
    // Forgets a class; running instances keep running until they stop.
    void remove_class(const std::string& name);
    const JobClass* find_class(std::string_view name) const;
    std::vector<std::string> class_names() const;

    // ---- instances -----------------------------------------------------------------------
    std::vector<const Job*> instances(std::string_view name) const;
    const Job* find_instance(std::string_view name, std::string_view instance) const;
    // The instance name the class's `instance` stanza gives for `env` (start-command variables).
    CommandResult<std::string> instance_name(const JobClass& cls, const Environ& env) const;

    // ---- commands (Upstart's start/stop/restart/reload) ------------------------------------
    // `waiter` (may be empty: --no-wait) is called once the job reaches its goal or fails.
    // The instance is named by expanding the class's `instance` stanza with `env`, or given
    // directly as `instance` (a job acting on itself through UPSTART_INSTANCE).
    CommandResult<JobStatus> start(std::string_view name, const Environ& env, JobWaiter waiter,
                                   const std::string* instance = nullptr);
    CommandResult<JobStatus> stop(std::string_view name, const Environ& env, JobWaiter waiter,
                                  const std::string* instance = nullptr);
    CommandResult<JobStatus> restart(std::string_view name, const Environ& env, JobWaiter waiter,
                                     const std::string* instance = nullptr);
    CommandResult<JobStatus> reload(std::string_view name, const Environ& env,
                                    const std::string* instance = nullptr);
    // Sets every job's goal to stop (shutdown). all_stopped() tells when they are all waiting.
    void stop_all();
    bool all_stopped() const;

    // ---- adoption (engine_adopt.cpp) ----------------------------------------------------------
    // Makes `adopted` an instance again, in its recorded state, with its recorded pids, without
    // running anything a state's entry would (its processes run already). A state that waits
    // for its process keeps waiting for it; one that waited for something the predecessor took
    // with it (an event: starting, stopping; a kill timer: killed) is entered again, which
    // emits the event again or sends the kill signal again. A main process that was still to
    // say it is ready is taken as ready. A recorded process that has ended meanwhile ends now,
    // as an exit of unknown status (ExitStatus::ended_unknown()), first: the job moves on from
    // it as from any exit (a service respawns, a hook's job goes to its next state).
    // Returns the job, or nullptr when it came to rest and is gone already. Refused (nothing
    // changes) for a class that is not defined, an instance that exists, or a job at rest.
    CommandResult<const Job*> adopt(const AdoptedJob& adopted);

    // ---- events --------------------------------------------------------------------------
    // Queues an event; `waiter` (may be empty) runs when it has finished.
    std::uint64_t emit(std::string name, Environ env, EventWaiter waiter = {});

    // ---- inputs from the runtime ------------------------------------------------------------
    // A child of ours ended. Unknown pids are ignored (returns false).
    bool on_process_exit(pid_t pid, ExitStatus status);
    void on_kill_timeout(Job& job);
    // The respawn delay of `job` is over (`respawn delay`): it leaves post-stop for starting.
    void on_respawn_timeout(Job& job);
    // Readiness of a main process with an `expect` stanza (job_readiness.cpp). All are ignored
    // for a pid that is not a main process awaiting readiness.
    // The process followed for expect fork/daemon forked: `to` is the main process from now on
    // (the exit of `from` no longer concerns the job).
    void on_main_forked(pid_t from, pid_t to);
    // The main process is ready (its final pid is `pid`): the job leaves spawned.
    void on_main_ready(pid_t pid);
    // The main process did not become ready: the start fails with `reason`. The caller kills it.
    void on_main_not_ready(pid_t pid, std::string reason);
    // Sets the daemon's status line (expect notify STATUS=), shown by status.
    void set_status_text(pid_t pid, std::string text);

    // The job whose process `pid` is (main or hook), or nullptr.
    const Job* job_of(pid_t pid) const {
        auto it = m_pids.find(pid);
        return it == m_pids.end() ? nullptr : it->second.first;
    }

    // Drains queued work (events to handle and finish) until none is left.
    void poll();
    // Events emitted and not yet finished (held by jobs or half-matched conditions).
    std::size_t events_in_flight() const { return m_events.size(); }

    // Called with every event as it is handled (logging, `startctl` event watchers, tests).
    using EventObserver = std::function<void(const Event&)>;
    void observe_events(EventObserver observer) { m_observer = std::move(observer); }

    JobRuntime& runtime() { return m_runtime; }

    // ---- the job environment table (set-env and friends) ------------------------------------
    // The base of every job started from now on; changes do not reach running instances.
    const Environ& global_env() const { return m_global_env; }
    Environ& global_env() { return m_global_env; }
    // Back to what it was when startd started.
    void reset_global_env() { m_global_env = m_initial_env; }
    // An instance's own table (what its later processes get), or nullptr. Read it with get();
    // edit() gives the instance a copy of its own first when other instances share it.
    SharedEnviron* instance_env_table(std::string_view name, std::string_view instance);
    // What a fresh instance of `cls` starts from: the table, then the class's env stanzas.
    Environ default_env(const JobClass& cls) const { return instance_env(cls, {}); }
    // Why the instance `instance` of `name` failed, if it did and is gone since (a failed job
    // winds down and is destroyed); "" otherwise. The newest failures of each class are kept
    // (a bounded number) until the instance is started again.
    std::string last_failure(std::string_view name, std::string_view instance) const;
    // The status of an instance that is gone (stop/waiting) with what its class kept of how it
    // ended (failure, last exit, why it stopped, when), or nullopt when nothing is kept.
    std::optional<JobStatus> gone_status(std::string_view name, std::string_view instance) const;

    // ---- explaining (`startctl why`, `plot`) ---------------------------------------------------
    // The operands of the class's `start on` that have matched since it was last true.
    std::vector<MatchedOperand> start_matches(std::string_view name) const;
    // The same for one instance's `stop on`.
    std::vector<MatchedOperand> stop_matches(std::string_view name, std::string_view instance) const;
    // When the class's current definition was loaded (set_class), the epoch if unknown.
    Clock::time_point class_loaded(std::string_view name) const;
    const EventHistory& event_history() const { return m_event_history; }
    const StateHistory& state_history() const { return m_state_history; }
    // When this engine was made (the start of the start-up timeline).
    Clock::time_point created() const { return m_created; }

  private:
    // What is kept of an instance that is gone: its status then, and when it stopped.
    struct GoneInstance {
        std::string instance;
        base::CompactString failure;
        base::CompactString stop_event;
        LastExit last_exit;
        Clock::time_point stopped{};
        StopCause cause = StopCause::None;
    };
    struct ClassEntry {
        std::shared_ptr<const JobClass> current; // what new instances use
        std::shared_ptr<const JobClass> pending; // a newer definition waiting for instances to end
        InstanceTable instances;
        ExprState start_state;            // the class's `start on` (of `current`)
        std::uint64_t start_round = 0;    // the engine round singleton_starts counts in
        std::uint16_t singleton_starts = 0; // starts by event of the singleton this round (see count_start)
        bool deleted = false;             // removed from disk; gone once instances end
        bool started_in_shutdown = false; // an event started it after stop_all()
        Clock::time_point loaded{};       // when `current` (or `pending`) was set
        // How instances since destroyed ended, oldest first, at most max_kept_gone; null while
        // there is none (a class costs one pointer for it).
        std::unique_ptr<std::vector<GoneInstance>> gone;
    };
    static constexpr std::size_t max_kept_gone = 32;
    // Keeps how `job` ended, as it is destroyed.
    static void keep_gone(ClassEntry& e, const Job& job, Clock::time_point now);
    // Forgets what was kept of `instance` (it is started again).
    static void forget_gone(ClassEntry& e, const std::string& instance);
    static std::vector<MatchedOperand> matches(const ExprState& state, const EventExpr& expr, const EventQueue& events);
    // Records `job`'s new state in the history.
    void record_transition(const Job& job);

    ClassEntry* entry(std::string_view name);
    const ClassEntry* entry(std::string_view name) const;
    CommandResult<Job*> lookup(std::string_view name, const Environ& env, bool create,
                               const std::string* instance);
    // An existing instance whose goal is start ("Job has already been stopped" otherwise).
    CommandResult<Job*> lookup_started(std::string_view name, const Environ& env,
                                       const std::string* instance);
    // Registers the waiter, applies the goals in order, and returns the status right after.
    JobStatus command_goal(Job& job, WaitFor what, JobWaiter waiter, std::initializer_list<JobGoal> goals);
    Environ instance_env(const JobClass& cls, const Environ& extra) const;

    // job_lifecycle.cpp
    void change_goal(Job& job, JobGoal goal);
    void change_state(Job& job, JobState state);
    // Runs the entry action of job.state; returns the next state to move to at once, or nullopt
    // when the job now waits (for a process, an event or a timer) or no longer exists.
    std::optional<JobState> enter_state(Job& job, JobState from);
    std::optional<JobState> advance(Job& job);
    bool spawn_process(Job& job, ProcessType type);
    // Records what spawning `type` of `job` gave: the pid, or the error. Returns success.
    bool record_spawn(Job& job, ProcessType type, const base::Result<pid_t>& pid);
    // Spawns the main process of every job queued in m_spawns (the jobs that entered `spawned`
    // this round) in one batch, so the runtime can create them several at a time, then moves
    // each on as spawning it singly would have.
    void send_spawns();
    // What follows the spawn of a job's main process: wait for readiness, or move on.
    void main_spawned(Job& job, bool ok);
    // Signals every job queued in m_kills (the jobs that entered `killed` this round) in one
    // batch, then arms their kill timers, or moves on those whose signal could not be sent.
    void send_kills();
    void emit_job_event(Job& job, const char* name, bool blocking);
    Environ job_event_env(const Job& job, bool with_result) const;
    // Records the job's first failure (`why` when there is no exit status: a spawn error is
    // taken from job.spawn_error), fails the events it holds and answers its waiters.
    void job_failed(Job& job, ProcessType process, std::optional<ExitStatus> status, std::string why = {});
    void job_finished(Job& job, WaitFor reached);
    void destroy(Job& job);

    // engine_events.cpp
    // Offers a newly handled event to the jobs that name it (stop on, then start on, per class).
    void handle_event(Event& ev);
    void stop_by_event(Job& job, Event& ev);
    void start_by_event(ClassEntry& e, Event& ev);
    // A `timer` event starts the job it names (JOB) when that job has timer stanzas: as if its
    // `start on` were `timer JOB=<itself>` or'd with what it says. A singleton (or instance)
    // still running is not started again; the skip is logged.
    void start_by_timer(Event& ev);
    // Counts a start by event of `instance` of `e` in this round; returns the count so far.
    // A job that starts and ends without any process can loop through its own events with
    // nothing to wait for: start_by_event refuses past a bound.
    unsigned count_start(ClassEntry& e, const std::string& instance);
    // Takes holds on `ids` for `job` (not on the event the job itself waits for: that would
    // deadlock), releasing what it held before.
    void hold_events(Job& job, const std::vector<std::uint64_t>& ids);
    // Lets go of every event the job holds (not failed).
    void release_events(Job& job);
    // Whether `job` waits, directly or through the jobs holding what it waits for, for `event`
    // to finish — holding it would then be a deadlock.
    bool waits_for(const Job& job, std::uint64_t event);
    // The listener index follows `current`: call unlisten before it changes, listen after.
    void listen(ClassEntry& e);
    void unlisten(ClassEntry& e);

    // job_exit.cpp
    void main_exited(Job& job, ExitStatus status);
    bool respawn_too_fast(Job& job);
    // `respawn healthy`: a main process that ran long enough resets the respawn delay and the
    // respawn limit's window.
    void forgive_if_healthy(Job& job);
    // `respawn delay`: counts the attempt and sets when the respawn is due. Returns the log
    // line's tail (" in 2.5 s (attempt 3)"), empty for a class without a delay.
    std::string delay_respawn(Job& job);
    // Leaving post-stop (its process done or none): with goal start and a respawn not due yet,
    // the job stays, its respawn timer armed (nullopt); otherwise the next state.
    std::optional<JobState> leave_post_stop(Job& job);
    // A command or event cut a job's delay short (stop, start now): its timer is cancelled and
    // it leaves post-stop once poll() has drained (end_delays), never in the caller's frame,
    // which may still use the job (stopping destroys it).
    void cut_delay(Job& job);
    // A start or restart command while a respawn is pending: it does not wait for its delay
    // (the attempt count stays: only a healthy run forgives).
    void respawn_now(Job& job);
    void end_delays();

    // job_readiness.cpp
    Job* awaiting_main(pid_t pid);

    JobRuntime& m_runtime;
    Environ m_global_env;
    Environ m_initial_env;
    std::unordered_map<std::string, ClassEntry> m_classes;
    std::unordered_map<pid_t, std::pair<Job*, ProcessType>> m_pids;
    EnvironPool m_env_pool; // instance tables, shared where equal
    std::size_t m_instance_count = 0; // instances of every class (all_stopped() is asked at every reap)
    EventQueue m_events;
    EventHistory m_event_history;
    StateHistory m_state_history;
    Clock::time_point m_created;
    // Event name → classes whose current `start on` / `stop on` names it: an event costs time
    // in proportion to the jobs that care about it, not to all jobs.
    std::unordered_map<std::string, std::vector<ClassEntry*>> m_listeners;
    EventObserver m_observer;
    bool m_polling = false;
    std::vector<Job*> m_kills;      // entered `killed` in this poll(); signalled once it has drained
    std::vector<Job*> m_spawns;     // entered `spawned` in this poll(); main spawned once it has drained
    std::vector<Job*> m_cut_delays; // respawn delays cut short in this poll() (cut_delay)
    std::uint64_t m_poll_round = 0; // counts top-level poll() calls (loop detection)
    // Starts by event of named instances within this round (singletons count in their
    // ClassEntry: a bring-up of thousands of jobs allocates nothing for this). Emptied after
    // each round.
    std::map<std::pair<const ClassEntry*, std::string>, unsigned> m_instance_starts_this_round;
    bool m_shutting_down = false;
};

} // namespace core
