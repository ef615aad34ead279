// Owns the signalfd reading behind SignalWatch. See signal_watch.h for the design.
#include "loop/signal_watch.h"

#include <cerrno>
#include <exception>
#include <string>

namespace loop {

SignalWatch::SignalWatch(EventLoop& loop, sigset_t signals, sigset_t newly_blocked, Callback callback)
    : m_loop(loop), m_signals(signals), m_newly_blocked(newly_blocked), m_callback(std::move(callback)) {}

Result<std::unique_ptr<SignalWatch>> SignalWatch::create(EventLoop& loop, std::initializer_list<int> signals,
                                                         Callback callback) {
    sys::Sys& sys = loop.sys();
    sigset_t set = sys::make_sigset(signals);
    auto previous = sys.sigprocmask(SIG_BLOCK, set);
    if (!previous) {
        return previous.error();
    }
    sigset_t newly_blocked;
    sigemptyset(&newly_blocked);
    for (int sig : signals) {
        if (!sigismember(&*previous, sig)) {
            sigaddset(&newly_blocked, sig);
        }
    }
    // From here on the destructor undoes the blocking, also when a later step fails.
    std::unique_ptr<SignalWatch> watch(new SignalWatch(loop, set, newly_blocked, std::move(callback)));
    auto fd = sys.signalfd(set, SFD_NONBLOCK);
    if (!fd) {
        return fd.error();
    }
    watch->m_fd = std::move(fd).value();
    auto id = loop.add_watch(watch->m_fd.get(), EPOLLIN, [w = watch.get()](std::uint32_t) { return w->on_readable(); });
    if (!id) {
        return id.error();
    }
    watch->m_watch = *id;
    return watch;
}

SignalWatch::~SignalWatch() {
    if (m_watch != 0) {
        m_loop.remove_watch(m_watch);
    }
    m_fd.reset();
    if (auto restored = m_loop.sys().sigprocmask(SIG_UNBLOCK, m_newly_blocked); !restored) {
        m_loop.report_error("cannot unblock signals: " + restored.error().message());
    }
}

Next SignalWatch::on_readable() {
    // One signal per wake-up: more pending ones keep the fd readable for the next turn, so a
    // signal storm shares the loop with everything else, and the callback may destroy this
    // watch (a shutdown), since nothing here touches it after the call.
    signalfd_siginfo info{};
    auto n = m_loop.sys().read(m_fd.get(), &info, sizeof info);
    if (!n) {
        if (n.error().code() == EAGAIN) {
            return Next::Keep; // another reader took it
        }
        m_loop.report_error("cannot read the signalfd: " + n.error().message());
        return Next::Disarm;
    }
    if (*n != sizeof info) {
        return Next::Keep;
    }
    Callback callback = m_callback;
    EventLoop& loop = m_loop;
    try {
        callback(info);
    } catch (const std::exception& e) {
        loop.report_error(std::string("a signal callback threw: ") + e.what());
    } catch (...) {
        loop.report_error("a signal callback threw");
    }
    return Next::Keep;
}

} // namespace loop
