// Owns one instance's startd as startctl drives it: which startd serves a socket (its pid),
// launching a startd detached from startctl (its own session, output to a log file) and waiting,
// bounded, until it is ready (--ready-fd), and stopping one (SIGTERM, then waiting, bounded,
// until it has exited: startd stops its jobs first). Not here: which instances (instance_set.h).
#pragma once

#include "base/result.h"
#include "sys/sys.h"

#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace cli {

struct DaemonLaunch {
    std::string program;           // the startd to run
    std::vector<std::string> argv; // argv[0] first; `--ready-fd 3` is added
    std::vector<std::string> envp; // its whole environment
    std::string log_file;          // its standard output and error (appended; created 0600)
};

// Starts the daemon and waits until it writes its readiness line, at most `bound`. The error says
// why and where to look: it exited first (with its status), or was not ready in time (it is then
// sent SIGTERM, so no half-started instance stays behind).
base::Result<pid_t> launch_daemon(sys::Sys& sys, const DaemonLaunch& launch, std::chrono::milliseconds bound);

// The pid of the startd serving `socket`, or nullopt when none listens there (no socket, or a
// stale one). Other failures (a socket served by another user) are errors.
base::Result<std::optional<pid_t>> serving_pid(sys::Sys& sys, const std::string& socket);

// Sends `pid` SIGTERM and waits until it has exited, at most `bound`.
base::Result<void> stop_daemon(sys::Sys& sys, pid_t pid, std::chrono::milliseconds bound);

// startctl's own environment less what belongs to a job or to startctl's caller (NOTIFY_SOCKET,
// STARTD_CONFIG, STARTD_SOCKET, STARTD_MODE, UPSTART_*): what a launched startd gets.
std::vector<std::string> daemon_environment(char** environ_now);

} // namespace cli
