// Owns the end-of-shutdown sweep of processes still below startd (see leftovers.h).
#include "daemon/leftovers.h"

#include <csignal>
#include <string>
#include <unistd.h>

namespace daemon_main {

Leftovers::Leftovers(sys::Sys& sys, loop::EventLoop& loop, proc::ProcessTree& tree, Log log,
                     std::function<void()> gave_up, std::chrono::milliseconds kill_after)
    : m_sys(sys), m_tree(tree), m_log(std::move(log)), m_gave_up(std::move(gave_up)),
      m_kill_after(kill_after), m_timer(loop, [this] { on_timeout(); }) {}

bool Leftovers::sweep() {
    if (m_phase == Phase::GaveUp) {
        return false;
    }
    auto left = m_tree.descendants(m_sys.getpid());
    if (!left) {
        m_log(core::LogLevel::Warning,
              "cannot read the processes left after the shutdown: " + left.error().message());
        return false;
    }
    if (left->empty()) {
        m_timer.cancel();
        return false;
    }
    if (m_phase == Phase::Idle) {
        std::string pids;
        for (pid_t pid : *left) {
            pids += (pids.empty() ? "" : " ") + std::to_string(pid);
        }
        m_log(core::LogLevel::Info, "every job has stopped; sending TERM to " + std::to_string(left->size()) +
                                        " process(es) they left behind: " + pids);
        m_phase = Phase::Terming;
        if (auto armed = m_timer.arm_after(m_kill_after); !armed) {
            m_log(core::LogLevel::Error, "cannot arm the leftover kill timer: " + armed.error().message());
        }
    }
    // TERM, or KILL once the timeout has passed, to each process not signalled so yet.
    int sig = m_phase == Phase::Terming ? SIGTERM : SIGKILL;
    for (pid_t pid : *left) {
        if (m_signalled.insert(pid).second) {
            (void)m_sys.kill(pid, sig);
        }
    }
    return true;
}

void Leftovers::on_timeout() {
    auto left = m_tree.descendants(m_sys.getpid());
    if (!left || left->empty()) {
        return; // the next reap (or none) settles it
    }
    if (m_phase == Phase::Terming) {
        m_log(core::LogLevel::Warning,
              std::to_string(left->size()) + " leftover process(es) outlived TERM; sending KILL");
        m_phase = Phase::Killed;
        m_signalled.clear();
        for (pid_t pid : *left) {
            m_signalled.insert(pid);
            (void)m_sys.kill(pid, SIGKILL);
        }
        if (auto armed = m_timer.arm_after(m_kill_after); !armed) {
            m_log(core::LogLevel::Error, "cannot arm the leftover kill timer: " + armed.error().message());
        }
        return;
    }
    m_log(core::LogLevel::Warning,
          std::to_string(left->size()) + " leftover process(es) outlived KILL; exiting without them");
    m_phase = Phase::GaveUp;
    m_gave_up();
}

} // namespace daemon_main
