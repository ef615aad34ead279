// Owns the sorted instance table of a job class (see instance_table.h).
#include "core/instance_table.h"

#include <algorithm>
#include <cassert>

namespace core {

InstanceTable::const_iterator InstanceTable::lower_bound(std::string_view instance) const {
    return std::lower_bound(
        m_jobs.begin(), m_jobs.end(), instance,
        [](const std::unique_ptr<Job>& job, std::string_view name) { return job->instance() < name; });
}

Job* InstanceTable::find(std::string_view instance) const {
    auto it = lower_bound(instance);
    return it != m_jobs.end() && (*it)->instance() == instance ? it->get() : nullptr;
}

Job& InstanceTable::insert(std::unique_ptr<Job> job) {
    auto it = lower_bound(job->instance());
    assert(it == m_jobs.end() || (*it)->instance() != job->instance());
    return **m_jobs.insert(it, std::move(job));
}

void InstanceTable::erase(std::string_view instance) {
    auto it = lower_bound(instance);
    if (it != m_jobs.end() && (*it)->instance() == instance) {
        m_jobs.erase(it);
    }
    if (m_jobs.empty()) {
        m_jobs.shrink_to_fit(); // a stopped class holds nothing
    }
}

} // namespace core
