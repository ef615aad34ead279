// Owns telling whoever started startd that it is ready — its jobs loaded and its control socket
// served: READY=1 on $NOTIFY_SOCKET (systemd's Type=notify) and a newline on the descriptor of
// `startd --ready-fd N` (the s6 and dinit convention). Not here: when startd is ready (main.cpp
// calls this once Supervisor::start() has returned), a job's own readiness (readiness.h).
#pragma once

#include "base/result.h"
#include "base/unique_fd.h"
#include "sys/sys.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace daemon_main {

// Where readiness goes; either may be absent.
struct ReadyTargets {
    std::optional<std::string> notify_socket; // the value of $NOTIFY_SOCKET
    base::UniqueFd ready_fd;                  // --ready-fd's descriptor, owned from the start
};

// The address a NOTIFY_SOCKET value names: an absolute path, or "@NAME" for NAME in Linux's
// abstract namespace (the '@' stands for the leading NUL, as systemd writes it).
base::Result<sys::UnixAddress> notify_socket_address(std::string_view value);

// The descriptor `--ready-fd ARG` names: a decimal number above 2 (0-2 are startd's standard
// streams) that is open now. Owned from here on: it is closed once readiness is written.
base::Result<base::UniqueFd> ready_fd_from_argument(sys::Sys& sys, std::string_view arg);

// One datagram "READY=1\nMAINPID=PID\n" to `notify_socket` from a socket of its own.
base::Result<void> send_notify_ready(sys::Sys& sys, std::string_view notify_socket);

// A newline on `fd`, which is then closed: a reader sees the line and then end of file.
base::Result<void> write_ready_line(sys::Sys& sys, base::UniqueFd fd);

// Both of `targets` that are set (the descriptor is closed whatever happens); one message per
// failure, for the log. A failure of one never skips the other.
std::vector<std::string> signal_ready(sys::Sys& sys, ReadyTargets targets);

} // namespace daemon_main
