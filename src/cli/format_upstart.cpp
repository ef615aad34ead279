// Owns the Upstart status-line format.
#include "cli/format_upstart.h"

namespace cli {

std::string status_line(const core::JobStatus& status) {
    std::string out = status.job;
    if (!status.instance.empty()) {
        out += " (" + status.instance + ")";
    }
    out += ' ';
    out += core::to_string(status.goal == core::JobGoal::Respawn ? core::JobGoal::Start : status.goal);
    out += '/';
    out += core::to_string(status.state);
    std::string more; // the lines after the first
    bool first = true;
    for (const auto& [type, pid] : status.processes) {
        if (first) {
            bool plain = type == core::ProcessType::Main || type == core::ProcessType::PreStart ||
                         type == core::ProcessType::PostStop;
            out += plain ? ", process " : ", (" + std::string(core::to_string(type)) + ") process ";
            out += std::to_string(pid);
            first = false;
        } else {
            more += "\n\t" + std::string(core::to_string(type)) + " process " + std::to_string(pid);
        }
    }
    if (status.respawn) {
        // Not Upstart's (it respawned at once): `respawn delay`, a startd extension.
        auto ms = status.respawn->due_in.count();
        out += ms <= 0 ? ", respawning now" : ", respawning in " + std::to_string((ms + 999) / 1000) + " s";
        out += " (attempt " + std::to_string(status.respawn->attempt) + ")";
    }
    out += more;
    if (!status.status_text.empty()) {
        // Not Upstart's (it had no such thing); only jobs whose daemon sends STATUS= get it.
        out += "\n\tstatus: " + status.status_text;
    }
    if (!status.cannot_start.empty()) {
        out += "\n\tcannot start on this system: " + status.cannot_start;
    }
    return out;
}

} // namespace cli
