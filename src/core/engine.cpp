// Owns the Engine's registry, commands and event queue draining.
#include "core/engine.h"

#include <algorithm>

namespace core {

Engine::Engine(JobRuntime& runtime, Environ global_env)
    : m_runtime(runtime), m_global_env(std::move(global_env)), m_initial_env(m_global_env),
      m_created(runtime.now()) {}

Engine::~Engine() = default;

// ---- classes -------------------------------------------------------------------------------

void Engine::set_class(std::shared_ptr<const JobClass> cls) {
    ClassEntry& e = m_classes[cls->name];
    e.deleted = false;
    e.loaded = m_runtime.now();
    if (e.instances.empty() || !e.current) {
        unlisten(e);
        e.current = std::move(cls);
        e.pending.reset();
        listen(e);
    } else {
        e.pending = std::move(cls);
        if (!e.pending->start_on) {
            // Disabled (`manual`, or no `start on` any more) while instances run: they keep their
            // definition until they stop, but events start no new ones from now on, as for a
            // removed class (startctl disable takes effect at once).
            e.start_state.reset(m_events);
        }
    }
}

void Engine::remove_class(const std::string& name) {
    auto it = m_classes.find(name);
    if (it == m_classes.end()) {
        return;
    }
    if (it->second.instances.empty()) {
        unlisten(it->second);
        m_classes.erase(it);
    } else {
        // Running instances still listen for their `stop on`; `start on` is done with.
        it->second.deleted = true;
        it->second.pending.reset();
        it->second.start_state.reset(m_events);
    }
}

Engine::ClassEntry* Engine::entry(std::string_view name) {
    auto it = m_classes.find(std::string(name));
    return it == m_classes.end() ? nullptr : &it->second;
}

const Engine::ClassEntry* Engine::entry(std::string_view name) const {
    auto it = m_classes.find(std::string(name));
    return it == m_classes.end() ? nullptr : &it->second;
}

const JobClass* Engine::find_class(std::string_view name) const {
    const ClassEntry* e = entry(name);
    return e == nullptr || e->deleted ? nullptr : e->current.get();
}

std::vector<std::string> Engine::class_names() const {
    std::vector<std::string> names;
    names.reserve(m_classes.size());
    for (const auto& [name, e] : m_classes) {
        if (!e.deleted || !e.instances.empty()) {
            names.push_back(name);
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::vector<const Job*> Engine::instances(std::string_view name) const {
    std::vector<const Job*> out;
    if (const ClassEntry* e = entry(name)) {
        for (const auto& job : e->instances) {
            out.push_back(job.get());
        }
    }
    return out;
}

const Job* Engine::find_instance(std::string_view name, std::string_view instance) const {
    const ClassEntry* e = entry(name);
    if (e == nullptr) {
        return nullptr;
    }
    return e->instances.find(instance);
}

SharedEnviron* Engine::instance_env_table(std::string_view name, std::string_view instance) {
    ClassEntry* e = entry(name);
    if (e == nullptr) {
        return nullptr;
    }
    Job* job = e->instances.find(instance);
    return job == nullptr ? nullptr : &job->env;
}

Environ Engine::instance_env(const JobClass& cls, const Environ& extra) const {
    Environ env = m_global_env;
    for (const std::string& entry : cls.env) {
        env_apply_stanza(env, entry, m_global_env);
    }
    for (const std::string& assignment : extra) {
        env_set(env, assignment);
    }
    return env;
}

CommandResult<std::string> Engine::instance_name(const JobClass& cls, const Environ& env) const {
    if (cls.instance.empty()) {
        return std::string();
    }
    auto name = env_expand(cls.instance, instance_env(cls, env));
    if (!name) {
        std::string message = name.error().message();
        if (!cls.usage.empty()) {
            message += "\nUsage: " + cls.usage;
        }
        return CommandError{"invalid-argument", std::move(message)};
    }
    return std::move(name).value();
}

CommandResult<Job*> Engine::lookup(std::string_view name, const Environ& env, bool create,
                                   const std::string* instance) {
    ClassEntry* e = entry(name);
    if (e == nullptr || (create && e->deleted) || (!create && e->deleted && e->instances.empty())) {
        return CommandError{"unknown-job", "Unknown job: " + std::string(name)};
    }
    auto inst = instance ? CommandResult<std::string>(*instance) : instance_name(*e->current, env);
    if (!inst) {
        return std::move(inst).error();
    }
    if (Job* existing = e->instances.find(*inst)) {
        return existing;
    }
    if (!create) {
        return CommandError{"unknown-instance", "Unknown instance: " + *inst};
    }
    forget_gone(*e, *inst); // started again: how it ended before is history
    ++m_instance_count;
    return &e->instances.insert(std::make_unique<Job>(e->current, *inst));
}

void Engine::keep_gone(ClassEntry& e, const Job& job, Clock::time_point now) {
    forget_gone(e, job.instance());
    if (!e.gone) {
        e.gone = std::make_unique<std::vector<GoneInstance>>();
    }
    auto& kept = *e.gone;
    if (kept.size() >= max_kept_gone) {
        kept.erase(kept.begin());
    }
    kept.push_back(GoneInstance{job.instance(), job.failed ? job.failure_reason : base::CompactString(),
                                job.stop_event, job.last_exit, now, job.stop_cause});
}

void Engine::forget_gone(ClassEntry& e, const std::string& instance) {
    if (!e.gone) {
        return;
    }
    std::erase_if(*e.gone, [&](const GoneInstance& g) { return g.instance == instance; });
    if (e.gone->empty()) {
        e.gone.reset();
    }
}

std::string Engine::last_failure(std::string_view name, std::string_view instance) const {
    auto status = gone_status(name, instance);
    return status ? status->failure : std::string();
}

std::optional<JobStatus> Engine::gone_status(std::string_view name, std::string_view instance) const {
    const ClassEntry* e = entry(name);
    if (e == nullptr || !e->gone) {
        return std::nullopt;
    }
    for (const GoneInstance& g : *e->gone) {
        if (g.instance != instance) {
            continue;
        }
        JobStatus s;
        s.job = std::string(name);
        s.instance = g.instance;
        s.failure = g.failure.str();
        s.taken = m_runtime.now();
        s.since = g.stopped;
        if (g.last_exit.pid != 0) {
            s.last_exit = g.last_exit;
        }
        s.stop_cause = g.cause;
        s.stop_event = g.stop_event.str();
        return s;
    }
    return std::nullopt;
}

std::vector<MatchedOperand> Engine::matches(const ExprState& state, const EventExpr& expr, const EventQueue& events) {
    std::vector<MatchedOperand> out;
    for (std::uint32_t i = 0; i < expr.nodes.size(); ++i) {
        std::uint64_t id = state.matched(i);
        if (id == 0) {
            continue;
        }
        const Event* ev = events.find(id);
        out.push_back(ev ? MatchedOperand{i, ev->name, ev->env, ev->at} : MatchedOperand{i, {}, {}, {}});
    }
    return out;
}

std::vector<MatchedOperand> Engine::start_matches(std::string_view name) const {
    const ClassEntry* e = entry(name);
    if (e == nullptr || !e->current || !e->current->start_on) {
        return {};
    }
    return matches(e->start_state, *e->current->start_on, m_events);
}

std::vector<MatchedOperand> Engine::stop_matches(std::string_view name, std::string_view instance) const {
    const Job* job = find_instance(name, instance);
    if (job == nullptr || !job->job_class().stop_on) {
        return {};
    }
    return matches(job->stop_state, *job->job_class().stop_on, m_events);
}

Clock::time_point Engine::class_loaded(std::string_view name) const {
    const ClassEntry* e = entry(name);
    return e == nullptr ? Clock::time_point{} : e->loaded;
}

void Engine::record_transition(const Job& job) {
    m_state_history.record(m_runtime.now(), job.name(), job.instance(), job.state, job.goal, job.failed);
}

// ---- commands ------------------------------------------------------------------------------

JobStatus Engine::command_goal(Job& job, WaitFor what, JobWaiter waiter, std::initializer_list<JobGoal> goals) {
    if (waiter) {
        job.waiters.emplace_back(what, std::move(waiter));
    }
    release_events(job); // a command supersedes the events that moved the job last (Upstart)
    for (JobGoal goal : goals) {
        change_goal(job, goal);
    }
    // The reply describes the job right after the goal change; poll() may move it further (or
    // destroy it).
    JobStatus status = job.status(m_runtime.now());
    poll();
    return status;
}

CommandResult<Job*> Engine::lookup_started(std::string_view name, const Environ& env, const std::string* instance) {
    auto found = lookup(name, env, false, instance);
    if (found && (*found)->goal == JobGoal::Stop) {
        return CommandError{"already-stopped", "Job has already been stopped: " + (*found)->display_name()};
    }
    return found;
}

CommandResult<JobStatus> Engine::start(std::string_view name, const Environ& env, JobWaiter waiter,
                                       const std::string* instance) {
    auto found = lookup(name, env, true, instance);
    if (!found) {
        return std::move(found).error();
    }
    Job& job = **found;
    if (job.goal == JobGoal::Start && job.respawn_pending()) {
        // Started by hand while a respawn waits for its delay: it respawns without waiting, and
        // the reply comes once it runs, as for any start.
        job.start_env = std::make_unique<Environ>(instance_env(job.job_class(), env));
        respawn_now(job);
        return command_goal(job, WaitFor::Start, std::move(waiter), {});
    }
    if (job.goal == JobGoal::Start) {
        return CommandError{"already-running", "Job is already running: " + job.display_name()};
    }
    job.start_env = std::make_unique<Environ>(instance_env(job.job_class(), env));
    return command_goal(job, WaitFor::Start, std::move(waiter), {JobGoal::Start});
}

CommandResult<JobStatus> Engine::stop(std::string_view name, const Environ& env, JobWaiter waiter,
                                      const std::string* instance) {
    auto found = lookup_started(name, env, instance);
    if (!found) {
        return std::move(found).error();
    }
    (*found)->stop_env.clear();
    (*found)->stop_cause = StopCause::Command;
    (*found)->stop_event = base::CompactString();
    return command_goal(**found, WaitFor::Stop, std::move(waiter), {JobGoal::Stop});
}

CommandResult<JobStatus> Engine::restart(std::string_view name, const Environ& env, JobWaiter waiter,
                                         const std::string* instance) {
    auto found = lookup_started(name, env, instance);
    if (!found) {
        return std::move(found).error();
    }
    Job& job = **found;
    // The instance keeps its environment unless new variables are given (Upstart's restart).
    if (!env.empty()) {
        job.start_env = std::make_unique<Environ>(instance_env(job.job_class(), env));
    }
    job.stop_env.clear();
    if (job.respawn_pending()) {
        respawn_now(job); // a restart does not wait out a respawn delay
    }
    return command_goal(job, WaitFor::Start, std::move(waiter), {JobGoal::Stop, JobGoal::Start});
}

CommandResult<JobStatus> Engine::reload(std::string_view name, const Environ& env, const std::string* instance) {
    auto found = lookup(name, env, false, instance);
    if (!found) {
        return std::move(found).error();
    }
    Job& job = **found;
    pid_t main = job.pid(ProcessType::Main);
    if (main <= 0) {
        return CommandError{"not-running", "Job is not running: " + job.display_name()};
    }
    base::Result<void> sent;
    try {
        sent = m_runtime.signal_process(main, job.job_class().reload_signal);
    } catch (...) {
        sent = error_of_current_exception();
    }
    if (!sent) {
        return CommandError{"internal", "Failed to send reload signal to " + job.display_name() + ": " +
                                            sent.error().message()};
    }
    return job.status(m_runtime.now());
}

void Engine::stop_all() {
    m_shutting_down = true;
    std::vector<Job*> all;
    for (auto& [name, e] : m_classes) {
        for (const auto& job : e.instances) {
            all.push_back(job.get());
        }
    }
    for (Job* job : all) {
        if (job->goal != JobGoal::Stop) {
            job->stop_env.clear();
            job->stop_cause = StopCause::Shutdown;
            job->stop_event = base::CompactString();
            release_events(*job);
            change_goal(*job, JobGoal::Stop);
        }
    }
    poll();
}

bool Engine::all_stopped() const { return m_instance_count == 0; }

// ---- events --------------------------------------------------------------------------------

std::uint64_t Engine::emit(std::string name, Environ env, EventWaiter waiter) {
    Event& ev = m_events.emit(std::move(name), std::move(env));
    if (waiter) {
        ev.waiters.edit().push_back(std::move(waiter));
    }
    std::uint64_t id = ev.id;
    poll();
    return id;
}

void Engine::poll() {
    if (m_polling) {
        return; // the outer poll() picks up whatever this call would have done
    }
    m_polling = true;
    ++m_poll_round;
    // Whatever escapes (a waiter or observer that throws), the engine is not left "polling" for
    // good: the next command or event polls again and picks up what this one left.
    struct EndOfRound {
        Engine& engine;
        ~EndOfRound() {
            engine.m_instance_starts_this_round.clear(); // the round is over
            engine.m_polling = false;
        }
    } end_of_round{*this};
    for (;;) {
        if (Event* ev = m_events.next_unhandled()) {
            if (m_observer) {
                m_observer(*ev);
            }
            handle_event(*ev);
            m_events.mark_handled(*ev);
            continue;
        }
        if (auto done = m_events.take_finished()) {
            if (Job* job = done->blocked_job; job != nullptr && job->blocker == done->id) {
                job->blocker = 0;
                if (auto next = advance(*job)) {
                    change_state(*job, *next);
                }
            }
            for (const EventWaiter& waiter : done->waiters) {
                waiter(*done);
            }
            constexpr std::string_view failed_suffix = "/failed";
            bool is_failed_event = done->name.size() >= failed_suffix.size() &&
                                   done->name.compare(done->name.size() - failed_suffix.size(), failed_suffix.size(),
                                                      failed_suffix) == 0;
            if (done->failed && !is_failed_event) {
                m_events.emit(done->name + std::string(failed_suffix), done->env);
            }
            continue;
        }
        if (!m_kills.empty()) {
            send_kills(); // may move jobs on, so the queue is looked at again
            continue;
        }
        if (!m_spawns.empty()) {
            send_spawns(); // moves jobs on: the queue is looked at again
            continue;
        }
        if (!m_cut_delays.empty()) {
            end_delays(); // moves jobs on (or destroys them)
            continue;
        }
        break;
    }
}

} // namespace core
