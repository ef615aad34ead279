// Owns building the SpawnPlan of one job process.
#include "proc/spawn_plan.h"

#include "core/unsupported_stanzas.h"
#include "proc/command.h"

namespace proc {

namespace {

using base::Error;

base::Result<void> resolve_credentials(sys::Sys& sys, const core::JobClass& cls, const PlanContext& ctx,
                                       sys::SpawnPlan& plan) {
    if (cls.setuid.empty() && cls.setgid.empty()) {
        return {};
    }
    std::optional<sys::UserInfo> user;
    if (!cls.setuid.empty()) {
        auto found = sys.lookup_user(cls.setuid.c_str());
        if (!found) {
            return Error("setuid " + cls.setuid + ": " + found.error().message());
        }
        if (!*found) {
            return Error("Invalid setuid user name does not exist: " + cls.setuid);
        }
        user = std::move(**found);
    }
    std::optional<gid_t> gid;
    if (!cls.setgid.empty()) {
        auto found = sys.lookup_group(cls.setgid.c_str());
        if (!found) {
            return Error("setgid " + cls.setgid + ": " + found.error().message());
        }
        if (!*found) {
            return Error("Invalid setgid group name does not exist: " + cls.setgid);
        }
        gid = (*found)->gid;
    } else if (user) {
        gid = user->gid; // the user's primary group
    }
    if (!ctx.running_as_root) {
        // An unprivileged startd cannot change identity; asking to become itself is fine.
        return {};
    }
    if (gid) {
        plan.gid = *gid;
    }
    if (user) {
        plan.uid = user->uid;
        auto groups = sys.group_list(user->name.c_str(), gid.value_or(user->gid));
        if (!groups) {
            return Error("supplementary groups of " + user->name + ": " + groups.error().message());
        }
        plan.groups = std::move(groups).value();
    } else if (gid) {
        plan.groups = std::vector<gid_t>{*gid};
    }
    return {};
}

} // namespace

core::Environ process_environment(const core::Job& job, core::ProcessType type, const core::Environ& extra) {
    core::Environ env = job.env;
    if (type == core::ProcessType::PreStop || type == core::ProcessType::PostStop) {
        for (const std::string& kv : job.stop_env) {
            core::env_set(env, kv);
        }
    }
    for (const std::string& kv : extra) {
        core::env_set(env, kv);
    }
    core::env_set(env, "UPSTART_JOB=" + job.name());
    core::env_set(env, "UPSTART_INSTANCE=" + job.instance());
    return env;
}

base::Result<sys::SpawnPlan> build_spawn_plan(sys::Sys& sys, const core::Job& job, core::ProcessType type,
                                              const PlanContext& ctx) {
    const core::JobClass& cls = job.job_class();
    const auto& process = cls.process(type);
    if (!process) {
        return Error("no " + std::string(core::to_string(type)) + " process is defined");
    }
    if (auto unsupported = core::unsupported_stanza(cls)) {
        return Error(unsupported->reason); // the engine refuses such a start first; never run one half set up
    }

    sys::SpawnPlan plan;
    Command cmd = command_for(*process);
    if (cmd.argv.empty()) {
        return Error("the " + std::string(core::to_string(type)) + " command is empty");
    }
    plan.file = std::move(cmd.file);
    plan.argv = std::move(cmd.argv);
    plan.envp = process_environment(job, type, ctx.extra_env);
    plan.new_session = true;
    plan.reset_signals = true;
    plan.umask = cls.umask;
    plan.nice = cls.nice;
    plan.oom_score_adj = cls.oom_score;
    bool own_nofile = false;
    for (const auto& [resource, limit] : cls.limits) {
        plan.rlimits.push_back(sys::ResourceLimit{resource, limit.soft, limit.hard});
        own_nofile = own_nofile || resource == RLIMIT_NOFILE;
    }
    if (ctx.nofile && !own_nofile) {
        plan.rlimits.push_back(*ctx.nofile);
    }
    if (!cls.chroot.empty()) {
        plan.chroot = cls.chroot;
    }
    if (!cls.chdir.empty()) {
        plan.cwd = cls.chdir;
    } else if (ctx.mode == Mode::System) {
        plan.cwd = "/";
    }
    if (auto creds = resolve_credentials(sys, cls, ctx, plan); !creds) {
        return creds.error();
    }
    plan.fds = {{ctx.stdio.in, 0}, {ctx.stdio.out, 1}, {ctx.stdio.err, 2}};
    // expect fork/daemon: the main process stops after exec so startd can follow its forks.
    plan.ptrace_traceme = type == core::ProcessType::Main &&
                          (cls.expect == core::ExpectType::Fork || cls.expect == core::ExpectType::Daemon);
    return plan;
}

} // namespace proc
