// Owns ChildWatch: learning that children terminated, reaping them, and handing over their exit
// status. Not here: creating children (sys/spawn.h) or deciding what an exit means (core/).
//
// Design:
// - Preferred route: one pidfd per child, watched by the loop. A pidfd polls readable once the
//   child has terminated; waitid(P_PIDFD, WEXITED | WNOHANG) then reaps exactly that child.
// - Fallback route, for children without a pidfd (kernels before 5.3, or pidfd_open failing):
//   SIGCHLD, blocked and read through a SignalWatch, triggers a sweep that reaps with
//   waitid(P_ALL, WEXITED | WNOHANG) until nothing is left, dispatching each pid to its watcher.
//   The same route reaps orphans for a subreaper or PID 1 (set_orphan_handler).
// - The SIGCHLD route is switched on when first needed and stays on. A sweep may then reap a
//   child that also has a pidfd; it is dispatched by pid all the same and its pidfd dropped.
//   Switching it on posts one sweep, which catches children that ended before SIGCHLD was
//   blocked (their SIGCHLD was discarded, as its default action is to ignore it).
// - Each watched child's callback runs once, after the child is forgotten, so it may watch a new
//   child (even one with a reused pid) or destroy the ChildWatch.
// - Stops (WSTOPPED, for ptrace) are not reported here.
#pragma once

#include <functional>
#include <map>
#include <memory>

#include "loop/event_loop.h"

namespace loop {

class SignalWatch;

class ChildWatch {
public:
    // The child's end. status.code is a CLD_* value, or 0 in the one case where the status is
    // lost: someone outside this ChildWatch reaped the child first.
    using Callback = std::function<void(const sys::ChildStatus& status)>;

    static Result<std::unique_ptr<ChildWatch>> create(EventLoop& loop);
    ~ChildWatch();
    ChildWatch(const ChildWatch&) = delete;
    ChildWatch& operator=(const ChildWatch&) = delete;

    // Calls `on_exit` once when `pid` terminates. `pidfd` may be invalid: pidfd_open is tried,
    // and if the kernel cannot give one the SIGCHLD route is used. Fails if pid is watched
    // already, or no longer exists (ESRCH).
    Result<void> watch(pid_t pid, base::UniqueFd pidfd, Callback on_exit);
    // Stops watching pid without reaping it.
    void unwatch(pid_t pid);
    bool watching(pid_t pid) const { return m_children.count(pid) != 0; }
    std::size_t size() const { return m_children.size(); }

    // Reaps every child nobody watches (orphans reparented to us) and passes it here. Switches
    // the SIGCHLD route on.
    Result<void> set_orphan_handler(Callback on_orphan);
    bool uses_sigchld() const { return m_sigchld != nullptr; }

private:
    struct Child {
        base::UniqueFd pidfd;
        WatchId watch = 0; // 0: no pidfd, the SIGCHLD route reports this one
        Callback on_exit;
    };

    explicit ChildWatch(EventLoop& loop);
    Result<void> enable_sigchld();
    Next on_pidfd_readable(pid_t pid);
    // waitid(P_ALL) until no child is left to reap.
    void sweep();
    void deliver(const sys::ChildStatus& status);

    EventLoop& m_loop;
    std::map<pid_t, Child> m_children;
    std::unique_ptr<SignalWatch> m_sigchld;
    Callback m_on_orphan;
    // Lets posted sweeps notice that this ChildWatch is gone.
    std::shared_ptr<ChildWatch*> m_self;
};

} // namespace loop
