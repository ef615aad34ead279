// Owns what an event does to jobs: the listener index by event name, `stop on` per instance and
// `start on` per class (Upstart's event_pending_handle_jobs), a job's own `timer` firings, and
// who holds which event.
#include "core/engine.h"

#include <algorithm>
#include <unordered_set>

namespace core {

namespace {

// The names a class listens to, each once.
std::vector<std::string> listened_names(const JobClass& cls) {
    std::vector<std::string> names;
    for (const auto* expr : {&cls.start_on, &cls.stop_on}) {
        if (!*expr) {
            continue;
        }
        for (std::string& name : event_names(**expr)) {
            if (std::find(names.begin(), names.end(), name) == names.end()) {
                names.push_back(std::move(name));
            }
        }
    }
    return names;
}

// How often one event round may start the same job (see Engine::count_start).
constexpr unsigned max_starts_per_round = 16;

// The instance an event starts: `cls`'s instance stanza expanded with `env` ("" for a
// singleton), or nullopt once the failure is logged. Shared by starts by event and by timer.
std::optional<std::string> expanded_instance(const JobClass& cls, const Environ& env, JobRuntime& runtime) {
    if (cls.instance.empty()) {
        return std::string();
    }
    auto expanded = env_expand(cls.instance, env);
    if (!expanded) {
        runtime.log(LogLevel::Error, "Failed to obtain " + cls.name + " instance: " + expanded.error().message());
        return std::nullopt;
    }
    return std::move(expanded).value();
}

} // namespace

void Engine::listen(ClassEntry& e) {
    if (!e.current) {
        return;
    }
    for (const std::string& name : listened_names(*e.current)) {
        m_listeners[name].push_back(&e);
    }
}

void Engine::unlisten(ClassEntry& e) {
    if (!e.current) {
        return;
    }
    for (const std::string& name : listened_names(*e.current)) {
        auto it = m_listeners.find(name);
        if (it == m_listeners.end()) {
            continue;
        }
        std::erase(it->second, &e);
        if (it->second.empty()) {
            m_listeners.erase(it);
        }
    }
    e.start_state.reset(m_events); // held events are released when the definition goes
}

void Engine::handle_event(Event& ev) {
    ev.at = m_runtime.now();
    m_event_history.record(ev.name, ev.at);
    if (ev.name == timer_event) {
        // Before the listeners: a job that also names its own timer in start on absorbs it.
        start_by_timer(ev);
    }
    auto it = m_listeners.find(ev.name);
    if (it == m_listeners.end()) {
        return;
    }
    // A copy: starting jobs must not invalidate the walk (the index itself only changes when a
    // class is replaced or a job destroyed, neither of which happens while an event is handled).
    std::vector<ClassEntry*> listeners = it->second;
    for (ClassEntry* e : listeners) {
        // Stop first, so an event named in both conditions restarts a running job (Upstart).
        if (e->current->stop_on) {
            std::vector<Job*> jobs;
            jobs.reserve(e->instances.size());
            for (const auto& job : e->instances) {
                jobs.push_back(job.get());
            }
            for (Job* job : jobs) {
                stop_by_event(*job, ev);
            }
        }
        bool disabled = e->pending && !e->pending->start_on; // see set_class
        if (e->current->start_on && !e->deleted && !disabled) {
            start_by_event(*e, ev);
        }
    }
}

void Engine::stop_by_event(Job& job, Event& ev) {
    if (!job.job_class().stop_on) {
        return;
    }
    const EventExpr& expr = *job.job_class().stop_on;
    ExpandEnv expand = [&job]() { return &job.env.get(); }; // `stop on … TTY=$TTY`: this instance's env
    if (!job.stop_state.handle(expr, ev, m_events, expand)) {
        return;
    }
    if (job.goal != JobGoal::Stop) {
        Environ stop_env;
        auto ids = job.stop_state.collect(expr, m_events, stop_env, "UPSTART_STOP_EVENTS");
        hold_events(job, ids);
        job.stop_env = std::move(stop_env);
        m_runtime.log(LogLevel::Info, job.display_name() + " stopped by event " + ev.name);
        job.stop_cause = StopCause::Event;
        job.stop_event = ev.name;
        change_goal(job, JobGoal::Stop);
    }
    job.stop_state.reset(m_events);
}

void Engine::start_by_event(ClassEntry& e, Event& ev) {
    const JobClass& cls = *e.current;
    std::optional<Environ> class_env;
    ExpandEnv expand = [&]() {
        if (!class_env) {
            class_env = instance_env(cls, {}); // `start on … X=$VAR`: the class's env stanzas
        }
        return &*class_env;
    };
    if (!e.start_state.handle(*cls.start_on, ev, m_events, expand)) {
        return;
    }
    if (cls.instance.empty()) {
        // A singleton already started absorbs the event: no environment to build (the common
        // case when an event recurs, and what keeps a busy event cheap).
        if (Job* running = e.instances.find(""); running != nullptr && running->goal == JobGoal::Start) {
            e.start_state.reset(m_events);
            return;
        }
    }
    Environ extra;
    auto ids = e.start_state.collect(*cls.start_on, m_events, extra, "UPSTART_EVENTS");
    Environ env = instance_env(cls, extra);
    auto instance = expanded_instance(cls, env, m_runtime);
    if (!instance) {
        e.start_state.reset(m_events);
        return;
    }
    if (m_shutting_down && (!cls.task || e.started_in_shutdown)) {
        // Shutting down: a task an event starts (cleanup on `stopping X`) runs once and ends by
        // itself; a service, or tasks that start each other again and again, would keep startd
        // from ever finishing.
        m_runtime.log(LogLevel::Info,
                      cls.name + " not started by event " + ev.name + ": startd is shutting down");
        e.start_state.reset(m_events);
        return;
    }
    e.started_in_shutdown = m_shutting_down;
    if (Job* existing = e.instances.find(*instance);
        existing != nullptr && existing->goal == JobGoal::Start) {
        e.start_state.reset(m_events); // already started: the event is simply absorbed
        return;
    }
    if (count_start(e, *instance) > max_starts_per_round) {
        // Only a job whose whole run needs no process can come round this fast: its own events
        // restart it before anything could wait. Refuse rather than spin forever.
        m_runtime.log(LogLevel::Error,
                      cls.name + (instance->empty() ? "" : " (" + *instance + ")") +
                          " not started by event " + ev.name + ": started " +
                          std::to_string(max_starts_per_round) +
                          " times without waiting for anything (a start on/stop on loop through "
                          "its own events)");
        e.start_state.reset(m_events);
        return;
    }
    auto found = lookup(cls.name, env, true, &*instance);
    if (found && (*found)->goal != JobGoal::Start) {
        Job& job = **found;
        hold_events(job, ids);
        job.start_env = std::make_unique<Environ>(std::move(env));
        m_runtime.log(LogLevel::Info, job.display_name() + " started by event " + ev.name);
        change_goal(job, JobGoal::Start);
    }
    // Already started (or cannot be): the event is simply absorbed.
    e.start_state.reset(m_events);
}

void Engine::start_by_timer(Event& ev) {
    auto job_name = env_get(ev.env, "JOB");
    ClassEntry* e = job_name ? entry(*job_name) : nullptr;
    if (e == nullptr || !e->current || e->deleted || e->current->timers.empty() || e->current->manual) {
        return; // not a job with timers of its own (or disabled by `manual`): only listeners care
    }
    const JobClass& cls = *e->current;
    Environ extra = ev.env;
    extra.push_back("UPSTART_EVENTS=" + ev.name);
    Environ env = instance_env(cls, extra);
    auto instance = expanded_instance(cls, env, m_runtime);
    if (!instance) {
        return;
    }
    std::string shown = cls.name + (instance->empty() ? "" : " (" + *instance + ")");
    if (m_shutting_down) {
        m_runtime.log(LogLevel::Info, shown + " not started by its timer: startd is shutting down");
        return;
    }
    if (Job* existing = e->instances.find(*instance);
        existing != nullptr && existing->goal == JobGoal::Start) {
        m_runtime.log(LogLevel::Info, shown + ": timer fired while still running; skipped");
        return;
    }
    auto found = lookup(cls.name, env, true, &*instance);
    if (!found) {
        m_runtime.log(LogLevel::Error, shown + " not started by its timer: " + found.error().message);
        return;
    }
    Job& job = **found;
    hold_events(job, {ev.id});
    job.start_env = std::make_unique<Environ>(std::move(env));
    std::string_view timer = env_get(ev.env, "TIMER").value_or("");
    m_runtime.log(LogLevel::Info, job.display_name() +
                                      (timer.empty() ? std::string(" started by event timer")
                                                     : " started by its timer (" + std::string(timer) + ")"));
    change_goal(job, JobGoal::Start);
}

unsigned Engine::count_start(ClassEntry& e, const std::string& instance) {
    if (!instance.empty()) {
        return ++m_instance_starts_this_round[{&e, instance}];
    }
    if (e.start_round != m_poll_round) {
        e.start_round = m_poll_round;
        e.singleton_starts = 0;
    }
    if (e.singleton_starts < UINT16_MAX) {
        ++e.singleton_starts;
    }
    return e.singleton_starts;
}

void Engine::release_events(Job& job) {
    for (std::uint64_t id : job.blocking) {
        m_events.unblock(id, false);
    }
    job.blocking.clear();
}

void Engine::hold_events(Job& job, const std::vector<std::uint64_t>& ids) {
    release_events(job);
    for (std::uint64_t id : ids) {
        if (id == job.blocker) {
            continue; // the job waits for this event itself
        }
        if (waits_for(job, id)) {
            const Event* ev = m_events.find(id);
            m_runtime.log(LogLevel::Warning,
                          job.display_name() + " does not hold event " + (ev ? ev->name : "?") +
                              ": it is itself waiting, through other jobs, for that event to "
                              "finish (circular start on/stop on)");
            continue;
        }
        m_events.block(id);
        job.blocking.push_back(id);
    }
}

bool Engine::waits_for(const Job& job, std::uint64_t event) {
    if (job.blocker == 0) {
        return false; // the common case: a job at rest or between steps waits for no event
    }
    // Who holds which event, built only now (a job blocked in starting/stopping while another
    // event moves it is rare). Then a walk: job → the event it waits for → the jobs holding that.
    std::unordered_map<std::uint64_t, std::vector<const Job*>> holders;
    for (const auto& [name, e] : m_classes) {
        for (const auto& other : e.instances) {
            for (std::uint64_t id : other->blocking) {
                holders[id].push_back(other.get());
            }
        }
    }
    std::vector<const Job*> stack = {&job};
    std::unordered_set<const Job*> seen = {&job};
    while (!stack.empty()) {
        const Job* j = stack.back();
        stack.pop_back();
        if (j->blocker == 0) {
            continue;
        }
        if (j->blocker == event) {
            return true;
        }
        for (const Job* h : holders[j->blocker]) {
            if (seen.insert(h).second) {
                stack.push_back(h);
            }
        }
    }
    return false;
}

} // namespace core
