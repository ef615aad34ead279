// Owns where an instance of startd lives: its config dir, jobs dir, runtime (socket/state) dir
// and log dir, for system and user mode, from the environment; and whether that runtime dir is
// safe to use (private to its owner, as tmux and ssh-agent require). resolve_endpoint is pure:
// callers pass the environment and uid in, so startd and startctl agree by construction.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "sys/sys.h"

namespace control {

enum class Mode : unsigned char { System, User };

struct Endpoint {
    Mode mode = Mode::System;
    std::string config_dir;  // the instance's identity (STARTD_CONFIG)
    std::string jobs_dir;
    std::string runtime_dir; // holds the control socket
    // The top of runtime_dir that startd itself creates (/run/startd, $XDG_RUNTIME_DIR/startd,
    // /tmp/startd-UID): it and every directory below it down to runtime_dir must be private.
    std::string runtime_root;
    std::string socket;
    // The state journal (what runs, for a successor after a crash): beside the socket, in the
    // same private directory.
    std::string journal;
    std::string log_dir;
    // What outlives startd and a reboot (the timer state file): /var/lib/startd, or
    // $XDG_STATE_HOME/startd for a user's startd.
    std::string state_dir;
};

// Reads an environment variable (getenv in production, a map in tests).
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;

// The default instance: system mode uses /etc/startd with Upstart's /etc/init for jobs and
// /run/startd for the socket; user mode uses $XDG_CONFIG_HOME/startd (jobs in its jobs/),
// $XDG_RUNTIME_DIR/startd (or /tmp/startd-UID), $XDG_STATE_HOME/startd/log for logs and
// $XDG_STATE_HOME/startd for state.
// With `config_dir` set (startctl -c, STARTD_CONFIG, startd -c), the instance is that dir:
// jobs in DIR/jobs and a runtime dir of its own, unless DIR is the default one.
Endpoint resolve_endpoint(Mode mode, std::optional<std::string> config_dir, uid_t uid, const EnvLookup& env);

// What the caller is about to do with the runtime dir.
enum class RuntimeDirUse : unsigned char {
    Listen,  // startd: create what is missing (0700 in user mode, 0755 in system mode), then check
    Connect, // startctl: check what exists; a missing dir is left to connect() to report
};

// Refuses a runtime dir another user could tamper with: each directory from runtime_root down to
// runtime_dir must be a real directory (not a symlink) owned by the instance's owner (`uid` in
// user mode, root in system mode), with no permission for group or others in user mode (0700)
// and no write permission for them in system mode. The error names the directory, what is wrong
// and what to do. Without it, another user who creates /tmp/startd-UID first can swap the socket
// and read what startctl sends (set-env DB_PASSWORD=...).
base::Result<void> secure_runtime_dir(sys::Sys& sys, const Endpoint& ep, uid_t uid, RuntimeDirUse use);

// Which directory `dir` is, as "DEVICE:INODE" (symlinks followed), or nullopt when it cannot be
// stat'ed: startd reports its jobs dir's in `version`, and startctl compares it with the jobs dir
// it edits, so that two spellings of one directory (a symlink, a relative path) match and two
// directories never do.
std::optional<std::string> dir_identity(sys::Sys& sys, const std::string& dir);

// "/srv/mail b/" → "srv-mail\x20b": a config dir as one path component.
std::string escape_path(std::string_view path);

} // namespace control
