// Owns TimerTable: every job's timers (`timer every`, `timer cron`), when each is next due, and
// which are due now, as pure bookkeeping over the times it is given (monotonic and wall clock),
// so tests drive it on any clock. Also what of a timer outlives startd (TimerState: its last
// firing, and for `every` its next due time) and what a successor makes of it: a firing missed
// while startd was not running runs once at start with `timer missed catch-up`, never with
// `skip` (the default).
// Not here: arming a loop timer and emitting the `timer` event (daemon/job_timers), where the
// state is kept (the state journal, daemon/timer_state_file).
//
// Clocks: `every` counts on the monotonic clock from when the job was loaded (or startd
// started); `cron` on the wall clock. When the wall clock jumps (it is seen as a change of the
// difference between the two clocks), cron timers are computed again from the new time: a jump
// forward over due times fires them once; a jump back does not fire again a time that already
// fired (unless the jump went back more than three hours, as cron decides).
#pragma once

#include "core/job_class.h"
#include "core/job_runtime.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace core {

// The two clocks at one moment. `wall` is seconds since the epoch.
struct TimerNow {
    Clock::time_point mono;
    std::int64_t wall = 0;
};

// One firing: `timer` (the schedule's text) of `job` fired at `fired` (wall clock seconds).
struct TimerFiring {
    std::string job;
    std::string timer;
    std::int64_t fired = 0;
    bool operator==(const TimerFiring&) const = default;
};

// What of one timer a successor needs.
struct TimerState {
    std::string job;
    std::string timer;
    std::int64_t last = 0;   // wall clock seconds of its last firing, or of when it was first armed
    std::int64_t due_ns = 0; // `every`: the monotonic time it is next due (ns); 0 when not known
    bool operator==(const TimerState&) const = default;
};

class TimerTable {
  public:
    // The longest a wait for a cron timer lasts before the wall clock is looked at again: a
    // clock set forward (or a suspend, which the monotonic clock does not count) is noticed
    // within this.
    static constexpr Clock::duration wall_check = std::chrono::seconds(60);

    // States a predecessor left (its journal, or the state file), taken up by the timers that
    // set_job() arms with the same job and schedule. `same_boot`: the monotonic times in them
    // are meaningful (a journal of this boot).
    void remember(std::vector<TimerState> states, bool same_boot);

    // Brings the job's timers in line with `cls`: a schedule it already had keeps its due time,
    // a new one is armed (from a remembered state when there is one), one it no longer has is
    // dropped. A `manual` job has no timers. Returns whether anything changed.
    bool set_job(const JobClass& cls, TimerNow now);
    // Forgets the job's timers. Returns whether it had any.
    bool remove_job(const std::string& job);

    // The firings due at `now`, each timer advanced to its next due time. A timer due several
    // times over (a long stall, a jump forward) fires once.
    std::vector<TimerFiring> take_due(TimerNow now);
    // When to look again (monotonic), nullopt when no timer is armed.
    std::optional<Clock::time_point> next_wake(TimerNow now);

    // Every timer's state, for a successor.
    std::vector<TimerState> states() const;
    // When the job's timers next fire (wall clock seconds), nullopt when it has none.
    std::optional<std::int64_t> next_firing(const std::string& job, TimerNow now) const;
    bool empty() const { return m_jobs.empty(); }

  private:
    struct Entry {
        TimerSpec spec;
        bool catch_up = false;
        bool fire_now = false;                // a missed firing to catch up at once
        std::int64_t last = 0;                // wall seconds (see TimerState)
        Clock::time_point due_mono{};         // `every`
        std::optional<std::int64_t> due_wall; // `cron`; nullopt: it never fires again
    };
    Entry arm(const std::string& job, const TimerSpec& spec, bool catch_up, TimerNow now);
    // Cron entries computed again after the wall clock jumped.
    void check_wall_clock(TimerNow now);

    std::map<std::string, std::vector<Entry>> m_jobs; // by job name
    std::map<std::pair<std::string, std::string>, TimerState> m_remembered;
    bool m_remembered_same_boot = false;
    std::optional<std::int64_t> m_clock_offset; // wall - monotonic, seconds, when last looked at
};

} // namespace core
