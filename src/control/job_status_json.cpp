// Owns JobStatus <-> JSON.
#include "control/job_status_json.h"

#include "core/signal_names.h"

#include <chrono>
#include <cstdint>
#include <optional>

namespace control {

using nlohmann::json;

std::int64_t wall_ms(core::Clock::time_point t, core::Clock::time_point taken) {
    // The wall clock is read once per `taken` instant (a reply takes its `now` once), so the
    // times of one reply differ exactly as the monotonic times they come from.
    static thread_local core::Clock::time_point read_for{};
    static thread_local std::int64_t wall_at_taken = 0;
    if (wall_at_taken == 0 || taken != read_for) {
        read_for = taken;
        wall_at_taken = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    }
    return wall_at_taken - std::chrono::duration_cast<std::chrono::milliseconds>(taken - t).count();
}

namespace {

void add_details(json& out, const core::JobStatus& status) {
    core::Clock::time_point unknown{};
    if (status.since != unknown) {
        out["since_ms"] = wall_ms(status.since, status.taken);
    }
    if (status.main_started != unknown) {
        out["main_started_ms"] = wall_ms(status.main_started, status.taken);
    }
    if (status.respawn_limit != 0 || status.respawn_interval != 0) {
        // The count only means something inside its window.
        bool open = status.respawn_window != unknown &&
                    status.taken - status.respawn_window < std::chrono::seconds(status.respawn_interval);
        json respawns = {{"count", open ? status.respawn_count : 0u},
                         {"limit", status.respawn_limit},
                         {"interval_s", status.respawn_interval}};
        if (open) {
            respawns["window_started_ms"] = wall_ms(status.respawn_window, status.taken);
        }
        out["respawns"] = std::move(respawns);
    }
    if (status.last_exit) {
        const core::LastExit& e = *status.last_exit;
        json exit = {{"process", core::to_string(e.process)},
                     {"pid", e.pid},
                     {"at_ms", wall_ms(e.at, status.taken)},
                     {"text", std::string(core::to_string(e.process)) + " process (" + std::to_string(e.pid) +
                                  ") " + core::describe(e.status)}};
        if (e.status.unknown) {
            exit["unknown"] = true;
        } else if (e.status.signaled) {
            exit["signal"] = core::signal_name(e.status.code);
        } else {
            exit["status"] = e.status.code;
        }
        out["last_exit"] = std::move(exit);
    }
    if (status.stop_cause != core::StopCause::None) {
        json stopped = {{"cause", core::to_string(status.stop_cause)}, {"text", core::describe_stop(status)}};
        if (!status.stop_event.empty()) {
            stopped["event"] = status.stop_event;
        }
        out["stopped"] = std::move(stopped);
    }
    if (!status.readiness.empty()) {
        out["readiness"] = status.readiness;
    }
}

} // namespace

json status_to_json(const core::JobStatus& status, const LogStatus* log) {
    json processes = json::array();
    for (const auto& [type, pid] : status.processes) {
        processes.push_back({{"type", core::to_string(type)}, {"pid", pid}});
    }
    json out = {{"job", status.job},
                {"instance", status.instance},
                {"goal", core::to_string(status.goal)},
                {"state", core::to_string(status.state)},
                {"processes", std::move(processes)}};
    if (!status.status_text.empty()) {
        out["status_text"] = status.status_text;
    }
    if (!status.cannot_start.empty()) {
        out["cannot_start"] = status.cannot_start;
    }
    if (log != nullptr) {
        out["log"] = {{"path", log->path}, {"dropped_bytes", log->dropped_bytes}, {"dropped_lines", log->dropped_lines}};
    }
    if (!status.failure.empty()) {
        out["failure"] = status.failure;
    }
    if (status.respawn) {
        out["respawn"] = {{"attempt", status.respawn->attempt},
                          {"delay_ms", status.respawn->delay.count()},
                          {"due_in_ms", status.respawn->due_in.count()}};
    }
    add_details(out, status);
    return out;
}

base::Result<core::JobStatus> status_from_json(const json& value) {
    auto bad = [](const char* what) { return base::Error(std::string("malformed job status: ") + what); };
    if (!value.is_object()) {
        return bad("not an object");
    }
    core::JobStatus status;
    auto job = value.find("job");
    auto instance = value.find("instance");
    auto goal = value.find("goal");
    auto state = value.find("state");
    auto processes = value.find("processes");
    if (job == value.end() || !job->is_string() || instance == value.end() || !instance->is_string()) {
        return bad("job or instance");
    }
    status.job = job->get<std::string>();
    status.instance = instance->get<std::string>();
    std::optional<core::JobGoal> g;
    std::optional<core::JobState> s;
    if (goal != value.end() && goal->is_string()) {
        g = core::job_goal_from_string(goal->get<std::string>());
    }
    if (state != value.end() && state->is_string()) {
        s = core::job_state_from_string(state->get<std::string>());
    }
    if (!g || !s) {
        return bad("goal or state");
    }
    status.goal = *g;
    status.state = *s;
    if (auto text = value.find("status_text"); text != value.end()) {
        if (!text->is_string()) {
            return bad("status_text");
        }
        status.status_text = text->get<std::string>();
    }
    if (auto why = value.find("cannot_start"); why != value.end()) {
        if (!why->is_string()) {
            return bad("cannot_start");
        }
        status.cannot_start = why->get<std::string>();
    }
    if (auto failure = value.find("failure"); failure != value.end()) {
        if (!failure->is_string()) {
            return bad("failure");
        }
        status.failure = failure->get<std::string>();
    }
    if (auto respawn = value.find("respawn"); respawn != value.end()) {
        // A count of at most `max`, or nullopt. (One check per field: GCC's -O2 flow analysis
        // takes three optionals tested together for maybe-uninitialized.)
        auto field = [&](const char* key, std::uint64_t max) -> std::optional<std::uint64_t> {
            auto it = respawn->find(key);
            if (it == respawn->end() || !it->is_number_integer() ||
                (!it->is_number_unsigned() && it->get<std::int64_t>() < 0)) {
                return std::nullopt;
            }
            std::uint64_t n = it->get<std::uint64_t>();
            return n <= max ? std::optional<std::uint64_t>(n) : std::nullopt;
        };
        if (!respawn->is_object()) {
            return bad("respawn");
        }
        core::JobStatus::RespawnWait wait{};
        if (auto attempt = field("attempt", UINT32_MAX)) {
            wait.attempt = static_cast<unsigned>(*attempt);
        } else {
            return bad("respawn");
        }
        if (auto delay = field("delay_ms", INT64_MAX)) {
            wait.delay = std::chrono::milliseconds(*delay);
        } else {
            return bad("respawn");
        }
        if (auto due_in = field("due_in_ms", INT64_MAX)) {
            wait.due_in = std::chrono::milliseconds(*due_in);
        } else {
            return bad("respawn");
        }
        status.respawn = wait;
    }
    if (processes != value.end()) {
        if (!processes->is_array()) {
            return bad("processes");
        }
        for (const json& p : *processes) {
            if (!p.is_object() || !p.contains("type") || !p["type"].is_string() || !p.contains("pid") ||
                !p["pid"].is_number_integer()) {
                return bad("process entry");
            }
            auto type = core::process_type_from_string(p["type"].get<std::string>());
            if (!type) {
                return bad("process type");
            }
            status.processes.emplace_back(*type, p["pid"].get<pid_t>());
        }
    }
    return status;
}

} // namespace control
