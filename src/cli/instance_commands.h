// Owns what the `startctl instance SUBCOMMAND` family shares: its context (who runs it, in which
// mode, where the default instance is), which instances a command line names, where each one's
// socket and logs are, and the table of subcommands. The subcommands themselves are in
// instance_lifecycle.cpp (init, create, destroy, enable, disable, assign, list) and
// instance_wrapper.cpp (start, stop, status, reload, check: postfix-wrapper's fan-out).
#pragma once

#include "cli/instance_set.h"
#include "cli/options.h"
#include "control/endpoint.h"
#include "sys/sys.h"

#include <optional>
#include <string>
#include <vector>

namespace cli {

struct InstanceContext {
    const Options& o;
    sys::Sys& sys;
    const control::EnvLookup& env;
    uid_t uid;
    control::Mode mode;
    std::string default_config_dir; // the default instance's, for this mode

    // Its config dir, socket, logs and state (control/endpoint.h).
    control::Endpoint endpoint(const Instance& in) const;
    // The pid of the startd serving the instance's socket, or nullopt when none does. The
    // socket's directory is checked first (control::secure_runtime_dir), as for every command.
    base::Result<std::optional<pid_t>> daemon_pid(const Instance& in) const;
    // "instance mail (/etc/startd-mail): MESSAGE" on stderr; returns the failure status.
    int fail_for(const Instance& in, const std::string& message) const;
    // "instance mail (/etc/startd-mail): MESSAGE" on stdout, unless -q.
    void say_for(const Instance& in, const std::string& message) const;
};

// The instances a command line names, in order: with -c DIR (or STARTD_CONFIG when neither -i
// nor -g is given) exactly that one (`exact` is then set: it acts as `startctl -c DIR` on one
// instance, whether or not it is enabled); else the default and listed ones, less those -i/-g
// leave out. Errors are printed; nullopt then.
struct Targets {
    std::vector<Instance> instances;
    bool exact = false;
};
std::optional<Targets> instance_targets(const InstanceContext& ctx, int& status);

// The default instance and every listed one; the error is printed (nullopt).
std::optional<std::vector<Instance>> all_instances(const InstanceContext& ctx, int& status);

// `startctl instance …`: runs the subcommand in o.args[0].
int instance_command(const Options& o, sys::Sys& sys, const control::EnvLookup& env, uid_t uid,
                     control::Mode mode);

// The subcommands (instance_lifecycle.cpp, instance_wrapper.cpp).
int instance_init(const InstanceContext& ctx);
int instance_create(const InstanceContext& ctx);
int instance_destroy(const InstanceContext& ctx);
int instance_enable(const InstanceContext& ctx);
int instance_disable(const InstanceContext& ctx);
int instance_assign(const InstanceContext& ctx);
int instance_list(const InstanceContext& ctx);
int instance_start(const InstanceContext& ctx);
int instance_stop(const InstanceContext& ctx);
int instance_status(const InstanceContext& ctx);
int instance_reload(const InstanceContext& ctx);
int instance_check(const InstanceContext& ctx);

} // namespace cli
