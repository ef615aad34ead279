// Owns Client: one connection to a startd control socket, sending requests and reading replies
// (blocking; startctl has nothing else to do meanwhile). Also used by the integration tests.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "control/framing.h"
#include "control/protocol.h"
#include "sys/sys.h"

namespace cli {

class Client {
public:
    // Connects to the socket at `path`. The error says which socket and why
    // ("Unable to connect to startd at /run/startd/control: No such file or directory").
    // Refuses, before sending anything, a server whose process is neither root nor our own uid
    // (SO_PEERCRED), whatever the path.
    static base::Result<Client> connect(sys::Sys& sys, const std::string& path);

    // Sends one request and waits for its reply. Transport failures (startd went away, garbled
    // reply) are errors; a reply with ok=false is a value the caller inspects.
    base::Result<control::Response> call(const std::string& command, nlohmann::json args);
    // Sends a streaming request (protocol version 2) and hands each item of its reply to
    // `on_item` as it arrives; returns the final reply. A stream that never ends (log -f,
    // monitor) returns only when startd goes away, with that error.
    base::Result<control::Response> stream(const std::string& command, nlohmann::json args,
                                           const std::function<void(const nlohmann::json& item)>& on_item);

    // The pid of the startd at the other end, as the kernel said when it connected.
    pid_t peer_pid() const { return m_peer_pid; }

  private:
    Client(sys::Sys& sys, base::UniqueFd fd, pid_t peer_pid)
        : m_sys(&sys), m_fd(std::move(fd)), m_peer_pid(peer_pid) {}

    base::Result<void> write_all(std::string_view bytes);
    // Sends `request` and reads until its reply, handing its stream items (if any) to on_item.
    base::Result<control::Response> exchange(control::Request request,
                                             const std::function<void(const nlohmann::json& item)>* on_item);

    sys::Sys* m_sys;
    base::UniqueFd m_fd;
    pid_t m_peer_pid = 0;
    control::FrameDecoder m_decoder{control::max_response_payload};
    std::uint64_t m_next_id = 1;
};

} // namespace cli
