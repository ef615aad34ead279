// Owns the Supervisor's side of crash recovery: keeping the state journal up to date (one flush
// at the end of each turn in which a job changed) and, at start, adopting what a predecessor's
// journal says still runs (daemon/recovery), watching the adopted processes for their end.
#include "daemon/supervisor.h"

#include <fcntl.h>

#include "daemon/recovery.h"
#include "sys/read_to_end.h"

namespace daemon_main {

std::string Supervisor::boot_id() {
    auto fd = m_sys.open("/proc/sys/kernel/random/boot_id", O_RDONLY);
    if (!fd) {
        return {};
    }
    auto text = sys::read_to_end(m_sys, fd->get(), 64);
    if (!text) {
        return {};
    }
    std::string id = std::move(text).value();
    while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) {
        id.pop_back();
    }
    return id;
}

bool Supervisor::recover_jobs() {
    std::string boot = boot_id();
    bool startup_emitted = false;
    std::optional<std::vector<core::TimerState>> timers; // a journal of this boot's
    auto previous = m_journal.read_previous();
    if (!previous) {
        log(core::LogLevel::Error, "cannot read the state journal " + m_journal.path() + ": " +
                                       previous.error().message() + "; nothing is adopted from it");
    } else if (*previous && boot.empty()) {
        // Its pids may be of an earlier boot (a runtime dir on a disk), whose boot clock
        // started again too: nothing tells its processes from others.
        log(core::LogLevel::Warning, "no boot id (/proc/sys/kernel/random/boot_id): the state journal " +
                                         m_journal.path() + " is not believed");
    } else if (*previous && (*previous)->header.boot_id != boot) {
        log(core::LogLevel::Info, "the state journal " + m_journal.path() + " is from an earlier boot: ignored");
    } else if (*previous) {
        const PreviousJournal& journal = **previous;
        startup_emitted = journal.header.startup_emitted;
        timers = journal.timers;
        bool reexec = journal.header.pid == m_sys.getpid();
        log(reexec ? core::LogLevel::Info : core::LogLevel::Warning,
            reexec ? "re-exec: taking back the " + std::to_string(journal.jobs.size()) + " jobs this process ran"
                   : "startd " + std::to_string(journal.header.pid) + " ended without stopping its jobs: adopting the " +
                         std::to_string(journal.jobs.size()) + " it recorded");
        Recovered recovered = recover(m_engine, m_tree, journal, m_sys.getpid());
        for (pid_t pid : recovered.watch) {
            m_adopted.watch(pid);
        }
        std::size_t logs = 0;
        LogPipes::TakenPipes taken;
        for (const std::string& name : m_engine.class_names()) {
            for (const core::Job* job : m_engine.instances(name)) {
                m_containment.adopted(*job);
                if (job->job_class().console != core::ConsoleType::Log) {
                    continue;
                }
                for (pid_t pid : job->pids) {
                    if (pid > 0 && m_log_pipes.adopt(pid, *job, taken)) {
                        ++logs;
                    }
                }
            }
        }
        for (const std::string& refused : recovered.refused) {
            log(core::LogLevel::Error, "not adopted: " + refused);
        }
        log(core::LogLevel::Info, "adopted " + std::to_string(recovered.adopted) + " jobs (" +
                                      std::to_string(recovered.processes) + " processes still running, " +
                                      std::to_string(recovered.ended) + " ended meanwhile; " +
                                      std::to_string(logs) + " log pipes taken back), " +
                                      std::to_string(recovered.refused.size()) + " not adopted");
    }
    m_timers.start(timers);
    m_journal.set_timers(m_timers.states());
    JournalHeader header;
    header.pid = m_sys.getpid();
    header.boot_id = std::move(boot);
    header.startup_emitted = true; // startup is emitted right after this, unless it was already
    (void)m_journal.begin(std::move(header)); // a failure is logged; flushes try again
    return startup_emitted;
}

void Supervisor::job_changed(const core::Job& job) {
    if (!m_monitor.empty()) {
        m_monitor.job(job, now());
    }
    m_journal.changed(job);
    schedule_journal_flush();
}

void Supervisor::schedule_journal_flush() {
    if (m_journal_posted || !m_journal.has_changes()) {
        return;
    }
    m_journal_posted = true;
    m_loop.post([this] {
        m_journal_posted = false;
        m_journal.flush();
    });
}

void Supervisor::adopted_ended(pid_t pid) {
    m_containment.reaped(pid);
    if (const core::Job* job = m_engine.job_of(pid)) {
        m_containment.may_be_idle(*job);
    }
    m_engine.on_process_exit(pid, core::ExitStatus::ended_unknown());
    after_change();
}

} // namespace daemon_main
