// Owns the list of stanzas startd parses (as Upstart does) but cannot carry out on this system:
// `apparmor load`, `apparmor switch` and `cgroup` (Upstart's cgmanager controllers). A job with
// one can never start here; this says why, for --check, check-config, the engine (which fails
// such a start before any process runs) and the spawn plan. Not here: parsing the stanzas.
#pragma once

#include "core/job_class.h"

#include <optional>
#include <string>

namespace core {

struct Unsupported {
    ProcessType process = ProcessType::Main; // the process Upstart would have set up with it
    std::string reason; // "apparmor switch cups: AppArmor is not supported on this system"
};

// The first stanza of `job` this system cannot honour, or nullopt when it can start.
std::optional<Unsupported> unsupported_stanza(const JobClass& job);

} // namespace core
