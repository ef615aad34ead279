// Owns the signalfd reading behind SignalWatch. See signal_watch.h for the design.
#include "loop/signal_watch.h"

#include <cerrno>
#include <exception>
#include <string>

#include "loop/timer.h"

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
    if (auto opened = watch->open(); !opened) {
        return opened.error();
    }
    return watch;
}

Result<void> SignalWatch::open() {
    auto fd = m_loop.sys().signalfd(m_signals, SFD_NONBLOCK);
    if (!fd) {
        return fd.error();
    }
    auto id = m_loop.add_watch(fd->get(), EPOLLIN, [this](std::uint32_t) { return on_readable(); });
    if (!id) {
        return id.error();
    }
    m_fd = std::move(fd).value();
    m_watch = *id;
    return {};
}

SignalWatch::~SignalWatch() {
    m_retry.reset();
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
        switch (n.error().code()) {
        case EAGAIN: // another reader took it
        case EINTR:
            return Next::Keep;
        case ENOMEM: // the signal waits in the kernel: read again on the next turn
            if (!m_failing) {
                m_failing = true;
                m_loop.report_error("cannot read the signalfd: " + n.error().message() + " (trying again)");
            }
            return Next::Keep;
        default:
            reopen_later("cannot read the signalfd: " + n.error().message());
            return Next::Remove; // removed already
        }
    }
    m_failing = false;
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

void SignalWatch::reopen_later(const std::string& what) {
    // Retrying the same read would fail again on every turn: a new signalfd, after a pause.
    if (m_watch != 0) {
        m_loop.remove_watch(m_watch);
        m_watch = 0;
    }
    m_fd.reset();
    if (!m_retry) {
        m_retry = std::make_unique<Timer>(m_loop, [this] { reopen(); });
    }
    if (auto armed = m_retry->arm_after(signalfd_retry_delay); !armed) {
        m_loop.report_error(what + "; no timer to try a new signalfd either (" + armed.error().message() +
                            "): signals are no longer read");
        return;
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(signalfd_retry_delay).count();
    m_loop.report_error(what + "; trying a new signalfd in " + std::to_string(ms) + " ms");
}

void SignalWatch::reopen() {
    if (auto opened = open(); !opened) {
        reopen_later("cannot open a new signalfd: " + opened.error().message());
    }
}

} // namespace loop
