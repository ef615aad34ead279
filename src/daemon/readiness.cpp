// Owns the daemon's readiness watches (expect fork/daemon/stop/notify) and their timeouts.
#include "daemon/readiness.h"

#include <algorithm>
#include <csignal>
#include <cstdio>

namespace daemon_main {

namespace {

unsigned forks_for(core::ExpectType expect) {
    return expect == core::ExpectType::Daemon ? 2 : 1;
}

std::string expect_name(core::ExpectType expect) {
    return "expect " + std::string(core::to_string(expect));
}

std::string describe_end(const sys::ChildStatus& st) {
    return core::describe(st.exited() ? core::ExitStatus::exited(st.status)
                                      : core::ExitStatus::killed(st.status));
}

} // namespace

Readiness::Readiness(sys::Sys& sys, loop::EventLoop& loop, core::Engine& engine, Log log,
                     sys::Duration timeout)
    : m_sys(sys), m_loop(loop), m_engine(engine), m_log(std::move(log)), m_timeout(timeout) {}

Readiness::~Readiness() {
    for (auto& [job, ch] : m_channels) {
        m_loop.remove_watch(ch.watch);
    }
}

std::string Readiness::seconds(sys::Duration d) const {
    double s = std::chrono::duration<double>(d).count();
    char text[32];
    std::snprintf(text, sizeof text, s == static_cast<double>(static_cast<long>(s)) ? "%.0f s" : "%.1f s", s);
    return text;
}

void Readiness::watch(const core::Job& job, pid_t pid) {
    const core::Job* key = &job;
    Watch& w = m_watches[key];
    w = Watch{};
    w.job = key;
    w.name = job.display_name();
    w.expect = job.job_class().expect;
    w.main = pid;
    w.spawned = pid;
    w.since = m_sys.now();
    if (w.expect == core::ExpectType::Fork || w.expect == core::ExpectType::Daemon) {
        w.tracker =
            std::make_unique<proc::ForkTracker>(m_sys, expect_name(w.expect), forks_for(w.expect), pid);
    }
    if (auto ch = m_channels.find(key); ch != m_channels.end()) {
        ch->second.main = pid;
        ch->second.group = pid; // spawned with setsid: it leads its group
    }
    w.timer = std::make_unique<loop::Timer>(m_loop, [this, key] { timed_out(key); });
    if (auto armed = w.timer->arm_after(m_timeout); !armed) {
        m_log(core::LogLevel::Error, w.name + ": cannot arm the readiness timer: " + armed.error().message());
    }
    if (w.tracker) {
        // Its first stop (after exec) may have been reported already.
        if (auto early = m_early_stops.find(pid); early != m_early_stops.end()) {
            sys::ChildStatus st = early->second;
            m_early_stops.erase(early);
            feed_tracker(w, st);
        }
    }
}

void Readiness::abort(const core::Job& job) {
    close_channel(&job);
    auto it = m_watches.find(&job);
    if (it == m_watches.end()) {
        return;
    }
    kill_all(it->second);
    m_watches.erase(it);
}

Readiness::Watch* Readiness::find_by_pid(pid_t pid) {
    for (auto& [key, w] : m_watches) {
        if (w.main == pid || (w.tracker && w.tracker->awaited_child() == pid)) {
            return &w;
        }
    }
    return nullptr;
}

bool Readiness::on_child_status(const sys::ChildStatus& st) {
    if (st.terminated()) {
        // What it sent before exiting counts first (e.g. MAINPID= and READY=1, then exit).
        const core::Job* sender = nullptr;
        for (auto& [job, ch] : m_channels) {
            if (ch.main == st.pid) {
                sender = job;
            }
        }
        if (sender != nullptr) {
            on_notify_readable(sender);
        }
        close_channel_of(st.pid);
    }
    Watch* w = find_by_pid(st.pid);
    if (w != nullptr || st.code == CLD_TRAPPED) {
        m_log(core::LogLevel::Debug, "readiness: pid " + std::to_string(st.pid) + " code " +
                                         std::to_string(st.code) + " status " + std::to_string(st.status) +
                                         (w ? "" : " (not awaited)"));
    }
    if (w == nullptr) {
        if (st.code == CLD_TRAPPED) {
            m_early_stops[st.pid] = st; // a followed fork's child, before its parent's event
            return true;
        }
        m_early_stops.erase(st.pid);
        return !st.terminated(); // other stops (a job stopped by hand) need nothing from us
    }
    if (w->tracker) {
        feed_tracker(*w, st);
        return !st.terminated();
    }
    if (st.terminated()) {
        std::string what = w->expect == core::ExpectType::Stop ? " before stopping itself with SIGSTOP"
                                                               : " before it sent READY=1";
        not_ready(*w, expect_name(w->expect) + ": process " + std::to_string(st.pid) + " " +
                          describe_end(st) + what);
        return false;
    }
    if (w->expect == core::ExpectType::Stop && st.code == CLD_STOPPED && st.status == SIGSTOP) {
        if (auto cont = m_sys.kill(st.pid, SIGCONT); !cont) {
            m_log(core::LogLevel::Warning, w->name + ": cannot continue process " + std::to_string(st.pid) +
                                               ": " + cont.error().message());
        }
        ready(*w, st.pid);
    }
    return true;
}

bool Readiness::feed_tracker(Watch& w, const sys::ChildStatus& st) {
    // Each pass may reveal a child whose first stop arrived early: replay it.
    sys::ChildStatus next = st;
    for (;;) {
        pid_t before = w.tracker->main();
        proc::TraceStep step = w.tracker->on_status(next);
        if (step == proc::TraceStep::NotMine) {
            return false;
        }
        if (w.tracker->main() != before) {
            m_engine.on_main_forked(before, w.tracker->main());
            w.main = w.tracker->main();
        }
        if (step == proc::TraceStep::Ready) {
            ready(w, w.tracker->main());
            return true;
        }
        if (step == proc::TraceStep::Failed) {
            not_ready(w, w.tracker->failure());
            return true;
        }
        auto early = m_early_stops.find(w.tracker->awaited_child());
        if (w.tracker->awaited_child() == 0 || early == m_early_stops.end()) {
            return true;
        }
        next = early->second;
        m_early_stops.erase(early);
    }
}

void Readiness::ready(Watch& w, pid_t pid) {
    auto elapsed = m_sys.now() - w.since;
    m_log(core::LogLevel::Info,
          w.name + ": " + expect_name(w.expect) + ": ready, main process " + std::to_string(pid) + " (" +
              std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()) +
              " ms after spawn)");
    const core::Job* key = w.job;
    if (w.tracker && m_on_traced) {
        m_on_traced(key, w.tracker->pids(), pid);
    }
    m_watches.erase(key); // `w` is gone from here on
    m_engine.on_main_ready(pid);
}

