// Tests LinuxSys against the real kernel: each forward reaches the right call and maps errors.
// Children are real but short-lived, waited for with a bound and killed by pid on failure.
#include "sys/linux_sys.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <string>

#include "support/real_child.h"

namespace {

using namespace std::chrono_literals;
using sys::LinuxSys;
using test_support::ChildGuard;
using test_support::shell_plan;
using test_support::TempDir;

bool fd_has_cloexec(int fd) {
    return (::fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

TEST(LinuxSys, PipeCarriesBytesAndEndsWithEndOfFile) {
    LinuxSys sys;
    auto pipe = sys.pipe2(0);
    ASSERT_TRUE(pipe) << pipe.error().message();
    auto written = sys.write(pipe->second.get(), "hello", 5);
    ASSERT_TRUE(written);
    EXPECT_EQ(*written, 5u);
    pipe->second.reset();
    char buf[16];
    auto n = sys.read(pipe->first.get(), buf, sizeof buf);
    ASSERT_TRUE(n);
    EXPECT_EQ(std::string(buf, *n), "hello");
    auto eof = sys.read(pipe->first.get(), buf, sizeof buf);
    ASSERT_TRUE(eof);
    EXPECT_EQ(*eof, 0u);
}

TEST(LinuxSys, EveryCreatedFdIsCloseOnExec) {
    LinuxSys sys;
    auto pipe = sys.pipe2(0);
    auto ep = sys.epoll_create1(0);
    auto timer = sys.timerfd_create(CLOCK_MONOTONIC, 0);
    auto sock = sys.socket(AF_UNIX, SOCK_STREAM, 0);
    auto sig = sys.signalfd(sys::make_sigset({SIGUSR2}), 0);
    ASSERT_TRUE(pipe && ep && timer && sock && sig);
    for (int fd : {pipe->first.get(), pipe->second.get(), ep->get(), timer->get(), sock->get(), sig->get()}) {
        EXPECT_TRUE(fd_has_cloexec(fd)) << "fd " << fd;
    }
}

TEST(LinuxSys, NonBlockingCanBeTurnedOnAndOff) {
    LinuxSys sys;
    auto pipe = sys.pipe2(0);
    ASSERT_TRUE(pipe);
    int fd = pipe->first.get();
    ASSERT_TRUE(sys.set_nonblocking(fd, sys::NonBlocking::Yes));
    char c;
    auto n = sys.read(fd, &c, 1);
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error().code(), EAGAIN);
    ASSERT_TRUE(sys.set_nonblocking(fd, sys::NonBlocking::No));
    EXPECT_EQ(::fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
}

TEST(LinuxSys, EpollReportsAReadablePipeWithItsData) {
    LinuxSys sys;
    auto ep = sys.epoll_create1(0);
    auto pipe = sys.pipe2(0);
    ASSERT_TRUE(ep && pipe);
    ASSERT_TRUE(sys.epoll_ctl(ep->get(), EPOLL_CTL_ADD, pipe->first.get(), EPOLLIN, 42));
    std::array<epoll_event, 4> events{};
    auto none = sys.epoll_wait(ep->get(), events, 0);
    ASSERT_TRUE(none);
    EXPECT_EQ(*none, 0u);
    ASSERT_TRUE(sys.write(pipe->second.get(), "x", 1));
    auto one = sys.epoll_wait(ep->get(), events, 1000);
    ASSERT_TRUE(one);
    ASSERT_EQ(*one, 1u);
    EXPECT_EQ(events[0].data.u64, 42u);
    EXPECT_TRUE(events[0].events & EPOLLIN);
    auto dup_add = sys.epoll_ctl(ep->get(), EPOLL_CTL_ADD, pipe->first.get(), EPOLLIN, 1);
    ASSERT_FALSE(dup_add);
    EXPECT_EQ(dup_add.error().code(), EEXIST);
    EXPECT_TRUE(sys.epoll_ctl(ep->get(), EPOLL_CTL_DEL, pipe->first.get(), 0, 0));
}

TEST(LinuxSys, MonotonicClockNeverGoesBackwards) {
    LinuxSys sys;
    sys::TimePoint a = sys.now();
    sys::TimePoint b = sys.now();
    EXPECT_LE(a, b);
    EXPECT_GT(a.time_since_epoch().count(), 0);
}

TEST(LinuxSys, TimerfdFiresAtAnAbsoluteMonotonicDeadline) {
    LinuxSys sys;
    auto timer = sys.timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    ASSERT_TRUE(timer);
    itimerspec spec{};
    spec.it_value = sys::to_timespec(sys.now() + 5ms);
    ASSERT_TRUE(sys.timerfd_settime(timer->get(), TFD_TIMER_ABSTIME, spec));
    ASSERT_TRUE(test_support::wait_readable(timer->get()));
    std::uint64_t expirations = 0;
    auto n = sys.read(timer->get(), &expirations, sizeof expirations);
    ASSERT_TRUE(n);
    EXPECT_EQ(expirations, 1u);
}

TEST(LinuxSys, DisarmedTimerfdStaysQuiet) {
    LinuxSys sys;
    auto timer = sys.timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    ASSERT_TRUE(timer);
    itimerspec spec{};
    spec.it_value = sys::to_timespec(sys.now() + 1ms);
    ASSERT_TRUE(sys.timerfd_settime(timer->get(), TFD_TIMER_ABSTIME, spec));
    ASSERT_TRUE(sys.timerfd_settime(timer->get(), 0, itimerspec{}));
    EXPECT_FALSE(test_support::wait_readable(timer->get(), 20ms));
}

TEST(LinuxSys, SignalfdDeliversABlockedSignalSentToOurselves) {
    LinuxSys sys;
    sigset_t usr1 = sys::make_sigset({SIGUSR1});
    auto old = sys.sigprocmask(SIG_BLOCK, usr1);
    ASSERT_TRUE(old);
    auto sfd = sys.signalfd(usr1, SFD_NONBLOCK);
    ASSERT_TRUE(sfd);
    ASSERT_TRUE(sys.kill(sys.getpid(), SIGUSR1));
    ASSERT_TRUE(test_support::wait_readable(sfd->get()));
    signalfd_siginfo info{};
    auto n = sys.read(sfd->get(), &info, sizeof info);
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, sizeof info);
    EXPECT_EQ(info.ssi_signo, static_cast<std::uint32_t>(SIGUSR1));
    EXPECT_EQ(info.ssi_pid, static_cast<std::uint32_t>(sys.getpid()));
    ASSERT_TRUE(sys.sigprocmask(SIG_SETMASK, *old));
}

TEST(LinuxSys, SigprocmaskReturnsThePreviousMask) {
    LinuxSys sys;
    sigset_t usr2 = sys::make_sigset({SIGUSR2});
    auto before = sys.sigprocmask(SIG_BLOCK, usr2);
    ASSERT_TRUE(before);
    auto during = sys.sigprocmask(SIG_UNBLOCK, usr2);
    ASSERT_TRUE(during);
    EXPECT_TRUE(sigismember(&*during, SIGUSR2));
    EXPECT_FALSE(sigismember(&*before, SIGUSR2));
    ASSERT_TRUE(sys.sigprocmask(SIG_SETMASK, *before));
}

TEST(LinuxSys, SpawnedChildsExitStatusArrivesThroughItsPidfd) {
    LinuxSys sys;
    auto child = sys.spawn(shell_plan("exit 7"));
    ASSERT_TRUE(child) << child.error().message();
    ChildGuard guard(child->pid);
    ASSERT_TRUE(child->pidfd.valid());
    ASSERT_TRUE(test_support::wait_readable(child->pidfd.get()));
    auto status = sys.waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(child->pidfd.get()), WEXITED);
    ASSERT_TRUE(status) << status.error().message();
    guard.reaped();
    EXPECT_EQ(status->pid, child->pid);
    EXPECT_TRUE(status->exited());
    EXPECT_EQ(status->status, 7);
}

TEST(LinuxSys, WaitidWithNoHangReportsNothingWhileTheChildRuns) {
    LinuxSys sys;
    auto child = sys.spawn(shell_plan("exec sleep 10"));
    ASSERT_TRUE(child);
    ChildGuard guard(child->pid);
    auto status = sys.waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(child->pidfd.get()), WEXITED | WNOHANG);
    ASSERT_TRUE(status);
    EXPECT_EQ(status->pid, 0);
}

