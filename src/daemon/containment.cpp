// Owns how jobs are contained: cgroups, or marks and traced pids (see containment.h).
#include "daemon/containment.h"

#include "proc/job_mark.h"

#include <cerrno>
#include <unordered_map>

namespace daemon_main {

Containment::Containment(pid_t self, proc::ProcessTree& tree, std::function<bool(pid_t)> is_job_process,
                         Log log)
    : m_tree(tree), m_is_job_process(std::move(is_job_process)), m_log(std::move(log)), m_self(self) {}

std::string Containment::cgroups_summary() const {
    if (!m_cgroups) {
        return {};
    }
    return m_cgroups->available() ? "available (" + m_cgroups->base() + ")"
                                  : "unavailable: " + m_cgroups->unavailable_reason();
}

Containment::Prepared Containment::prepare(const core::Job& job) {
    Held& held = m_held[&job];
    if (held.serial == 0) {
        held.serial = m_next_serial++;
    }
    Prepared prepared;
    prepared.mark = proc::job_mark(m_self, held.serial);
    if (!m_cgroups || !m_cgroups->available()) {
        return prepared;
    }
    if ((held.cgroup.empty() && held.no_cgroup.empty()) ||
        (!held.cgroup.empty() && held.dir == Dir::Removed)) {
        if (auto dir = m_cgroups->job_dir(job.name(), job.instance()); dir) {
            held.cgroup = std::move(dir).value();
        } else {
            held.no_cgroup = "cannot create its cgroup: " + dir.error().message();
            held.cgroup.clear();
        }
    }
    if (!held.cgroup.empty()) {
        // In use again: not to be removed, whether it was busy or a destroyed instance's.
        held.dir = Dir::Present;
        held.removal_tries = 0;
        m_busy.erase(&job);
        std::erase_if(m_lingering, [&](const Lingering& l) { return l.dir == held.cgroup; });
        if (auto fd = m_cgroups->procs_fd(held.cgroup); fd) {
            prepared.cgroup_procs = std::move(fd).value();
        } else {
            // Its other processes (marked like this one) are found by the process tree.
            held.no_cgroup = "cannot open " + held.cgroup + "/cgroup.procs: " + fd.error().message();
            held.cgroup.clear();
        }
    }
    if (held.cgroup.empty()) {
        m_log(core::LogLevel::Warning,
              job.display_name() + ": no cgroup (" + held.no_cgroup + "); contained by its process tree");
    }
    return prepared;
}

void Containment::adopted(const core::Job& job) {
    if (m_held.count(&job) != 0 || !m_cgroups || !m_cgroups->available()) {
        return;
    }
    Held& held = m_held[&job];
    held.serial = m_next_serial++; // its processes carry the predecessor's marks, new ones this
    if (auto dir = m_cgroups->job_dir(job.name(), job.instance()); dir) {
        held.cgroup = std::move(dir).value();
    } else {
        held.no_cgroup = "cannot find its cgroup: " + dir.error().message();
    }
}

void Containment::traced(const core::Job* job, std::span<const pid_t> pids, pid_t main) {
    auto it = m_held.find(job);
    if (it == m_held.end()) {
        return;
    }
    for (pid_t pid : pids) {
        if (pid == main || pid <= 0) {
            continue;
        }
        auto line = m_tree.stat(pid);
        if (!line || line->state == 'Z') {
            continue; // gone already: nothing of it to stop
        }
        m_traced[pid] = Traced{it->second.serial, line->start_time};
        it->second.traced.push_back(pid);
    }
}

void Containment::reaped(pid_t pid) {
    m_adopted.erase(pid);
    m_traced.erase(pid);
}

void Containment::forget(const core::Job& job) {
    auto it = m_held.find(&job);
    if (it == m_held.end()) {
        return;
    }
    m_maybe_idle.erase(&job);
    if (Held& held = it->second; !held.cgroup.empty() && held.dir != Dir::Removed &&
                                 !remove_cgroup(job, held) && m_busy.erase(&job) != 0) {
        m_lingering.push_back(Lingering{held.cgroup, held.removal_tries});
    }
    for (pid_t pid : it->second.traced) {
        if (auto t = m_traced.find(pid); t != m_traced.end() && t->second.serial == it->second.serial) {
            m_traced.erase(t);
        }
    }
    m_held.erase(it);
}

void Containment::may_be_idle(const core::Job& job) {
    if (auto it = m_held.find(&job);
        it != m_held.end() && !it->second.cgroup.empty() && it->second.dir == Dir::Present) {
        m_maybe_idle.insert(&job);
    }
}

void Containment::release_idle() {
    if (m_maybe_idle.empty()) {
        return;
    }
    auto jobs = std::move(m_maybe_idle);
    m_maybe_idle.clear();
    for (const core::Job* job : jobs) {
        // Forgotten jobs left the set, so each one here is alive.
        if (auto it = m_held.find(job); it != m_held.end() && job->state == core::JobState::Waiting &&
                                        !it->second.cgroup.empty() && it->second.dir == Dir::Present) {
            remove_cgroup(*job, it->second);
        }
    }
}

bool Containment::remove_cgroup(const core::Job& job, Held& held) {
    auto removed = m_cgroups->remove(held.cgroup);
    if (removed) {
        held.dir = Dir::Removed;
        held.removal_tries = 0;
        m_busy.erase(&job);
        return true;
    }
    held.dir = Dir::Busy;
    held.not_removed = removed.error().message();
    if (removed.error().code() == EBUSY && ++held.removal_tries <= max_removal_tries) {
        m_busy.insert(&job); // retried after later reaps
    } else {
        m_busy.erase(&job);
        m_log(core::LogLevel::Warning,
              job.display_name() + ": cgroup left in place (" + held.not_removed + ")");
    }
    return false;
}

void Containment::retry_removals() {
    if (!m_busy.empty()) {
        std::vector<const core::Job*> busy(m_busy.begin(), m_busy.end());
        for (const core::Job* job : busy) {
            if (auto it = m_held.find(job); it != m_held.end()) {
                remove_cgroup(*job, it->second);
            }
        }
    }
    std::erase_if(m_lingering, [this](Lingering& l) {
        auto removed = m_cgroups->remove(l.dir);
        if (removed) {
            return true;
        }
        if (removed.error().code() == EBUSY && ++l.removal_tries <= max_removal_tries) {
            return false;
        }
        m_log(core::LogLevel::Warning,
              "cgroup " + l.dir + " of a job that is gone left in place (" + removed.error().message() + ")");
        return true;
    });
}

void Containment::remove_cgroups() {
    if (!m_cgroups || !m_cgroups->available()) {
        return;
    }
    std::vector<std::string> dirs;
    for (const auto& [job, held] : m_held) {
        if (!held.cgroup.empty() && held.dir != Dir::Removed) {
            dirs.push_back(held.cgroup);
        }
    }
    for (const Lingering& l : m_lingering) {
        dirs.push_back(l.dir);
    }
    dirs.push_back(m_cgroups->base()); // last: it is empty only once the others are gone
    for (const std::string& dir : dirs) {
        if (auto removed = m_cgroups->remove(dir); !removed) {
            m_log(core::LogLevel::Warning,
                  "cgroup " + dir + " left in place at exit (" + removed.error().message() + ")");
        }
    }
}

const std::string* Containment::cgroup_of(const core::Job& job) const {
    auto it = m_held.find(&job);
    return it == m_held.end() || it->second.cgroup.empty() || it->second.dir == Dir::Removed
               ? nullptr
               : &it->second.cgroup;
}

void Containment::signal_cgroup(const core::Job& job, int sig) {
    if (const std::string* dir = cgroup_of(job)) {
        (void)m_cgroups->signal(*dir, sig);
    }
}

std::string Containment::describe(const core::Job& job) const {
    auto it = m_held.find(&job);
    if (it == m_held.end()) {
        return {};
    }
    if (const Held& held = it->second; !held.cgroup.empty()) {
        return "cgroup " + held.cgroup +
               (held.dir == Dir::Removed ? " (removed: no process left)"
                : held.dir == Dir::Busy  ? " (not removed: " + held.not_removed + ")"
                                         : std::string());
    }
    std::string why = !it->second.no_cgroup.empty() ? it->second.no_cgroup
                      : m_cgroups                   ? m_cgroups->unavailable_reason()
                                                    : "cgroups were not looked for";
    return "process tree (no cgroup: " + why + ")";
}

std::uint64_t Containment::owner(pid_t pid) {
    if (auto known = m_adopted.find(pid); known != m_adopted.end()) {
        return known->second;
    }
    std::uint64_t serial = 0;
    if (auto t = m_traced.find(pid); t != m_traced.end()) {
        // The pid the trace saw, if it is still that process (same start time).
        if (auto line = m_tree.stat(pid); line && line->start_time == t->second.start_time) {
            serial = t->second.serial;
        }
    }
    if (serial == 0) {
        if (auto environ = m_tree.read(pid, "environ"); environ) {
            serial = proc::find_job_mark(*environ, m_self);
        }
    }
    // Our child until we reap it (reaped() forgets it), so its pid names it until then.
    m_adopted[pid] = serial;
    return serial;
}

std::vector<std::vector<pid_t>> Containment::escapees(std::span<const core::Job* const> jobs) {
    std::vector<std::vector<pid_t>> out(jobs.size());
    std::unordered_map<std::uint64_t, std::size_t> wanted; // mark → index in `jobs`
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        if (auto it = m_held.find(jobs[i]); it != m_held.end() && it->second.cgroup.empty()) {
            wanted.emplace(it->second.serial, i);
        }
    }
    if (wanted.empty()) {
        return out; // every job has a cgroup, which holds its escapees too
    }
    auto children = m_tree.children(m_self);
    if (!children) {
        return out;
    }
    for (pid_t child : *children) {
        if (m_is_job_process(child)) {
            continue; // a job's main process or hook: the job's own group and tree reach it
        }
        auto it = wanted.find(owner(child));
        if (it == wanted.end()) {
            continue; // not ours, or another job's not being stopped now
        }
        std::vector<pid_t>& found = out[it->second];
        found.push_back(child);
        if (auto below = m_tree.descendants(child); below) {
            found.insert(found.end(), below->begin(), below->end());
        }
    }
    return out;
}

} // namespace daemon_main
