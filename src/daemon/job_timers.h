// Owns JobTimers: the running daemon's side of job timers. It keeps the TimerTable in step with
// the engine's job classes, arms one loop timer for the earliest due time, and on each firing
// emits the `timer` event (JOB, TIMER, TIMER_FIRED) through the engine, which starts the job
// (core/engine_events.cpp). Each firing of a `timer missed catch-up` job is written to the timer
// state file; every timer's state goes into the state journal.
// Not here: when timers are due (core/timer_table), the file format (daemon/timer_state_file).
#pragma once

#include "core/engine.h"
#include "core/timer_table.h"
#include "loop/timer.h"
#include "sys/sys.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace daemon_main {

class JobTimers {
  public:
    using Log = std::function<void(core::LogLevel, std::string_view)>;
    // `state_file` (may be empty: none is kept) is the timer state file; `changed` is called
    // when the timers' states changed (the journal is to be written).
    JobTimers(sys::Sys& sys, loop::EventLoop& loop, core::Engine& engine, std::string state_file, Log log,
              std::function<void()> changed);

    // Takes up what a predecessor left, then arms the jobs' timers: the timers of a journal of
    // this boot (a crash, a re-exec) when there is one, otherwise the state file.
    void start(const std::optional<std::vector<core::TimerState>>& journal);
    // Brings the timers in line with the engine's job classes (after a load or a reload).
    void sync();
    // Every timer's state (for the journal).
    std::vector<core::TimerState> states() const { return m_table.states(); }
    // When `job`'s timers next fire (wall clock seconds), nullopt when it has none.
    std::optional<std::int64_t> next_firing(const std::string& job);
    // Writes the state file (startd exits).
    void save();

  private:
    core::TimerNow now();
    void fire();
    void rearm();
    bool any_catch_up() const;

    sys::Sys& m_sys;
    core::Engine& m_engine;
    std::string m_state_file;
    Log m_log;
    std::function<void()> m_changed;
    core::TimerTable m_table;
    loop::Timer m_timer;
    bool m_started = false;
};

} // namespace daemon_main
