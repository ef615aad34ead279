// Owns the Supervisor's live re-exec (`startctl reexec`, SIGUSR2): the program startd was
// started from (the new version after a package upgrade) is first run on the saved state
// (`startd --verify-state JOURNAL`) and exec'd only when that exits 0, so a program that is not
// a working startd (a truncated file, a build that crashes, a script that exits 1) is refused
// while startd still runs, and it says why. After the exec the same process — same pid, so the
// jobs are still its children — reads the journal and takes every job back (restart-and-adopt,
// docs/state-format.md).
#include "daemon/supervisor.h"

#include <sys/resource.h>
#include <unistd.h>

#include "daemon/fd_limit.h"

namespace daemon_main {

namespace {

// How long the program may take to read the state before the re-exec is given up.
constexpr sys::Duration reexec_check_bound = std::chrono::seconds(30);

} // namespace

void Supervisor::reexec(control::CommandHost::ReexecDone done) {
    const std::string& program = m_settings.program;
    if (done) {
        m_reexec_waiting.push_back(std::move(done));
    }
    if (m_reexec_check != 0) {
        return; // under way already: whoever asked now hears the same outcome
    }
    if (program.empty()) {
        reexec_abandon("startd could not tell which program it runs");
        return;
    }
    if (m_shutting_down) {
        reexec_abandon("startd is stopping");
        return;
    }
    if (m_settings.endpoint.journal.empty() || !m_journal.snapshot()) {
        reexec_abandon("the state journal cannot be written");
        return;
    }
    sys::SpawnPlan plan;
    plan.file = program;
    plan.argv = {program, "--verify-state", m_settings.endpoint.journal};
    plan.envp = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
    plan.fds = {{m_devnull.get(), STDIN_FILENO}, {STDERR_FILENO, STDOUT_FILENO}, {STDERR_FILENO, STDERR_FILENO}};
    plan.new_session = true;
    auto spawned = m_sys.spawn(plan);
    if (!spawned) {
        reexec_abandon("cannot run " + program + ": " + spawned.error().message());
        return;
    }
    m_reexec_check = spawned->pid;
    if (!m_reexec_timer) {
        m_reexec_timer = std::make_unique<loop::Timer>(m_loop, [this] {
            if (m_reexec_check != 0) {
                (void)m_sys.kill(m_reexec_check, SIGKILL); // reaped as usual; its end is then ignored
                m_reexec_check = 0;
                reexec_abandon(m_settings.program + " did not read the state within " +
                               std::to_string(std::chrono::duration_cast<std::chrono::seconds>(reexec_check_bound).count()) +
                               " s");
            }
        });
    }
    (void)m_reexec_timer->arm_after(reexec_check_bound);
    log(core::LogLevel::Info, "re-exec: checking " + program + " on the state (pid " + std::to_string(m_reexec_check) + ")");
}

void Supervisor::reexec_abandon(std::string why) {
    std::string said = "RE-EXEC REFUSED, startd " STARTD_VERSION " goes on running every job as before: " + why;
    log(core::LogLevel::Error, said);
    auto waiting = std::move(m_reexec_waiting);
    m_reexec_waiting.clear();
    for (auto& done : waiting) {
        done(base::Error(said));
    }
}

void Supervisor::reexec_checked(const sys::ChildStatus& status) {
    m_reexec_check = 0;
    if (m_reexec_timer) {
        m_reexec_timer->cancel();
    }
    const std::string& program = m_settings.program;
    if (!status.exited() || status.status != 0) {
        reexec_abandon(program + " did not accept the state (" +
                       core::describe(status.exited() ? core::ExitStatus::exited(status.status)
                                                      : core::ExitStatus::killed(status.status)) +
                       ")");
        return;
    }
    if (m_shutting_down) {
        reexec_abandon("startd is stopping");
        return;
    }
    // The state as it is now; what the pipes hold stays in them for the next program, whose
    // log lines then start after the partial ones written here.
    m_log_pipes.flush_partial_lines();
    if (!m_journal.snapshot()) {
        reexec_abandon("the state journal cannot be written");
        return;
    }
    // Jobs started by the next program get the descriptor limit startd was given, not the one
    // it raised for itself (which the next program would otherwise take for the inherited one).
    if (m_job_nofile) {
        (void)m_sys.setrlimit(RLIMIT_NOFILE, rlimit{m_job_nofile->soft, m_job_nofile->hard});
    }
    log(core::LogLevel::Warning, "re-exec: running " + program + " (startd " STARTD_VERSION " ends here)");
    // The clients that asked hear it now: their replies are written before the exec (a reply
    // that cannot be written at once goes with the connection, which the exec closes).
    auto waiting = std::move(m_reexec_waiting);
    m_reexec_waiting.clear();
    for (auto& done : waiting) {
        done(nlohmann::json{{"program", program}, {"accepted", true}});
    }
    auto ran = m_sys.exec(program, m_settings.argv);
    // Still here: the exec failed, and nothing was lost. Take the raised limit back.
    if (m_job_nofile) {
        if (auto raised = raise_fd_limit(m_sys); !raised) {
            log(core::LogLevel::Warning, "cannot raise the file descriptor limit again: " + raised.error().message());
        }
    }
    reexec_abandon("exec " + program + ": " + ran.error().message());
}

} // namespace daemon_main
