// Owns `why`: why a job is (not) running — its status, its `start on` / `stop on` trees with
// the operands events have matched, when each event it names was last emitted, and what that
// means in a few sentences (notes).
// Not here: drawing it for a person (cli/why_text.cpp).
#include "base/duration_text.h"
#include "control/command_call.h"
#include "control/event_expr_json.h"

#include <fnmatch.h>

namespace control {

namespace {

using nlohmann::json;

bool is_job_event(std::string_view name) {
    return name == "starting" || name == "started" || name == "stopping" || name == "stopped";
}

// The job a job event's operand names (`started db`, `stopped JOB=db`), or "".
std::string named_job(const core::EventExprNode& leaf) {
    if (!is_job_event(leaf.name.view())) {
        return {};
    }
    for (const core::EventArg& arg : leaf.args) {
        if ((arg.positional() || arg.key == "JOB") && !arg.negated &&
            arg.value.find_first_of("*?[$") == std::string::npos) {
            return arg.value;
        }
        if (arg.positional()) {
            break; // only the first positional argument is JOB
        }
    }
    return {};
}

// Jobs that say (`emits`) they emit `event`.
std::vector<std::string> emitters(const core::Engine& engine, const std::string& event) {
    std::vector<std::string> out;
    for (const std::string& name : engine.class_names()) {
        const core::JobClass* cls = engine.find_class(name);
        if (cls == nullptr) {
            continue;
        }
        for (const std::string& pattern : cls->emits) {
            if (fnmatch(pattern.c_str(), event.c_str(), 0) == 0) {
                out.push_back(name);
                break;
            }
        }
    }
    return out;
}

std::string ago(core::Clock::time_point then, core::Clock::time_point now) {
    return base::duration_text(std::chrono::duration_cast<std::chrono::milliseconds>(now - then)) + " ago";
}

// What the operands still waiting mean: one note per operand.
struct Explainer {
    const core::Engine& engine;
    const std::string& job;
    core::Clock::time_point now;
    core::Clock::time_point loaded;
    const std::optional<core::JobStatus>& gone;
    json& notes;

    void waiting_operand(const core::EventExprNode& leaf, const char* condition) {
        std::string name = leaf.name.str();
        std::string what = "`" + name + "`";
        if (std::string other = named_job(leaf); !other.empty()) {
            std::string state = "not defined";
            if (const core::Job* j = engine.find_instance(other, ""); j != nullptr) {
                state = std::string(core::to_string(j->goal)) + "/" + std::string(core::to_string(j->state));
            } else if (engine.find_class(other) != nullptr) {
                state = "stop/waiting";
            }
            notes.push_back(std::string(condition) + " waits for `" + name + " " + other + "`: " + other +
                            " is " + state);
            return;
        }
        auto seen = engine.event_history().find(name);
        if (!seen) {
            std::string note =
                std::string(condition) + " waits for " + what + ", not emitted since startd started";
            if (auto by = emitters(engine, name); !by.empty()) {
                note += "; jobs that say they emit it:";
                for (const std::string& e : by) {
                    note += " " + e;
                }
            } else if (!is_job_event(name)) {
                note += " (no job says it emits it: `startctl emit " + name + "` does)";
            }
            notes.push_back(std::move(note));
            return;
        }
        if (seen->last < loaded) {
            notes.push_back(what + " was emitted " + ago(seen->last, now) +
                            ", before this job was added: run `startctl start " + job + "`");
            return;
        }
        if (gone && gone->since >= seen->last) {
            notes.push_back(what + " was last emitted " + ago(seen->last, now) +
                            "; the job ran and has stopped since");
            return;
        }
        notes.push_back(what + " was last emitted " + ago(seen->last, now) +
                        " but did not match this operand (" + std::string(condition) +
                        " names its arguments)");
    }

