// Owns watching the jobs directory with inotify (see job_dir_watch.h).
#include "daemon/job_dir_watch.h"

#include "config/job_dir.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/epoll.h>
#include <sys/inotify.h>

namespace daemon_main {

namespace {

constexpr std::uint32_t dir_events = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE |
                                     IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

// Room for many records per read: each is a header and a NUL-padded name of at most NAME_MAX.
constexpr std::size_t read_size = 64 * 1024;

} // namespace

base::Result<std::unique_ptr<JobDirWatch>> JobDirWatch::create(sys::Sys& sys, loop::EventLoop& loop,
                                                               std::string dir, Timing timing,
                                                               OnChange on_change, Log warn) {
    auto fd = sys.inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (!fd) {
        return base::Error("inotify: " + fd.error().message());
    }
    std::unique_ptr<JobDirWatch> watch(new JobDirWatch(
        sys, loop, std::move(dir), timing, std::move(on_change), std::move(warn), std::move(fd).value()));
    auto id = loop.add_watch(watch->m_fd.get(), EPOLLIN,
                             [w = watch.get()](std::uint32_t) { return w->on_readable(); });
    if (!id) {
        return base::Error("inotify: " + id.error().message());
    }
    watch->m_watch = *id;
    watch->watch_dirs(config::list_job_dirs(sys, watch->m_dir));
    return watch;
}

JobDirWatch::JobDirWatch(sys::Sys& sys, loop::EventLoop& loop, std::string dir, Timing timing,
                         OnChange on_change, Log warn, base::UniqueFd fd)
    : m_sys(sys), m_loop(loop), m_dir(std::move(dir)), m_timing(timing), m_on_change(std::move(on_change)),
      m_warn(std::move(warn)), m_fd(std::move(fd)), m_timer(loop, [this] { fire(); }) {}

JobDirWatch::~JobDirWatch() {
    if (m_watch != 0) {
        m_loop.remove_watch(m_watch); // before the fd closes: its number may be reused
    }
}

void JobDirWatch::rewatch(const std::vector<std::string>& dirs) {
    // The reload walked before these watches exist: what changed in between in a directory
    // watched only now would go unnoticed, so such a directory is one more (debounced) reload.
    if (watch_dirs(dirs) > 0) {
        changed();
    }
}

std::size_t JobDirWatch::watch_dirs(const std::vector<std::string>& dirs) {
    std::size_t added = 0;
    std::optional<std::string> failed; // a directory not watched: neither are its subdirectories
    auto below_failed = [&failed](const std::string& rel) {
        return failed && (failed->empty() || (rel.size() > failed->size() && rel[failed->size()] == '/' &&
                                              rel.compare(0, failed->size(), *failed) == 0));
    };
    for (const std::string& rel : dirs) {
        if (below_failed(rel)) {
            continue;
        }
        failed.reset();
        std::string path = rel.empty() ? m_dir : m_dir + "/" + rel;
        // Below the jobs dir the loader does not follow links to directories; neither do the watches.
        auto wd = m_sys.inotify_add_watch(m_fd.get(), path.c_str(),
                                          dir_events | (rel.empty() ? 0 : IN_DONT_FOLLOW));
        if (!wd) {
            int err = wd.error().code();
            if (err == ENOSPC && !m_warned_full) {
                m_warned_full = true;
                m_warn("cannot watch " + path +
                       " for changes: too many inotify watches (fs.inotify.max_user_watches); "
                       "run reload-configuration after changing jobs there");
            } else if (err != ENOENT && err != ENOTDIR) { // gone meanwhile: its parent's event says so
                m_warn("cannot watch " + path + " for changes: " + wd.error().message());
            }
            failed = rel;
            continue;
        }
        if (m_dirs.insert_or_assign(*wd, rel).second) {
            ++added;
        }
    }
    return added;
}

loop::Next JobDirWatch::on_readable() {
    alignas(inotify_event) char buffer[read_size];
    bool relevant = false;
    for (;;) {
        auto n = m_sys.read(m_fd.get(), buffer, sizeof buffer);
        if (!n) {
            if (n.error().code() == EINTR) {
                continue;
            }
            if (n.error().code() != EAGAIN) {
                m_warn("cannot read the jobs directory's inotify events: " + n.error().message() +
                       " (reloading)");
                relevant = true;
            }
            break;
        }
        for (std::size_t at = 0; at + sizeof(inotify_event) <= *n;) {
            inotify_event event{};
            std::memcpy(&event, buffer + at, sizeof event);
            std::string name = event.len > 0 ? std::string(buffer + at + sizeof event) : std::string();
            at += sizeof event + event.len;
            if (event.mask & IN_Q_OVERFLOW) {
                relevant = true; // events were lost: only a full reload knows what changed
                continue;
            }
            auto dir = m_dirs.find(event.wd);
            if (dir == m_dirs.end()) {
                continue; // a watch already forgotten
            }
            if (event.mask & (IN_IGNORED | IN_MOVE_SELF)) {
                // The directory is gone (the kernel dropped its watch) or was moved elsewhere
                // (its watch would follow it there: drop it; the reload's rewatch adds what is
                // at the path now).
                if (dir->second.empty()) {
                    m_warn("the jobs directory " + m_dir +
                           " is gone; its jobs run on until stopped. "
                           "Once it is back, run reload-configuration");
                }
                if (event.mask & IN_MOVE_SELF) {
                    (void)m_sys.inotify_rm_watch(m_fd.get(), event.wd);
                }
                m_dirs.erase(dir);
                relevant = true;
                continue;
            }
            if (event.mask & IN_DELETE_SELF) {
                relevant = true; // IN_IGNORED follows
                continue;
            }
            if (config::is_ignored_name(name)) {
                continue;
            }
            if ((event.mask & IN_ISDIR) && (event.mask & (IN_CREATE | IN_MOVED_TO))) {
                // Watched now, before the reload walks it (mkdir -p: with what is already inside).
                std::string rel = dir->second.empty() ? name : dir->second + "/" + name;
                watch_dirs(config::list_job_dirs(m_sys, m_dir, rel));
            }
            relevant = true;
        }
    }
    if (relevant) {
        changed();
    }
    return loop::Next::Keep;
}

void JobDirWatch::changed() {
    sys::TimePoint now = m_loop.now();
    if (!m_first_event) {
        m_first_event = now;
    }
    sys::TimePoint due = std::min(now + m_timing.settle, *m_first_event + m_timing.max_wait);
    if (auto armed = m_timer.arm_at(due); !armed) {
        fire(); // no timer: reload now rather than never
    }
}

void JobDirWatch::fire() {
    m_first_event.reset();
    m_timer.cancel();
    m_on_change(); // a reload, which calls rewatch() with the directories it walked
}

} // namespace daemon_main
