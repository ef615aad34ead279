// Owns the readiness startd itself reports: the NOTIFY_SOCKET datagram and the --ready-fd line.
#include "daemon/ready_signal.h"

#include <charconv>
#include <cstring>

namespace daemon_main {

base::Result<sys::UnixAddress> notify_socket_address(std::string_view value) {
    if (value.size() < 2 || (value.front() != '/' && value.front() != '@')) {
        return base::Error("NOTIFY_SOCKET='" + std::string(value) +
                           "': expected an absolute path or @NAME (an abstract socket)");
    }
    if (value.front() == '/') {
        return sys::UnixAddress::from_path(value);
    }
    sys::UnixAddress a;
    if (value.size() > sizeof a.addr.sun_path) {
        return base::Error::from_errno("NOTIFY_SOCKET", ENAMETOOLONG, std::string(value));
    }
    a.addr.sun_family = AF_UNIX;
    a.addr.sun_path[0] = '\0';
    value.substr(1).copy(a.addr.sun_path + 1, value.size() - 1);
    // An abstract name is every byte of the length, with no terminating NUL.
    a.len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + value.size());
    return a;
}

base::Result<base::UniqueFd> ready_fd_from_argument(sys::Sys& sys, std::string_view arg) {
    int fd = -1;
    auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), fd);
    if (arg.empty() || ec != std::errc() || end != arg.data() + arg.size() || fd <= STDERR_FILENO) {
        return base::Error("--ready-fd: expected a descriptor number above 2, got '" + std::string(arg) +
                           "'");
    }
    if (auto st = sys.fstat(fd); !st) {
        return base::Error("--ready-fd " + std::string(arg) + ": " + st.error().message());
    }
    return base::UniqueFd(fd);
}

base::Result<void> send_notify_ready(sys::Sys& sys, std::string_view notify_socket) {
    auto address = notify_socket_address(notify_socket);
    if (!address) {
        return address.error();
    }
    auto sock = sys.socket(AF_UNIX, SOCK_DGRAM, 0);
    if (!sock) {
        return base::Error("cannot create a socket for NOTIFY_SOCKET: " + sock.error().message());
    }
    std::string message = "READY=1\nMAINPID=" + std::to_string(sys.getpid()) + "\n";
    if (auto sent = sys.send_datagram(sock->get(), address->get(), address->len, message); !sent) {
        return base::Error("cannot send READY=1 to NOTIFY_SOCKET " + std::string(notify_socket) + ": " +
                           sent.error().message());
    }
    return {};
}

base::Result<void> write_ready_line(sys::Sys& sys, base::UniqueFd fd) {
    auto wrote = sys.write(fd.get(), "\n", 1);
    if (!wrote) {
        return base::Error("cannot write to --ready-fd " + std::to_string(fd.get()) + ": " +
                           wrote.error().message());
    }
    if (*wrote != 1) {
        return base::Error("cannot write to --ready-fd " + std::to_string(fd.get()) +
                           ": nothing was written");
    }
    return {};
}

std::vector<std::string> signal_ready(sys::Sys& sys, ReadyTargets targets) {
    std::vector<std::string> failures;
    if (targets.notify_socket) {
        if (auto sent = send_notify_ready(sys, *targets.notify_socket); !sent) {
            failures.push_back(sent.error().message());
        }
    }
    if (targets.ready_fd) {
        if (auto wrote = write_ready_line(sys, std::move(targets.ready_fd)); !wrote) {
            failures.push_back(wrote.error().message());
        }
    }
    return failures;
}

} // namespace daemon_main