void Readiness::not_ready(Watch& w, std::string reason) {
    pid_t main = w.main;
    kill_all(w);
    const core::Job* key = w.job;
    m_watches.erase(key); // `w` is gone from here on
    close_channel(key);
    m_engine.on_main_not_ready(main, std::move(reason));
}

void Readiness::timed_out(const core::Job* job) {
    auto it = m_watches.find(job);
    if (it == m_watches.end()) {
        return;
    }
    Watch& w = it->second;
    std::string did;
    switch (w.expect) {
    case core::ExpectType::Fork:
    case core::ExpectType::Daemon:
        did = w.tracker->progress();
        break;
    case core::ExpectType::Stop:
        did = "process " + std::to_string(w.main) + " did not stop itself with SIGSTOP";
        break;
    default:
        did = "process " + std::to_string(w.main) + " did not send READY=1";
        break;
    }
    not_ready(w, expect_name(w.expect) + ": " + did + "; timed out after " + seconds(m_timeout));
}

void Readiness::kill_all(const Watch& w) {
    // Every process the watch saw, and the process groups they lead (the spawned one leads the
    // job's group; a daemon that called setsid leads its own). A traced stopped process dies too.
    std::vector<pid_t> pids = w.tracker ? w.tracker->pids() : std::vector<pid_t>{w.spawned};
    if (w.main != w.spawned && std::find(pids.begin(), pids.end(), w.main) == pids.end()) {
        pids.push_back(w.main);
    }
    for (pid_t pid : pids) {
        (void)m_sys.kill(-pid, SIGKILL);
        (void)m_sys.kill(pid, SIGKILL);
        m_early_stops.erase(pid);
    }
}

} // namespace daemon_main
