// Owns the expect fork/daemon trace state machine. See fork_tracker.h for the protocol.
#include "proc/fork_tracker.h"

#include "core/exit_status.h"

#include <csignal>
#include <sys/ptrace.h>

namespace proc {

namespace {

constexpr unsigned trace_options = PTRACE_O_TRACEFORK | PTRACE_O_TRACEEXEC;

std::string times(unsigned n) {
    return n == 1 ? "once" : n == 2 ? "twice" : std::to_string(n) + " times";
}

std::string ended(const sys::ChildStatus& st) {
    return core::describe(st.exited() ? core::ExitStatus::exited(st.status)
                                      : core::ExitStatus::killed(st.status));
}

} // namespace

ForkTracker::ForkTracker(sys::Sys& sys, std::string expect, unsigned forks, pid_t pid)
    : m_sys(sys), m_expect(std::move(expect)), m_needed(forks == 0 ? 1 : forks), m_origin(pid), m_main(pid) {
    m_pids.push_back(pid);
}

std::string ForkTracker::progress() const {
    std::string text = "process " + std::to_string(m_origin);
    if (m_forks == 0) {
        return text + " did not fork";
    }
    text += " forked " + times(m_forks) + " (pid " + std::to_string(m_main) + ")";
    if (m_new_child != 0) {
        return text + " but pid " + std::to_string(m_new_child) + " never stopped for the tracer";
    }
    return text + " and then pid " + std::to_string(m_main) + " did not fork again";
}

TraceStep ForkTracker::on_status(const sys::ChildStatus& st) {
    if (m_done || (st.pid != m_main && st.pid != m_new_child)) {
        return TraceStep::NotMine;
    }
    if (st.terminated()) {
        std::string what = "process " + std::to_string(m_origin);
        if (m_forks == 0) {
            return fail(what + " " + ended(st) + " without forking");
        }
        what += " forked " + times(m_forks) + " (pid " + std::to_string(m_main) + "), then pid " +
                std::to_string(st.pid) + " " + ended(st);
        return fail(what + (m_new_child != 0 ? " before it could be followed" : " without forking again"));
    }
    if (!st.stopped()) {
        return TraceStep::Pending; // CLD_CONTINUED: nothing to do
    }
    if (st.pid == m_new_child) {
        return on_child_stop();
    }
    return on_main_stop(st.status & 0xff, st.status >> 8);
}

TraceStep ForkTracker::on_main_stop(int signal, int event) {
    if (!m_options_set && signal == SIGTRAP && event == 0) {
        // The stop after exec (PTRACE_TRACEME). From now on forks and execs are events.
        m_options_set = true;
        if (auto set = m_sys.ptrace_setoptions(m_main, trace_options); !set) {
            return fail("cannot trace process " + std::to_string(m_main) + ": " + set.error().message());
        }
        (void)m_sys.ptrace_cont(m_main, 0);
        return TraceStep::Pending;
    }
    if (event == PTRACE_EVENT_FORK) {
        auto child = m_sys.ptrace_geteventmsg(m_main);
        if (!child) {
            return fail("cannot read the fork event of process " + std::to_string(m_main) + ": " +
                        child.error().message());
        }
        ++m_forks;
        pid_t parent = m_main;
        m_main = static_cast<pid_t>(*child);
        m_new_child = m_main;
        m_pids.push_back(m_main);
        // The parent is no longer ours to follow: it usually exits now.
        (void)m_sys.ptrace_detach(parent, 0);
        return TraceStep::Pending;
    }
    if (event == PTRACE_EVENT_EXEC) {
        if (m_forks > 0) {
            return finish(m_main); // forked, then ran another program: that is the daemon
        }
        (void)m_sys.ptrace_cont(m_main, 0); // e.g. a shell exec'ing the daemon
        return TraceStep::Pending;
    }
    // A signal for the tracee (or a stop we did not ask for): hand it on unchanged.
    (void)m_sys.ptrace_cont(m_main, event == 0 ? signal : 0);
    return TraceStep::Pending;
}

TraceStep ForkTracker::on_child_stop() {
    // The new child's first stop (SIGSTOP from the auto-attach): suppressed either way.
    pid_t child = m_new_child;
    m_new_child = 0;
    if (m_forks >= m_needed) {
        return finish(child);
    }
    (void)m_sys.ptrace_cont(child, 0);
    return TraceStep::Pending;
}

TraceStep ForkTracker::finish(pid_t pid) {
    (void)m_sys.ptrace_detach(pid, 0);
    m_main = pid;
    m_done = true;
    return TraceStep::Ready;
}

TraceStep ForkTracker::fail(std::string what) {
    m_done = true;
    m_failure = m_expect + ": " + std::move(what);
    return TraceStep::Failed;
}

} // namespace proc
