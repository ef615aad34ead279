// Owns parsing sd_notify datagrams (the NOTIFY_SOCKET protocol behind `expect notify`):
// newline-separated KEY=VALUE assignments. Pure: no I/O.
// Not here: the socket, credentials or what the job does with the message (daemon/readiness).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace proc {

struct NotifyMessage {
    bool ready = false;                // READY=1
    bool stopping = false;             // STOPPING=1
    std::optional<pid_t> main_pid;     // MAINPID=N
    std::optional<std::string> status; // STATUS=free text
    // Assignments we understand but whose value is bad ("MAINPID=abc"), for the log. Keys we do
    // not know (WATCHDOG=1, RELOADING=1, FDSTORE=1, …) are ignored, as sd_notify allows.
    std::vector<std::string> problems;
};

NotifyMessage parse_notify_message(std::string_view datagram);

} // namespace proc
