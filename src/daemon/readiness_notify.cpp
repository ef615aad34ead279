// Owns expect notify: the per-job NOTIFY_SOCKET, reading sd_notify datagrams, checking that the
// sender is the job's main process (or one of its descendants) by the kernel's credentials, and
// acting on READY=1, MAINPID=, STATUS= and STOPPING=1.
#include "daemon/readiness.h"
#include "proc/notify_message.h"
#include "proc/process_tree.h"

#include <cstring>
#include <sys/epoll.h>

namespace daemon_main {

base::Result<std::string> Readiness::prepare_notify(const core::Job& job) {
    close_channel(&job);
    auto fd = m_sys.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (!fd) {
        return base::Error::with_errno(fd.error().code(),
                                       "cannot create NOTIFY_SOCKET: " + fd.error().message());
    }
    // Abstract: nothing on disk to clean up or to guard with permissions; the credentials check
    // decides whose messages count.
    std::string name =
        "startd-notify/" + std::to_string(m_sys.getpid()) + "/" + std::to_string(++m_notify_serial);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path + 1, name.data(), name.size());
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
    if (auto bound = m_sys.bind(fd->get(), reinterpret_cast<const sockaddr*>(&addr), len); !bound) {
        return base::Error("cannot bind NOTIFY_SOCKET @" + name + ": " + bound.error().message());
    }
    if (auto pass = m_sys.set_pass_credentials(fd->get()); !pass) {
        return base::Error("cannot check NOTIFY_SOCKET senders: " + pass.error().message());
    }
    const core::Job* key = &job;
    auto watch = m_loop.add_watch(fd->get(), EPOLLIN, [this, key](std::uint32_t) {
        on_notify_readable(key);
        return loop::Next::Keep;
    });
    if (!watch) {
        return base::Error("cannot watch NOTIFY_SOCKET: " + watch.error().message());
    }
    NotifyChannel& ch = m_channels[key];
    ch.fd = std::move(fd).value();
    ch.watch = *watch;
    ch.main = 0; // known once the process is spawned (watch())
    ch.name = job.display_name();
    return "NOTIFY_SOCKET=@" + name;
}

void Readiness::on_notify_readable(const core::Job* job) {
    // A bounded number per wake-up, so a chatty daemon cannot monopolise the loop.
    for (int i = 0; i < 16; ++i) {
        auto it = m_channels.find(job);
        if (it == m_channels.end()) {
            return;
        }
        NotifyChannel& ch = it->second;
        char buf[4096];
        auto got = m_sys.receive_datagram(ch.fd.get(), std::span<char>(buf, sizeof buf));
        if (!got) {
            if (got.error().code() != EAGAIN) {
                m_log(core::LogLevel::Warning, ch.name + ": NOTIFY_SOCKET: " + got.error().message());
            }
            return;
        }
        if (!got->sender) {
            m_log(core::LogLevel::Warning,
                  ch.name + ": NOTIFY_SOCKET: ignoring a message without credentials");
            continue;
        }
        handle_notify(job, ch, got->sender->pid, std::string_view(buf, got->size));
    }
}

bool Readiness::belongs_to(pid_t pid, pid_t main, pid_t group) {
    if (pid == main) {
        return true;
    }
    // A child whose parent has just exited is reparented to us and is no longer a descendant of
    // `main`; the process group the job was spawned to lead still names it.
    if (auto pgid = m_sys.getpgid(pid); pgid && group > 0 && *pgid == group) {
        return true;
    }
    return proc::is_descendant(m_sys, pid, main);
}

void Readiness::handle_notify(const core::Job* job, NotifyChannel& ch, pid_t sender, std::string_view text) {
    if (ch.main == 0 || !belongs_to(sender, ch.main, ch.group)) {
        m_log(core::LogLevel::Warning, ch.name + ": NOTIFY_SOCKET: ignoring a message from pid " +
                                           std::to_string(sender) +
                                           ", which is not the job's main process or one of its children");
        return;
    }
    proc::NotifyMessage m = proc::parse_notify_message(text);
    for (const std::string& p : m.problems) {
        m_log(core::LogLevel::Warning, ch.name + ": NOTIFY_SOCKET: " + p);
    }
    auto awaited = m_watches.find(job);
    if (m.main_pid && *m.main_pid != ch.main) {
        if (awaited == m_watches.end()) {
            m_log(core::LogLevel::Warning,
                  ch.name + ": NOTIFY_SOCKET: MAINPID after READY=1 is not supported; ignored");
        } else if (!belongs_to(*m.main_pid, ch.main, ch.group)) {
            m_log(core::LogLevel::Warning, ch.name +
                                               ": NOTIFY_SOCKET: MAINPID=" + std::to_string(*m.main_pid) +
                                               " is not a process of the job; ignored");
        } else {
            m_engine.on_main_forked(ch.main, *m.main_pid);
            ch.main = *m.main_pid;
            awaited->second.main = ch.main;
        }
    }
    if (m.status) {
        m_engine.set_status_text(ch.main, *m.status);
    }
    if (m.stopping) {
        m_log(core::LogLevel::Info, ch.name + ": the daemon says it is stopping");
        m_engine.set_status_text(ch.main, m.status ? *m.status + " (stopping)" : "stopping");
    }
    if (m.ready && awaited != m_watches.end()) {
        ready(awaited->second, ch.main);
    }
}

void Readiness::close_channel(const core::Job* job) {
    auto it = m_channels.find(job);
    if (it == m_channels.end()) {
        return;
    }
    m_loop.remove_watch(it->second.watch);
    m_channels.erase(it);
}

void Readiness::close_channel_of(pid_t main) {
    for (auto& [job, ch] : m_channels) {
        if (ch.main == main) {
            close_channel(job);
            return;
        }
    }
}

} // namespace daemon_main
