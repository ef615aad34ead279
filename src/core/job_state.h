// Owns the job lifecycle's vocabulary and its transition table: JobGoal, JobState, next_state().
// Not here: the side effects of entering a state (core/job_lifecycle.cpp) or what triggers a change.
//
// A job instance has a goal (start or stop; respawn is a transient goal used while a post-start
// or pre-stop process still runs) and a state. Whenever the step a state waits for is done (an
// event finished, a process exited) the instance moves to next_state(state, goal). The table is
// Upstart 1.x's (../shared/reference/upstart-semantics.md §3.2) without its transient "-ing"
// spawning states: our spawns are asynchronous inside the state that owns the process.
//
// A respawn with a delay (`respawn delay`, startd's extension) adds no state: the job waits
// out its delay in post-stop with goal start once its post-stop process is done (or when it has
// none), and moves to starting (post-stop + start, as in the table) when its respawn timer fires
// (core/job_exit.cpp: leave_post_stop, on_respawn_timeout). A stop meanwhile takes it from there
// to waiting (post-stop + stop).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace core {

enum class JobGoal : std::uint8_t { Stop, Start, Respawn };
inline constexpr std::size_t job_goal_count = 3;

enum class JobState : std::uint8_t {
    Waiting,
    Starting,
    Security,
    PreStart,
    Spawned,
    PostStart,
    Running,
    PreStop,
    Stopping,
    Killed,
    PostStop,
};
inline constexpr std::size_t job_state_count = 11;

// Upstart's spellings: "stop"/"start"/"respawn", "waiting", "pre-start", …
std::string_view to_string(JobGoal goal);
std::string_view to_string(JobState state);
std::optional<JobGoal> job_goal_from_string(std::string_view name);
std::optional<JobState> job_state_from_string(std::string_view name);

// Whether the main process is alive matters in three cells: a running job asked to stop runs
// pre-stop only when there is a main process to stop; post-start and pre-stop with goal start
// lead to running only when there is one to be running (or the class has none).
// Whether the job's main process runs: No (it has one, and it is gone), Yes, or None (the class
// has no main process at all: a job of only hooks, which is "running" with nothing to watch).
enum class MainAlive : std::uint8_t { No, Yes, None };

// The state after `state` once its step is done, given `goal`. Cells that cannot happen (a
// waiting job never moves with goal stop; respawn is only ever set in post-start and pre-stop
// and their neighbours) return nullopt; callers treat that as a bug (logged as an internal error).
std::optional<JobState> next_state(JobState state, JobGoal goal, MainAlive main_alive);

// True for the two states a job rests in: waiting (goal stop) and running (goal start).
constexpr bool is_rest_state(JobState state) { return state == JobState::Waiting || state == JobState::Running; }

} // namespace core
