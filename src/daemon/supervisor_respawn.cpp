// Owns the Supervisor's side of respawn delays (`respawn delay`, a startd extension): one timer
// per job waiting out its delay, and the random source of their jitter.
#include "daemon/supervisor.h"

namespace daemon_main {

void Supervisor::arm_respawn_timer(core::Job& job, std::chrono::milliseconds after) {
    auto& timer = m_respawn_timers[&job];
    if (!timer) {
        core::Job* target = &job;
        timer = std::make_unique<loop::Timer>(m_loop, [this, target] {
            m_respawn_timers.erase(target); // fired: the engine may arm a new one for this job
            m_engine.on_respawn_timeout(*target);
        });
    }
    if (auto armed = timer->arm_after(std::chrono::duration_cast<sys::Duration>(after)); !armed) {
        // Without its timer the job would wait in post-stop forever: it respawns at the end of
        // this turn instead (unless it was stopped or started by then).
        log(core::LogLevel::Error, job.display_name() + ": cannot arm respawn timer (" +
                                       armed.error().message() + "); respawning without the delay");
        core::Job* target = &job;
        m_loop.post([this, target] {
            if (m_respawn_timers.erase(target) != 0) {
                m_engine.on_respawn_timeout(*target);
            }
        });
    }
}

void Supervisor::cancel_respawn_timer(core::Job& job) {
    m_respawn_timers.erase(&job);
}

std::uint64_t Supervisor::random() {
    return m_random();
}

void Supervisor::seed_random() {
    // Two startds (a system and a user instance, or one started again) differ in pid or in the
    // time they started; that is all the jitter needs.
    auto started = static_cast<std::uint64_t>(m_loop.now().time_since_epoch().count());
    std::seed_seq seed{static_cast<std::uint32_t>(started), static_cast<std::uint32_t>(started >> 32),
                       static_cast<std::uint32_t>(m_sys.getpid())};
    m_random.seed(seed);
}

} // namespace daemon_main
