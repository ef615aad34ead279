// Owns the control commands: request → engine call → reply, as a table with the permission each
// command needs. Replies may come later (a start that waits), through the Reply callback.
// Not here: sockets and connections (server.h), encoding (protocol.h).
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>

#include "control/job_status_json.h"
#include "control/protocol.h"
#include "control/stream.h"
#include "core/engine.h"

namespace control {

using Reply = std::function<void(Response)>;
// Opens the streaming reply of the request being dispatched (protocol version 2).
using OpenStream = std::function<StreamPtr()>;

// What commands need beyond the engine, provided by the daemon.
struct CommandHost {
    core::Engine& engine;
    uid_t owner_uid = 0; // who may change state (root in system mode, the user in user mode)
    std::string version;
    // Re-reads the jobs directory; returns a summary for the reply or an error message.
    std::function<base::Result<nlohmann::json>()> reload_configuration;
    // Re-parses the jobs directory without changing anything: {"ok": bool, "report": [lines]}.
    std::function<nlohmann::json()> check_config;
    // Whether jobs get cgroups: "available (BASE)" or "unavailable: why"; in version and status
    // replies (empty: not reported).
    std::string cgroups = {};
    // The log of an instance whose output startd logs (`console log`), for status and list
    // replies; nullopt for other consoles (unset: not reported).
    std::function<std::optional<LogStatus>(const core::Job&)> log_status = {};
    // How a job's processes are held together ("cgroup PATH", "process tree (no cgroup: why)"),
    // in status and list replies as "containment" (empty: not reported).
    std::function<std::string(const core::Job&)> containment = {};
    // When a job's timers next fire (wall clock seconds), nullopt for a job without timers; in
    // status replies (each status) and list replies (per job) as "next_timer" (unset: not reported).
    std::function<std::optional<std::int64_t>(const std::string& job)> next_timer = {};
    // A live re-exec (`reexec`): checks the program at startd's path on the saved state, then
    // execs it. Calls `done` once: with {"program": PATH} right before the exec (the new program
    // accepted the state), or with why not (nothing changed). Unset: not available.
    using ReexecDone = std::function<void(base::Result<nlohmann::json>)>;
    std::function<void(ReexecDone done)> reexec = {};
    // The jobs directory startd loads, as it was given, and its identity now
    // (control::dir_identity; nullopt when it cannot be stat'ed), in the `version` reply: startctl
    // enable/disable reloads only a startd that serves the directory it edited. Unset: not reported.
    std::string jobs_dir = {};
    std::function<std::optional<std::string>()> jobs_dir_identity = {};
    // startd's own log priority (`log-priority`): its name ("info"), and setting it by name (an
    // error saying which names there are). Unset: not available.
    std::function<std::string()> log_priority = {};
    std::function<base::Result<void>(const std::string& name)> set_log_priority = {};
    // `log`: the log file of an instance of `job` (whether it exists yet or not); its last
    // `lines` lines (nullopt: all), at most max_log_tail bytes of them, "" when there is no file
    // yet; and following it: every record written there from now on goes to the stream, across
    // the job's restarts and the file's rotations, until the client goes. Unset: not available.
    std::function<std::string(const std::string& job, const std::string& instance)> log_path = {};
    std::function<base::Result<std::string>(const std::string& path, std::optional<std::size_t> lines)> read_log = {};
    std::function<void(const std::string& path, StreamPtr stream)> follow_log = {};
    // `log-reopen` (startctl log --reopen, as SIGHUP): every open job log is reopened by its path.
    std::function<void()> reopen_logs = {};
    // `monitor`: events emitted and job state changes go to the stream until the client goes.
    std::function<void(StreamPtr stream)> monitor = {};
};

// The most of a log `log` sends before following it (the last lines of a larger file).
inline constexpr std::size_t max_log_tail = 8U << 20;

// Runs `request` from a peer with uid `peer_uid`; calls `reply` exactly once, now or later —
// unless the command streams (`log`, `monitor`: version 2 only), which replies through the
// stream `open_stream` opens instead. Never throws: a failure inside a command becomes an
// "internal" error reply.
void dispatch(CommandHost& host, const Request& request, uid_t peer_uid, Reply reply,
              const OpenStream& open_stream = {});

// The names of every command, for help and tests.
std::vector<std::string> command_names();

} // namespace control