TEST(LinuxSys, KillReachesAChildByPid) {
    LinuxSys sys;
    auto child = sys.spawn(shell_plan("exec sleep 10"));
    ASSERT_TRUE(child);
    ChildGuard guard(child->pid);
    ASSERT_TRUE(sys.kill(child->pid, SIGTERM));
    auto status = test_support::wait_exit(child->pidfd.get());
    ASSERT_TRUE(status);
    guard.reaped();
    EXPECT_TRUE(status->killed());
    EXPECT_EQ(status->status, SIGTERM);
}

TEST(LinuxSys, WaitidForAllChildrenReapsAnyExitedOne) {
    LinuxSys sys;
    auto child = sys.spawn(shell_plan("exit 3"));
    ASSERT_TRUE(child);
    ChildGuard guard(child->pid);
    ASSERT_TRUE(test_support::wait_readable(child->pidfd.get()));
    auto status = sys.waitid(P_ALL, 0, WEXITED | WNOHANG);
    ASSERT_TRUE(status);
    guard.reaped();
    EXPECT_EQ(status->pid, child->pid);
    EXPECT_EQ(status->status, 3);
}

TEST(LinuxSys, SpawnOfAMissingBinaryFailsAtTheExecStageWithEnoent) {
    LinuxSys sys;
    sys::SpawnPlan plan;
    plan.file = "/nonexistent/startd-no-such-binary";
    auto child = sys.spawn(plan);
    ASSERT_FALSE(child);
    EXPECT_EQ(child.error().stage, sys::SpawnStage::Exec);
    EXPECT_EQ(child.error().error, ENOENT);
    EXPECT_EQ(child.error().message(), "exec failed: No such file or directory (ENOENT)");
}

