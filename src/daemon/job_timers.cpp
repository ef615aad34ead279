// Owns the daemon's job timers: the loop timer, the `timer` events, the state file's writes.
#include "daemon/job_timers.h"

#include "daemon/timer_state_file.h"

namespace daemon_main {

JobTimers::JobTimers(sys::Sys& sys, loop::EventLoop& loop, core::Engine& engine, std::string state_file,
                     Log log, std::function<void()> changed)
    : m_sys(sys), m_engine(engine), m_state_file(std::move(state_file)), m_log(std::move(log)),
      m_changed(std::move(changed)), m_timer(loop, [this] { fire(); }) {}

core::TimerNow JobTimers::now() {
    auto wall =
        std::chrono::duration_cast<std::chrono::seconds>(m_sys.wall_clock().time_since_epoch()).count();
    return core::TimerNow{core::Clock::time_point(m_sys.now().time_since_epoch()), wall};
}

void JobTimers::start(const std::optional<std::vector<core::TimerState>>& journal) {
    if (journal) {
        m_table.remember(*journal, true);
    } else if (!m_state_file.empty()) {
        auto saved = read_timer_state(m_sys, m_state_file);
        if (!saved) {
            m_log(core::LogLevel::Warning, "ignoring the timer state file " + m_state_file + ": " +
                                               saved.error().message() +
                                               " (no missed firings are caught up)");
        } else {
            m_table.remember(std::move(saved).value(), false);
        }
    }
    m_started = true;
    sync();
}

void JobTimers::sync() {
    if (!m_started) {
        return; // start() arms them once a predecessor's state is known
    }
    core::TimerNow at = now();
    bool changed = false;
    std::vector<std::string> names = m_engine.class_names();
    for (const std::string& name : names) {
        if (const core::JobClass* cls = m_engine.find_class(name)) {
            changed = m_table.set_job(*cls, at) || changed;
        }
    }
    for (const core::TimerState& s : m_table.states()) {
        if (m_engine.find_class(s.job) == nullptr) {
            changed = m_table.remove_job(s.job) || changed;
        }
    }
    if (changed) {
        if (any_catch_up()) {
            save();
        }
        m_changed();
    }
    rearm();
}

bool JobTimers::any_catch_up() const {
    for (const core::TimerState& s : m_table.states()) {
        const core::JobClass* cls = m_engine.find_class(s.job);
        if (cls != nullptr && cls->timer_catch_up) {
            return true;
        }
    }
    return false;
}

void JobTimers::fire() {
    core::TimerNow at = now();
    std::vector<core::TimerFiring> firings = m_table.take_due(at);
    bool catch_up = false;
    for (const core::TimerFiring& f : firings) {
        if (const core::JobClass* cls = m_engine.find_class(f.job); cls != nullptr && cls->timer_catch_up) {
            catch_up = true;
        }
        m_log(core::LogLevel::Debug, f.job + ": timer " + f.timer + " fired");
        m_engine.emit(std::string(core::timer_event),
                      {"JOB=" + f.job, "TIMER=" + f.timer, "TIMER_FIRED=" + std::to_string(f.fired)});
    }
    if (!firings.empty()) {
        if (catch_up) {
            save();
        }
        m_changed();
    }
    rearm();
}

void JobTimers::rearm() {
    auto wake = m_table.next_wake(now());
    if (!wake) {
        m_timer.cancel();
        return;
    }
    if (auto armed = m_timer.arm_at(sys::TimePoint(wake->time_since_epoch())); !armed) {
        m_log(core::LogLevel::Error, "cannot arm the job timers: " + armed.error().message());
    }
}

std::optional<std::int64_t> JobTimers::next_firing(const std::string& job) {
    if (m_table.empty()) {
        return std::nullopt; // no job has a timer: `list` reads no clock for each of its jobs
    }
    return m_table.next_firing(job, now());
}

void JobTimers::save() {
    if (m_state_file.empty()) {
        return;
    }
    std::vector<core::TimerState> kept;
    for (core::TimerState& s : m_table.states()) {
        const core::JobClass* cls = m_engine.find_class(s.job);
        if (cls != nullptr && cls->timer_catch_up) {
            s.due_ns = 0;
            kept.push_back(std::move(s));
        }
    }
    if (auto written = write_timer_state(m_sys, m_state_file, kept); !written) {
        m_log(core::LogLevel::Warning,
              "cannot write the timer state file " + m_state_file + ": " + written.error().message());
    }
}

} // namespace daemon_main
