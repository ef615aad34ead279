// Owns how jobs are contained: cgroups, or marks and traced pids (see containment.h).
#include "daemon/containment.h"

#include "proc/job_mark.h"

#include <unordered_map>

namespace daemon_main {

Containment::Containment(pid_t self, proc::ProcessTree& tree, std::function<bool(pid_t)> is_job_process, Log log)
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
    if (held.cgroup.empty() && held.no_cgroup.empty()) {
        if (auto dir = m_cgroups->job_dir(job.name(), job.instance()); dir) {
            held.cgroup = std::move(dir).value();
        } else {
            held.no_cgroup = "cannot create its cgroup: " + dir.error().message();
        }
    }
    if (!held.cgroup.empty()) {
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
    for (pid_t pid : it->second.traced) {
        if (auto t = m_traced.find(pid); t != m_traced.end() && t->second.serial == it->second.serial) {
            m_traced.erase(t);
        }
    }
    m_held.erase(it);
}

const std::string* Containment::cgroup_of(const core::Job& job) const {
    auto it = m_held.find(&job);
    return it == m_held.end() || it->second.cgroup.empty() ? nullptr : &it->second.cgroup;
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
    if (!it->second.cgroup.empty()) {
        return "cgroup " + it->second.cgroup;
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
