// Owns the translation of a job's process into a sys::SpawnPlan: command, environment,
// credentials (resolved by name now, at spawn time), limits, directory and stdio.
// Not here: creating the child (sys/spawn.h) or the console log pipes (the supervisor's).
#pragma once

#include <string>

#include "base/result.h"
#include "core/job.h"
#include "sys/spawn.h"
#include "sys/sys.h"

namespace proc {

enum class Mode : unsigned char { System, User };

// Where the child's fds 0, 1 and 2 come from (fds of startd, mapped in the child).
struct Stdio {
    int in = -1;
    int out = -1;
    int err = -1;
};

struct PlanContext {
    Mode mode = Mode::System;
    bool running_as_root = true;
    Stdio stdio;
    // Variables every process gets after the job's own (e.g. STARTD_CONFIG for nested startctl).
    core::Environ extra_env;
    // RLIMIT_NOFILE for processes whose class sets none (startd raised its own: fd_limit.h).
    std::optional<sys::ResourceLimit> nofile;
};

// The environment a process of `job` runs with: the instance environment, the stop environment
// for pre-stop and post-stop, then UPSTART_JOB and UPSTART_INSTANCE (always set, even empty).
core::Environ process_environment(const core::Job& job, core::ProcessType type, const core::Environ& extra);

// The complete plan. Fails, naming the stanza, when a user or group does not exist, or when a
// stanza asks for something this system cannot do (apparmor, cgroup v1 controllers).
base::Result<sys::SpawnPlan> build_spawn_plan(sys::Sys& sys, const core::Job& job, core::ProcessType type,
                                              const PlanContext& ctx);

} // namespace proc
