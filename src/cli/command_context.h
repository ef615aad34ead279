// Owns Context and the helpers every startctl command uses to talk to startd and report.
// Not here: the commands themselves (commands.cpp, event_commands.cpp).
#pragma once

#include "cli/options.h"
#include "control/endpoint.h"
#include "sys/sys.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace cli {

struct Context {
    const Options& o;
    sys::Sys& sys;
    const control::EnvLookup& env;
    std::string socket;
    std::string instance_jobs_dir; // the jobs dir of the instance the options name
    // Why the socket's directory must not be used (another user could have replaced the socket),
    // for the commands that reach startd only when it runs (enable, disable); the others are
    // refused before they run.
    std::optional<std::string> socket_refused = std::nullopt;
    control::Mode mode = control::Mode::System; // the mode the command line chose
    uid_t uid = 0;                              // who runs startctl
};

// Prints "PROG: MESSAGE" on stderr; returns the failure exit status.
int fail(const Options& o, const std::string& message);

// Sends one request; prints the error and returns nullopt when it did not succeed.
std::optional<nlohmann::json> call(Context& ctx, const std::string& command, nlohmann::json args,
                                   int& status);

void print_json(const nlohmann::json& value);

// Sends the request and, with --json, prints its result. Returns the result only when it is
// still to be printed in Upstart's format; `status` is the exit status either way.
std::optional<nlohmann::json> fetch(Context& ctx, const std::string& command, nlohmann::json args,
                                    int& status);

// The commands of event_commands.cpp, for the table in commands.cpp.
int emit_command(Context& ctx);
int usage_command(Context& ctx);
int list_env_command(Context& ctx);
int get_env_command(Context& ctx);
int set_env_command(Context& ctx);
int unset_env_command(Context& ctx);
int reset_env_command(Context& ctx);

// The commands of stream_commands.cpp.
int log_command(Context& ctx);
int monitor_command(Context& ctx);

// The commands of explain_commands.cpp.
int show_command(Context& ctx);
int why_command(Context& ctx);
int graph_command(Context& ctx);
int plot_command(Context& ctx);

// The commands of enable_commands.cpp.
int enable_command(Context& ctx);
int disable_command(Context& ctx);
int is_enabled_command(Context& ctx);

} // namespace cli
