// Owns where an instance of startd lives: its config dir, jobs dir, runtime (socket/state) dir
// and log dir, for system and user mode, from the environment. Pure: callers pass the
// environment and uid in, so startd and startctl agree by construction.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace control {

enum class Mode : unsigned char { System, User };

struct Endpoint {
    Mode mode = Mode::System;
    std::string config_dir;  // the instance's identity (STARTD_CONFIG)
    std::string jobs_dir;
    std::string runtime_dir; // holds the control socket
    std::string socket;
    std::string log_dir;
};

// Reads an environment variable (getenv in production, a map in tests).
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;

// The default instance: system mode uses /etc/startd with Upstart's /etc/init for jobs and
// /run/startd for the socket; user mode uses $XDG_CONFIG_HOME/startd (jobs in its jobs/),
// $XDG_RUNTIME_DIR/startd (or /tmp/startd-UID) and $XDG_STATE_HOME/startd/log.
// With `config_dir` set (startctl -c, STARTD_CONFIG, startd -c), the instance is that dir:
// jobs in DIR/jobs and a runtime dir of its own, unless DIR is the default one.
Endpoint resolve_endpoint(Mode mode, std::optional<std::string> config_dir, uid_t uid, const EnvLookup& env);

// "/srv/mail b/" → "srv-mail\x20b": a config dir as one path component.
std::string escape_path(std::string_view path);

} // namespace control