TEST(LinuxSys, SpawnIntoAMissingDirectoryFailsAtTheChdirStage) {
    LinuxSys sys;
    sys::SpawnPlan plan = shell_plan("exit 0");
    plan.cwd = "/nonexistent/startd-no-such-dir";
    auto child = sys.spawn(plan);
    ASSERT_FALSE(child);
    EXPECT_EQ(child.error().stage, sys::SpawnStage::Chdir);
    EXPECT_EQ(child.error().error, ENOENT);
}

TEST(LinuxSys, ProcessGroupCallsReachTheKernel) {
    LinuxSys sys;
    auto own = sys.getpgid(0);
    ASSERT_TRUE(own);
    EXPECT_EQ(*own, ::getpgid(0));
    auto child = sys.spawn(shell_plan("exec sleep 10"));
    ASSERT_TRUE(child);
    ChildGuard guard(child->pid);
    auto pgid = sys.getpgid(child->pid);
    ASSERT_TRUE(pgid);
    EXPECT_EQ(*pgid, *own);
    EXPECT_FALSE(sys.getpgid(-5));
}

TEST(LinuxSys, IdentityCallsDescribeThisProcess) {
    LinuxSys sys;
    EXPECT_EQ(sys.getpid(), ::getpid());
    EXPECT_EQ(sys.geteuid(), ::geteuid());
}

TEST(LinuxSys, ChildSubreaperCanBeTurnedOnAndOff) {
    LinuxSys sys;
    EXPECT_TRUE(sys.set_child_subreaper(true));
    EXPECT_TRUE(sys.set_child_subreaper(false));
}

