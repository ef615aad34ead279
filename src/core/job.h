// Owns Job: one running instance of a JobClass — its goal, state, environment, processes,
// failure record, respawn accounting and who is waiting on it.
// Not here: the transitions themselves (core/engine.h and job_lifecycle.cpp).
#pragma once

#include "core/environ.h"
#include "core/event_match.h"
#include "core/exit_status.h"
#include "core/job_class.h"
#include "core/job_runtime.h"
#include "core/job_state.h"
#include "core/shared_environ.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace core {

// How a job's last process ended (pid 0: none has ended since the instance was created).
struct LastExit {
    Clock::time_point at{};
    ExitStatus status;
    pid_t pid = 0;
    ProcessType process = ProcessType::Main;
    bool operator==(const LastExit&) const = default;
};

// Why a job's goal last became stop, until it starts again.
enum class StopCause : std::uint8_t {
    None,     // it has not been stopped (or has started since)
    Command,  // `startctl stop`
    Event,    // its `stop on` (the event is named beside it)
    Failed,   // a failure: see its failure text (the respawn limit is one)
    Ended,    // its main process ended as it may (a task done, a service exiting normally)
    Shutdown, // startd stopped every job
};
std::string_view to_string(StopCause cause); // "command", "event", …

// A snapshot of a job for replies and status lines (the Job itself may be gone by then).
struct JobStatus {
    std::string job;
    std::string instance;
    JobGoal goal = JobGoal::Stop;
    JobState state = JobState::Waiting;
    std::vector<std::pair<ProcessType, pid_t>> processes; // live ones, in status order
    std::string status_text; // the daemon's own status (expect notify STATUS=), or empty
    // Why the job can never start on this system (a stanza it cannot honour), or empty.
    std::string cannot_start;
    // Why the job last failed ("web main process could not be started: fork failed: …"), until
    // it is started again; empty when it has not failed since.
    std::string failure;
    // A respawn waiting out its delay (`respawn delay`), from the main process's exit until the
    // job leaves post-stop for starting.
    struct RespawnWait {
        unsigned attempt = 0;                // 1 for the first respawn since a start or a healthy run
        std::chrono::milliseconds delay{0};  // the delay drawn for this attempt
        std::chrono::milliseconds due_in{0}; // left of it when the status was taken (0 once due)
        bool operator==(const RespawnWait&) const = default;
    };
    std::optional<RespawnWait> respawn = std::nullopt; // (initialised: older aggregate initialisations stay valid)
    // The details `status --json`, `show` and `why` give (a stop/waiting job that is gone has
    // what its class kept of it). Times are the runtime's clock; `taken` is when the snapshot
    // was made, so a reader can tell how long ago each was.
    Clock::time_point taken = {};
    Clock::time_point since = {};        // entered its current state (the epoch: unknown)
    Clock::time_point main_started = {}; // its main process was spawned (while it runs)
    unsigned respawn_count = 0;          // respawns in the respawn limit's current window
    Clock::time_point respawn_window = {}; // when that window opened
    unsigned respawn_limit = 0;          // the class's `respawn limit` (0: not a respawning job)
    unsigned respawn_interval = 0;       // its window, seconds
    std::optional<LastExit> last_exit = std::nullopt;
    StopCause stop_cause = StopCause::None;
    std::string stop_event = {}; // the event that stopped it (StopCause::Event)
    // Readiness of a main process with `expect`: "waiting", "ready"; empty without expect.
    std::string readiness = {};
};

// Why the job stopped, in words: "stopped by event runlevel", "stopped by startctl",
// "failed: web main process respawning too fast"; empty when it was not stopped.
std::string describe_stop(const JobStatus& status);

// How a request that waited on a job ended.
struct JobOutcome {
    bool failed = false;
    std::string message; // why it failed ("Job failed to start"), empty on success
    JobStatus status;
};

using JobWaiter = std::function<void(const JobOutcome&)>;

// What a job's waiters are waiting for.
enum class WaitFor : unsigned char { Start, Stop };

