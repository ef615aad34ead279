// Owns InstanceTable: the running instances of one job class, by instance name ("" for a
// singleton). Kept as a vector sorted by name: most classes have one instance or none, for which
// a std::map spent 120 bytes (its header and a node); this spends 24 and one pointer.
// Not here: when instances are made or destroyed (core/engine).
#pragma once

#include "core/job.h"

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace core {

class InstanceTable {
  public:
    using const_iterator = std::vector<std::unique_ptr<Job>>::const_iterator;

    // The instance named `instance`, or nullptr.
    Job* find(std::string_view instance) const;
    // Adds `job` (no instance of its name may exist yet) and returns it.
    Job& insert(std::unique_ptr<Job> job);
    // Destroys the instance named `instance`, if there is one.
    void erase(std::string_view instance);

    bool empty() const { return m_jobs.empty(); }
    std::size_t size() const { return m_jobs.size(); }
    // In instance-name order.
    const_iterator begin() const { return m_jobs.begin(); }
    const_iterator end() const { return m_jobs.end(); }

  private:
    const_iterator lower_bound(std::string_view instance) const;

    std::vector<std::unique_ptr<Job>> m_jobs; // sorted by instance name
};

} // namespace core
