// Owns the check for stanzas startd cannot carry out on this system.
#include "core/unsupported_stanzas.h"

namespace core {

std::optional<Unsupported> unsupported_stanza(const JobClass& job) {
    if (!job.apparmor_load.empty()) {
        return Unsupported{ProcessType::Security, "apparmor load " + job.apparmor_load.str() +
                                                      ": AppArmor is not supported on this system"};
    }
    if (!job.apparmor_switch.empty()) {
        return Unsupported{ProcessType::Main, "apparmor switch " + job.apparmor_switch.str() +
                                                  ": AppArmor is not supported on this system"};
    }
    if (!job.cgroups.empty()) {
        return Unsupported{ProcessType::Main,
                           "cgroup " + job.cgroups.front().controller +
                               ": cgroup stanzas (cgroup v1 controllers) are not supported on "
                               "this system"};
    }
    return std::nullopt;
}

} // namespace core
