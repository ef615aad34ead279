// Owns FakeSys's ptrace calls: a log of every request and scripted fork-event messages. The fake
// does not model tracee stops itself; tests report them with stop_process(pid, sig, traced).
#include <gtest/gtest.h>

#include <cstdio>

#include "fakes/fake_sys.h"

namespace fakes {

using detail::fail;

sys::Result<void> FakeSys::ptrace_op(const char* call, const std::string& entry, pid_t pid) {
    if (auto e = enter(call)) {
        return fail(call, *e);
    }
    Process* p = child(pid);
    if (!p || p->state != Process::State::Running) {
        return fail(call, ESRCH);
    }
    m_ptrace_log.push_back(entry);
    return {};
}

sys::Result<void> FakeSys::ptrace_setoptions(pid_t pid, unsigned options) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "%#x", options);
    return ptrace_op("ptrace_setoptions", "setoptions " + std::to_string(pid) + " " + hex, pid);
}

sys::Result<void> FakeSys::ptrace_cont(pid_t pid, int sig) {
    return ptrace_op("ptrace_cont", "cont " + std::to_string(pid) + " " + std::to_string(sig), pid);
}

sys::Result<void> FakeSys::ptrace_detach(pid_t pid, int sig) {
    return ptrace_op("ptrace_detach", "detach " + std::to_string(pid) + " " + std::to_string(sig), pid);
}

sys::Result<unsigned long> FakeSys::ptrace_geteventmsg(pid_t pid) {
    if (auto r = ptrace_op("ptrace_geteventmsg", "geteventmsg " + std::to_string(pid), pid); !r) {
        return r.error();
    }
    auto it = m_event_messages.find(pid);
    if (it == m_event_messages.end()) {
        ADD_FAILURE() << "FakeSys: no event message scripted for " << pid;
        return fail("ptrace_geteventmsg", EIO);
    }
    return it->second;
}

} // namespace fakes
