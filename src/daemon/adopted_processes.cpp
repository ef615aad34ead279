// Owns watching adopted processes for their end: pidfds, or a poll once a second.
#include "daemon/adopted_processes.h"

#include <sys/epoll.h>

#include <cerrno>
#include <vector>

namespace daemon_main {

AdoptedProcesses::AdoptedProcesses(sys::Sys& sys, loop::EventLoop& loop, Ended ended, Log log)
    : m_sys(sys), m_loop(loop), m_ended(std::move(ended)), m_log(std::move(log)), m_proc(sys),
      m_poll_timer(loop, [this] { poll(); }) {}

AdoptedProcesses::~AdoptedProcesses() {
    for (auto& [pid, w] : m_pidfds) {
        m_loop.remove_watch(w.id);
    }
}

void AdoptedProcesses::watch(pid_t pid) {
    if (watching(pid)) {
        return;
    }
    auto fd = m_sys.pidfd_open(pid);
    if (!fd && fd.error().code() == ESRCH) {
        m_polled.emplace(pid, 0); // gone already: reported from the loop
        m_loop.post([this, pid] {
            if (m_polled.erase(pid) != 0) {
                m_ended(pid);
            }
        });
        return;
    }
    std::string why = fd ? std::string() : fd.error().message();
    if (fd) {
        int raw = fd->get();
        auto id = m_loop.add_watch(raw, EPOLLIN, [this, pid](std::uint32_t) {
            end(pid);
            return loop::Next::Keep;
        });
        if (id) {
            m_pidfds.emplace(pid, PidWatch{std::move(fd).value(), *id});
            return;
        }
        why = id.error().message();
    }
    m_log(core::LogLevel::Warning,
          "adopted process " + std::to_string(pid) + " is looked for once a second (" + why + ")");
    auto stat = m_proc.stat(pid);
    m_polled.emplace(pid, stat ? stat->start_time : 0);
    if (!m_poll_timer.armed()) {
        (void)m_poll_timer.arm_after(poll_interval);
    }
}

void AdoptedProcesses::end(pid_t pid) {
    auto it = m_pidfds.find(pid);
    if (it == m_pidfds.end()) {
        return;
    }
    m_loop.remove_watch(it->second.id);
    m_pidfds.erase(it);
    m_ended(pid);
}

void AdoptedProcesses::poll() {
    std::vector<pid_t> gone;
    for (const auto& [pid, start_time] : m_polled) {
        if (this->gone(pid, start_time)) {
            gone.push_back(pid);
        }
    }
    for (pid_t pid : gone) {
        m_polled.erase(pid);
        m_ended(pid);
    }
    if (!m_polled.empty()) {
        (void)m_poll_timer.arm_after(poll_interval);
    }
}

bool AdoptedProcesses::gone(pid_t pid, unsigned long long start_time) {
    if (auto alive = m_sys.kill(pid, 0); !alive && alive.error().code() == ESRCH) {
        return true;
    }
    if (start_time == 0) {
        return false; // /proc said nothing at watch(): the pid is all there is to go by
    }
    auto stat = m_proc.stat(pid);
    return !stat || stat->state == 'Z' || stat->state == 'X' || stat->start_time != start_time;
}

} // namespace daemon_main