class Job {
  public:
    Job(std::shared_ptr<const JobClass> cls, std::string instance)
        : m_class(std::move(cls)), m_instance(std::move(instance)) {}
    Job(const Job&) = delete;
    Job& operator=(const Job&) = delete;

    const JobClass& job_class() const { return *m_class; }
    const std::shared_ptr<const JobClass>& class_ptr() const { return m_class; }
    const std::string& name() const { return m_class->name; }
    const std::string& instance() const { return m_instance; }
    // "getty (tty1)" or "web": how Upstart names a job in messages.
    std::string display_name() const;

    JobGoal goal = JobGoal::Stop;
    JobState state = JobState::Waiting;
    // The main process has an `expect` stanza and has not said it is ready yet.
    bool awaiting_ready = false;
    // Respawns since the job started or its main process last ran healthy (`respawn healthy`);
    // counted only for a class with `respawn delay` (what the next delay is).
    std::uint16_t respawn_attempt = 0;

    SharedEnviron env;                // the instance environment, replaced at each start
    std::unique_ptr<Environ> start_env; // pending environment for the next start/restart
    Environ stop_env;                 // given to pre-stop/post-stop (events that stopped it)

    std::array<pid_t, process_type_count> pids{};
    pid_t pid(ProcessType type) const { return pids[static_cast<std::size_t>(type)]; }
    pid_t& pid(ProcessType type) { return pids[static_cast<std::size_t>(type)]; }
    bool main_alive() const { return pid(ProcessType::Main) > 0; }
    // The process group the main process was spawned to lead (its pid at spawn). A daemon that
    // forks away keeps leaving processes in it, so stopping signals it as well as the main pid.
    pid_t main_group = 0;
    // Runaway detection: the window starts at respawn_time, count respawns inside it.
    unsigned respawn_count = 0;
    Clock::time_point respawn_time{};
    // `respawn delay`: when the pending respawn is due (the epoch: none pending) and the delay
    // drawn for it. Set at the main process's exit; the job waits in post-stop, once its
    // post-stop process is done, until then (waiting_out_delay()).
    std::uint32_t respawn_delay_ms = 0;
    Clock::time_point respawn_due{};
    // When the main process was spawned (`respawn healthy` measures its run from here).
    Clock::time_point main_started{};
    bool respawn_pending() const { return respawn_due != Clock::time_point{}; }
    // Goal start, post-stop done, the respawn not due yet: the job waits for its respawn timer.
    bool waiting_out_delay() const {
        return respawn_pending() && state == JobState::PostStop && pid(ProcessType::PostStop) == 0;
    }

    // The daemon's own words (expect notify: STATUS=…), shown by status.
    base::CompactString status_text;

    // The first failure since the job last entered starting.
    bool failed = false;
    ProcessType failed_process = ProcessType::Main;
    bool failed_by_respawn_limit = false;
    std::optional<ExitStatus> failed_status; // nullopt: spawn failure or respawn limit
    base::CompactString failure_reason;      // "web main process terminated with status 1"
    base::CompactString spawn_error;         // why the last spawn failed

    // What `status --json`, `show` and `why` tell beyond Upstart's status line.
    Clock::time_point state_since{}; // when it entered its current state
    LastExit last_exit;              // its last process to end
    StopCause stop_cause = StopCause::None;
    base::CompactString stop_event; // the event that stopped it (StopCause::Event)

    // The starting/stopping event this job waits for, or 0.
    std::uint64_t blocker = 0;
    // Events held until this job reaches its rest state (those that started or stopped it).
    std::vector<std::uint64_t> blocking;

    // This instance's copy of its class's `stop on` state (Upstart copies the tree per instance).
    ExprState stop_state;

    // Requests waiting for the job to reach its rest state (or to fail).
    std::vector<std::pair<WaitFor, JobWaiter>> waiters;

    // `now` is the runtime's clock (how long a pending respawn still waits).
    JobStatus status(Clock::time_point now) const;

  private:
    std::shared_ptr<const JobClass> m_class;
    std::string m_instance;
};

} // namespace core
