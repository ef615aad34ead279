// Owns the log wording of exit statuses.
#include "core/exit_status.h"

#include "core/signal_names.h"

namespace core {

std::string describe(const ExitStatus& status) {
    if (status.unknown) {
        return "ended (exit status unknown: it was adopted, not startd's child)";
    }
    if (status.signaled) {
        return "killed by " + signal_name(status.code) + " signal";
    }
    if (status.code == 0) {
        return "exited normally";
    }
    return "terminated with status " + std::to_string(status.code);
}

} // namespace core
