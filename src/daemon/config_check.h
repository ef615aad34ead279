// Owns check-config's reachability analysis: `start on`/`stop on` conditions that name events no
// job emits and startd never emits, or jobs that do not exist (Upstart's initctl check-config).
#pragma once

#include <string>
#include <vector>

#include "core/job_class.h"

namespace daemon_main {

// Events startd itself emits, plus the job events (which name a job as their first argument).
bool is_builtin_event(const std::string& name);

// One report block per job with a problem: the job's name, then lines like
// "  start on: unknown event net-up" or "  stop on: unknown job dbus". A condition counts as
// satisfiable when any branch of an `or` is, so only conditions that can never become true are
// reported. Empty when all is well.
std::vector<std::string> check_reachability(const std::vector<const core::JobClass*>& jobs);

} // namespace daemon_main
