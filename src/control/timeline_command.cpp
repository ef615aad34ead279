// Owns `timeline`: the job state changes startd kept (core/state_history.h), for
// `startctl plot` to draw; the daemon only lists them, so it stays small.
#include "control/command_call.h"
#include "control/job_status_json.h"

namespace control {

using nlohmann::json;

void cmd_timeline(Call& call) {
    const core::Engine& engine = call.host.engine;
    core::Clock::time_point now = call.host.engine.runtime().now();
    core::Clock::time_point from = engine.created();
    if (auto it = call.request.args.find("since_s"); it != call.request.args.end()) {
        if (!it->is_number_unsigned()) {
            call.error(errc::invalid_argument,
                       "argument \"since_s\" must be a number of seconds (0 or more)");
            return;
        }
        auto back = std::chrono::seconds(it->get<std::uint64_t>());
        // Earlier changes still come (a job's state when the window opens), from before `from`.
        from = back < now - core::Clock::time_point{} ? std::max(from, now - back) : from;
    }
    json transitions = json::array();
    json start_on = json::object();
    for (const core::StateHistory::Entry& e : engine.state_history().entries()) {
        json t = {{"t_ms", wall_ms(e.at, now)},
                  {"job", std::string(e.job)},
                  {"instance", std::string(e.instance)},
                  {"state", core::to_string(e.state)},
                  {"goal", core::to_string(e.goal)}};
        if (e.failed) {
            t["failed"] = true;
        }
        std::string job(e.job);
        if (!start_on.contains(job)) {
            const core::JobClass* cls = engine.find_class(job);
            start_on[job] = cls && cls->start_on ? json(core::to_string(*cls->start_on)) : json(nullptr);
        }
        transitions.push_back(std::move(t));
    }
    call.ok({{"now_ms", wall_ms(now, now)},
             {"started_ms", wall_ms(engine.created(), now)},
             {"from_ms", wall_ms(from, now)},
             {"dropped", engine.state_history().dropped()},
             {"transitions", std::move(transitions)},
             {"start_on", std::move(start_on)}});
}

} // namespace control
