// Owns the lifecycle transition table and the state/goal name tables.
#include "core/job_state.h"

namespace core {

namespace {

constexpr std::array<std::string_view, job_goal_count> goal_names = {"stop", "start", "respawn"};
constexpr std::array<std::string_view, job_state_count> state_names = {
    "waiting", "starting", "security", "pre-start", "spawned", "post-start",
    "running", "pre-stop", "stopping", "killed",   "post-stop"};

using S = JobState;
constexpr std::optional<JobState> impossible = std::nullopt;

struct Row {
    std::optional<JobState> on_stop;
    std::optional<JobState> on_start;
    std::optional<JobState> on_respawn;
};

// One row per state, in JobState order; columns by goal. Running+stop, and post-start/pre-stop
// +start, depend on the main process and are resolved in next_state().
constexpr std::array<Row, job_state_count> table = {{
    /* waiting    */ {impossible, S::Starting, impossible},
    /* starting   */ {S::Stopping, S::Security, impossible},
    /* security   */ {S::Stopping, S::PreStart, impossible},
    /* pre-start  */ {S::Stopping, S::Spawned, impossible},
    /* spawned    */ {S::Stopping, S::PostStart, impossible},
    /* post-start */ {S::Stopping, S::Running, S::Stopping},
    /* running    */ {S::PreStop, S::Stopping, S::Stopping},
    /* pre-stop   */ {S::Stopping, S::Running, S::Stopping},
    /* stopping   */ {S::Killed, S::Killed, S::Killed},
    /* killed     */ {S::PostStop, S::PostStop, S::PostStop},
    /* post-stop  */ {S::Waiting, S::Starting, S::Starting},
}};

} // namespace

std::string_view to_string(JobGoal goal) { return goal_names[static_cast<std::size_t>(goal)]; }
std::string_view to_string(JobState state) { return state_names[static_cast<std::size_t>(state)]; }

std::optional<JobGoal> job_goal_from_string(std::string_view name) {
    for (std::size_t i = 0; i < goal_names.size(); ++i) {
        if (goal_names[i] == name) {
            return static_cast<JobGoal>(i);
        }
    }
    return std::nullopt;
}

std::optional<JobState> job_state_from_string(std::string_view name) {
    for (std::size_t i = 0; i < state_names.size(); ++i) {
        if (state_names[i] == name) {
            return static_cast<JobState>(i);
        }
    }
    return std::nullopt;
}

std::optional<JobState> next_state(JobState state, JobGoal goal, MainAlive main_alive) {
    const Row& row = table[static_cast<std::size_t>(state)];
    switch (goal) {
    case JobGoal::Stop:
        if (state == S::Running && main_alive != MainAlive::Yes) {
            return S::Stopping;
        }
        return row.on_stop;
    case JobGoal::Start:
        // The main process died while post-start or pre-stop ran and the goal was set back to
        // start since: there is nothing to be running, so go round (stopping … starting) for a
        // new main process rather than sit in `running` without one.
        if ((state == S::PostStart || state == S::PreStop) && main_alive == MainAlive::No) {
            return S::Stopping;
        }
        return row.on_start;
    case JobGoal::Respawn:
        return row.on_respawn;
    }
    return impossible;
}

} // namespace core
