// Owns the blocking control-socket client.
#include "cli/client.h"

#include <sys/socket.h>

namespace cli {

base::Result<Client> Client::connect(sys::Sys& sys, const std::string& path) {
    // The errno stays with the message: enable/disable tell "no startd here" (ENOENT,
    // ECONNREFUSED) from the other failures.
    auto fail = [&](const base::Error& error, std::string why) {
        return base::Error::with_errno(error.code(), "Unable to connect to startd at " + path + ": " + why);
    };
    auto addr = sys::UnixAddress::from_path(path);
    if (!addr) {
        return fail(addr.error(), addr.error().message());
    }
    auto fd = sys.socket(AF_UNIX, SOCK_STREAM, 0);
    if (!fd) {
        return fail(fd.error(), fd.error().message());
    }
    if (auto c = sys.connect(fd->get(), addr->get(), addr->len); !c) {
        std::string why = c.error().message();
        if (auto colon = why.rfind(": "); colon != std::string::npos) {
            why = why.substr(colon + 2); // keep strerror's words, not the call's name
        }
        return fail(c.error(), why);
    }
    // Before a byte is sent: is this startd root's or our own? Anyone else serving here (a
    // socket swapped in a directory they control) would read what we send (set-env secrets).
    auto peer = sys.peer_credentials(fd->get());
    if (!peer) {
        return base::Error("Refusing to talk to startd at " + path +
                           ": cannot tell who serves it: " + peer.error().message());
    }
    if (uid_t me = sys.geteuid(); peer->uid != 0 && peer->uid != me) {
        return base::Error("Refusing to talk to startd at " + path + ": it is served by uid " +
                           std::to_string(peer->uid) + " (pid " + std::to_string(peer->pid) +
                           "), not by root or you (uid " + std::to_string(me) + ")");
    }
    return Client(sys, std::move(fd).value(), peer->pid);
}

base::Result<void> Client::write_all(std::string_view bytes) {
    while (!bytes.empty()) {
        auto n = m_sys->write(m_fd.get(), bytes.data(), bytes.size());
        if (!n) {
            return base::Error("lost the connection to startd: " + n.error().message());
        }
        bytes.remove_prefix(*n);
    }
    return {};
}

base::Result<control::Response> Client::call(const std::string& command, nlohmann::json args) {
    control::Request request;
    request.command = command;
    request.args = std::move(args);
    return exchange(std::move(request), nullptr);
}

base::Result<control::Response> Client::stream(const std::string& command, nlohmann::json args,
                                               const std::function<void(const nlohmann::json& item)>& on_item) {
    control::Request request;
    request.version = 2;
    request.command = command;
    request.args = std::move(args);
    return exchange(std::move(request), &on_item);
}

base::Result<control::Response> Client::exchange(control::Request request,
                                                 const std::function<void(const nlohmann::json& item)>* on_item) {
    request.id = m_next_id++;
    if (auto w = write_all(control::encode_frame(control::encode_request(request))); !w) {
        return w.error();
    }
    char buf[65536];
    for (;;) {
        while (auto payload = m_decoder.next()) {
            auto response = control::decode_response(*payload);
            if (!response) {
                return base::Error("startd sent a reply that could not be read: " + response.error().message);
            }
            if (response->id != request.id) {
                continue;
            }
            if (!response->item) {
                return std::move(response).value();
            }
            if (on_item != nullptr) {
                (*on_item)(*response->item);
            }
        }
        if (m_decoder.failed()) {
            return base::Error("startd sent an oversized reply (" + std::to_string(m_decoder.rejected_size()) + " bytes)");
        }
        auto n = m_sys->read(m_fd.get(), buf, sizeof buf);
        if (!n) {
            return base::Error("lost the connection to startd: " + n.error().message());
        }
        if (*n == 0) {
            return base::Error("startd closed the connection before replying");
        }
        m_decoder.feed(std::string_view(buf, *n));
    }
}

} // namespace cli