TEST(LinuxSys, UnixSocketServerSeesTheClientsCredentials) {
    LinuxSys sys;
    TempDir dir;
    auto addr = sys::UnixAddress::from_path(dir / "control.sock");
    ASSERT_TRUE(addr);
    auto server = sys.socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ASSERT_TRUE(server);
    ASSERT_TRUE(sys.bind(server->get(), addr->get(), addr->len));
    ASSERT_TRUE(sys.listen(server->get(), 8));
    auto none = sys.accept4(server->get(), 0);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code(), EAGAIN);
    auto client = sys.socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_TRUE(client);
    ASSERT_TRUE(sys.connect(client->get(), addr->get(), addr->len));
    auto conn = sys.accept4(server->get(), SOCK_NONBLOCK);
    ASSERT_TRUE(conn) << conn.error().message();
    auto cred = sys.peer_credentials(conn->get());
    ASSERT_TRUE(cred);
    EXPECT_EQ(cred->pid, sys.getpid());
    EXPECT_EQ(cred->uid, ::getuid());
    ASSERT_TRUE(sys.write(client->get(), "ping", 4));
    char buf[8];
    ASSERT_TRUE(test_support::wait_readable(conn->get()));
    auto n = sys.read(conn->get(), buf, sizeof buf);
    ASSERT_TRUE(n);
    EXPECT_EQ(std::string(buf, *n), "ping");
    ASSERT_TRUE(sys.unlink((dir / "control.sock").c_str()));
}

TEST(LinuxSys, UnixAddressRejectsAPathLongerThanSunPath) {
    auto addr = sys::UnixAddress::from_path(std::string(200, 'x'));
    ASSERT_FALSE(addr);
    EXPECT_EQ(addr.error().code(), ENAMETOOLONG);
}

TEST(LinuxSys, DirectoryCallsCreateChangeAndRemove) {
    LinuxSys sys;
    TempDir dir;
    std::string sub = dir / "state";
    ASSERT_TRUE(sys.mkdir(sub.c_str(), 0700));
    auto exists = sys.mkdir(sub.c_str(), 0700);
    ASSERT_FALSE(exists);
    EXPECT_EQ(exists.error().code(), EEXIST);
    ASSERT_TRUE(sys.chmod(sub.c_str(), 0750));
    auto st = sys.fstatat(AT_FDCWD, sub.c_str(), 0);
    ASSERT_TRUE(st);
    EXPECT_EQ(st->st_mode & 07777, 0750u);
    std::string file = dir / "f";
    auto fd = sys.open(file.c_str(), O_WRONLY | O_CREAT, 0600);
    ASSERT_TRUE(fd);
    ASSERT_TRUE(sys.unlink(file.c_str()));
    auto gone = sys.unlink(file.c_str());
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error().code(), ENOENT);
}

TEST(LinuxSys, UserAndGroupLookupsResolveRootAndMissNonexistentNames) {
    LinuxSys sys;
    auto root = sys.lookup_user("root");
    ASSERT_TRUE(root) << root.error().message();
    ASSERT_TRUE(root->has_value());
    EXPECT_EQ((*root)->uid, 0u);
    EXPECT_EQ((*root)->gid, 0u);
    auto missing = sys.lookup_user("startd-no-such-user");
    ASSERT_TRUE(missing);
    EXPECT_FALSE(missing->has_value());
    auto group = sys.lookup_group("root");
    ASSERT_TRUE(group);
    ASSERT_TRUE(group->has_value());
    EXPECT_EQ((*group)->gid, 0u);
    auto no_group = sys.lookup_group("startd-no-such-group");
    ASSERT_TRUE(no_group);
    EXPECT_FALSE(no_group->has_value());
    auto groups = sys.group_list("root", 0);
    ASSERT_TRUE(groups);
    ASSERT_FALSE(groups->empty());
    EXPECT_EQ(groups->front(), 0u);
}

} // namespace
