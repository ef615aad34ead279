// Owns the sd_notify datagram parser (see notify_message.h).
#include "proc/notify_message.h"

#include <charconv>

namespace proc {

namespace {

constexpr std::size_t max_status = 512; // a status line, not a log

} // namespace

NotifyMessage parse_notify_message(std::string_view datagram) {
    NotifyMessage m;
    while (!datagram.empty()) {
        auto nl = datagram.find('\n');
        std::string_view line = datagram.substr(0, nl);
        datagram = nl == std::string_view::npos ? std::string_view{} : datagram.substr(nl + 1);
        auto eq = line.find('=');
        if (line.empty() || eq == std::string_view::npos) {
            continue;
        }
        std::string_view key = line.substr(0, eq);
        std::string_view value = line.substr(eq + 1);
        if (key == "READY") {
            if (value == "1") {
                m.ready = true;
            } else {
                m.problems.push_back("READY=" + std::string(value) + " (only READY=1 means anything)");
            }
        } else if (key == "STOPPING") {
            m.stopping = value == "1";
        } else if (key == "STATUS") {
            m.status = std::string(value.substr(0, max_status));
        } else if (key == "MAINPID") {
            long pid = 0;
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), pid);
            if (ec != std::errc() || end != value.data() + value.size() || pid <= 0 || pid > 4194304) {
                m.problems.push_back("MAINPID=" + std::string(value.substr(0, 32)) + " is not a process id");
            } else {
                m.main_pid = static_cast<pid_t>(pid);
            }
        }
    }
    return m;
}

} // namespace proc
