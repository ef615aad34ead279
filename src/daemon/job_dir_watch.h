// Owns noticing changes to the jobs directory: one inotify fd watching the jobs dir and every
// subdirectory the loader would read, and a settle timer so that an editor's or a package
// manager's burst of writes becomes one reload. Not here: what a reload does (job_loader.h,
// Upstart's rules: unchanged jobs untouched, changed ones take effect at their next start).
//
// Debounce: the first relevant event arms the timer `settle` ahead; each later one pushes it
// back by `settle` again, but never past `max_wait` after the first, so a directory that keeps
// changing is still reloaded. Events on names the loader skips (hidden files, editor backups and
// swap files, package-manager leftovers) are not relevant. A new subdirectory is watched at
// once, before the reload walks it, so a file created in it right after is not missed. Which
// directories: those the loader enters, as its own walk lists them (config/job_dir.h).
// A queue overflow (IN_Q_OVERFLOW) just means "reload".
#pragma once

#include "base/result.h"
#include "base/unique_fd.h"
#include "loop/event_loop.h"
#include "loop/timer.h"
#include "sys/sys.h"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace daemon_main {

class JobDirWatch {
  public:
    using OnChange = std::function<void()>;
    using Log = std::function<void(std::string_view)>;

    struct Timing {
        sys::Duration settle = std::chrono::milliseconds(200);
        sys::Duration max_wait = std::chrono::seconds(2);
    };

    // Watches `dir` and its subdirectories. Fails when inotify cannot be had at all (the caller
    // says so and carries on: reload-configuration and SIGHUP still work).
    static base::Result<std::unique_ptr<JobDirWatch>> create(sys::Sys& sys, loop::EventLoop& loop,
                                                             std::string dir, Timing timing,
                                                             OnChange on_change, Log warn);
    ~JobDirWatch();
    JobDirWatch(const JobDirWatch&) = delete;
    JobDirWatch& operator=(const JobDirWatch&) = delete;

    // Watches the directories a reload's walk entered (config::LoadReport::dirs) that are not
    // watched yet: those that appeared meanwhile, the jobs dir itself if it was removed and made
    // again, a moved-away directory's path that is filled again. The owner calls it after every
    // reload, the ones on_change asks for included: a reload walks the tree once, for the jobs
    // and the watches alike. A directory watched only now schedules one more reload (it may
    // have changed between the walk and its watch).
    void rewatch(const std::vector<std::string>& dirs);
    std::size_t watched_dirs() const { return m_dirs.size(); }
    bool reload_pending() const { return m_first_event.has_value(); }

  private:
    JobDirWatch(sys::Sys& sys, loop::EventLoop& loop, std::string dir, Timing timing, OnChange on_change,
                Log warn, base::UniqueFd fd);
    loop::Next on_readable();
    // Watches each of `dirs` (relative to the jobs dir; "" is the dir itself; parents first),
    // but not the subdirectories of one that cannot be watched. Returns how many are new.
    std::size_t watch_dirs(const std::vector<std::string>& dirs);
    void changed();
    void fire();

    sys::Sys& m_sys;
    loop::EventLoop& m_loop;
    std::string m_dir;
    Timing m_timing;
    OnChange m_on_change;
    Log m_warn;
    base::UniqueFd m_fd;
    loop::WatchId m_watch = 0;
    std::map<int, std::string> m_dirs; // watch descriptor → path relative to the jobs dir
    loop::Timer m_timer;
    std::optional<sys::TimePoint> m_first_event; // of the burst the timer waits out
    bool m_warned_full = false;                  // "too many watches" said once
};

} // namespace daemon_main