    // Walks the tree top-down along the branches that are not true yet.
    void explain(const core::EventExpr& expr, const std::vector<core::MatchedOperand>& matched,
                 const char* condition) {
        std::vector<char> value(expr.nodes.size(), 0);
        for (std::size_t i = 0; i < expr.nodes.size(); ++i) {
            const core::EventExprNode& n = expr.nodes[i];
            if (n.kind == core::EventExprKind::Match) {
                for (const core::MatchedOperand& m : matched) {
                    value[i] = static_cast<char>(value[i] || m.node == i);
                }
            } else if (n.kind == core::EventExprKind::And) {
                value[i] = static_cast<char>(value[n.lhs] && value[n.rhs]);
            } else {
                value[i] = static_cast<char>(value[n.lhs] || value[n.rhs]);
            }
        }
        std::vector<std::uint32_t> todo = {expr.root()};
        while (!todo.empty()) {
            std::uint32_t i = todo.back();
            todo.pop_back();
            const core::EventExprNode& n = expr.nodes[i];
            if (value[i]) {
                continue;
            }
            if (n.kind == core::EventExprKind::Match) {
                waiting_operand(n, condition);
            } else {
                todo.push_back(n.rhs);
                todo.push_back(n.lhs);
            }
        }
    }
};

std::vector<std::string> named_events(const core::JobClass* cls) {
    std::vector<std::string> names;
    if (cls == nullptr) {
        return names;
    }
    for (const auto* expr : {&cls->start_on, &cls->stop_on}) {
        if (*expr) {
            for (std::string& n : core::event_names(**expr)) {
                if (std::find(names.begin(), names.end(), n) == names.end()) {
                    names.push_back(std::move(n));
                }
            }
        }
    }
    return names;
}

} // namespace

void cmd_why(Call& call) {
    auto requested = requested_status(call);
    if (!requested) {
        return;
    }
    const std::string& job = requested->job;
    const std::string& instance = requested->instance;
    const core::Engine& engine = call.host.engine;
    core::Clock::time_point now = call.host.engine.runtime().now();
    const core::JobClass* cls = engine.find_class(job);
    const core::Job* live = engine.find_instance(job, instance);
    std::optional<core::JobStatus> gone = live ? std::nullopt : engine.gone_status(job, instance);
    core::Clock::time_point loaded = engine.class_loaded(job);

    json out = {{"job", job}, {"instance", instance}, {"status", requested->entry}};
    out["loaded_ms"] = wall_ms(loaded, now);
    std::vector<core::MatchedOperand> start_matched = engine.start_matches(job);
    std::vector<core::MatchedOperand> stop_matched = engine.stop_matches(job, instance);
    out["start_on"] =
        cls && cls->start_on ? expr_to_json(*cls->start_on, &start_matched, now) : json(nullptr);
    out["stop_on"] = cls && cls->stop_on ? expr_to_json(*cls->stop_on, &stop_matched, now) : json(nullptr);

    json events = json::array();
    for (const std::string& name : named_events(cls)) {
        json e = {{"name", name}};
        if (auto seen = engine.event_history().find(name)) {
            e["last_emitted_ms"] = wall_ms(seen->last, now);
            e["count"] = seen->count;
            e["before_load"] = seen->last < loaded;
        } else {
            e["last_emitted_ms"] = nullptr;
            e["count"] = 0;
            e["before_load"] = false;
        }
        events.push_back(std::move(e));
    }
    out["events"] = std::move(events);

    json notes = json::array();
    Explainer explainer{engine, job, now, loaded, gone, notes};
    const json& st = requested->entry;
    if (auto why = st.find("cannot_start"); why != st.end()) {
        notes.push_back("it cannot start on this system: " + why->get<std::string>());
    }
    bool goal_start = live != nullptr && live->goal != core::JobGoal::Stop;
    if (goal_start) {
        if (live->state == core::JobState::Running) {
            std::string note = "it is running";
            if (auto events_var = core::env_get(live->env.get(), "UPSTART_EVENTS");
                events_var && !events_var->empty()) {
                note += "; started by " + std::string(*events_var);
            } else {
                note += "; started by a command";
            }
            notes.push_back(std::move(note));
        } else {
            notes.push_back("it is on its way to running (" + std::string(core::to_string(live->state)) +
                            ")");
        }
        if (cls && cls->stop_on && !stop_matched.empty()) {
            explainer.explain(*cls->stop_on, stop_matched, "its `stop on`");
        }
    } else {
        if (auto stopped = st.find("stopped"); stopped != st.end()) {
            notes.push_back("it " + stopped->value("text", std::string()));
        }
        if (auto failure = st.find("failure");
            failure != st.end() &&
            failure->get<std::string>().find("respawning too fast") != std::string::npos) {
            const core::JobClass* c = cls;
            notes.push_back("it respawned more than " + std::to_string(c ? c->respawn_limit : 0) +
                            " times within " + std::to_string(c ? c->respawn_interval : 0) +
                            " s (`respawn limit`): fix it, then run `startctl start " + job + "`");
        }
        if (cls == nullptr) {
            notes.push_back("its job file is gone: it is not started again");
        } else if (!cls->start_on) {
            notes.push_back("it has no `start on`" + std::string(cls->manual ? " (manual)" : "") +
                            ": only `startctl start " + job + "` starts it");
        } else if (live == nullptr) {
            explainer.explain(*cls->start_on, start_matched, "its `start on`");
        }
    }
    out["notes"] = std::move(notes);
    call.ok(std::move(out));
}

} // namespace control
