// Tests FakeSys itself: the fake kernel must behave like the real one where the code under test
// can tell, and fail loudly where it does not model something.
#include "fakes/fake_sys.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include <array>

#include "config/job_dir.h"

namespace {

using namespace std::chrono_literals;
using fakes::FakeSys;

std::string read_some(FakeSys& fake, int fd) {
    char buf[256];
    auto n = fake.read(fd, buf, sizeof buf);
    return n ? std::string(buf, *n) : "<" + n.error().message() + ">";
}

uint32_t ready_events(FakeSys& fake, int epfd) {
    std::array<epoll_event, 4> events{};
    auto n = fake.epoll_wait(epfd, events, 0);
    return n && *n > 0 ? events[0].events : 0;
}

TEST(FakeSys, ServesTheConfigLoaderFromInMemoryFiles) {
    FakeSys fake;
    fake.add_file("/etc/init/web.conf", "exec /usr/bin/web\n");
    fake.add_file("/etc/init/net/ping.conf", "task\nexec ping -c1 localhost\n");
    fake.add_file("/etc/init/web.conf~", "junk");
    auto report = config::load_job_dir(fake, "/etc/init");
    ASSERT_TRUE(report) << report.error().message();
    ASSERT_EQ(report->jobs.size(), 2u);
    EXPECT_EQ(report->jobs[0].name, "net/ping");
    EXPECT_EQ(report->jobs[1].name, "web");
    EXPECT_TRUE(report->ok());
}

TEST(FakeSys, UnknownDirentTypesAreResolvedThroughFstatat) {
    FakeSys fake;
    fake.set_dirent_types_unknown(true);
    fake.add_file("/jobs/a.conf", "exec /bin/a\n");
    fake.add_dir("/jobs/sub");
    auto dir = fake.open("/jobs", O_RDONLY | O_DIRECTORY);
    ASSERT_TRUE(dir);
    auto entries = fake.read_dir(dir->get());
    ASSERT_TRUE(entries);
    ASSERT_EQ(entries->size(), 2u);
    EXPECT_EQ((*entries)[0].type, DT_UNKNOWN);
    auto st = fake.fstatat(dir->get(), "sub", AT_SYMLINK_NOFOLLOW);
    ASSERT_TRUE(st);
    EXPECT_TRUE(S_ISDIR(st->st_mode));
    auto missing = fake.openat(dir->get(), "nope.conf", O_RDONLY);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code(), ENOENT);
}

TEST(FakeSys, WritesToFilesLandInTheFileSystem) {
    FakeSys fake;
    fake.add_dir("/var/log/startd");
    auto fd = fake.open("/var/log/startd/web.log", O_WRONLY | O_CREAT | O_APPEND, 0640);
    ASSERT_TRUE(fd);
    ASSERT_TRUE(fake.write(fd->get(), "one\n", 4));
    ASSERT_TRUE(fake.write(fd->get(), "two\n", 4));
    EXPECT_EQ(fake.file_content("/var/log/startd/web.log"), "one\ntwo\n");
    EXPECT_EQ(fake.file_mode("/var/log/startd/web.log"), 0640u);
    EXPECT_EQ(fake.written(fd->get()), "one\ntwo\n");
    ASSERT_TRUE(fake.mkdir("/run/startd", 0700).error().code() == ENOENT);
    ASSERT_TRUE(fake.mkdir("/var/log/startd/old", 0700));
    ASSERT_TRUE(fake.unlink("/var/log/startd/web.log"));
    EXPECT_FALSE(fake.exists("/var/log/startd/web.log"));
}

TEST(FakeSys, RenameReplacesTheTargetAndOpenFilesFollowTheirInode) {
    FakeSys fake;
    fake.add_dir("/run/startd", 0700);
    auto old_file = fake.open("/run/startd/state", O_WRONLY | O_CREAT, 0600);
    auto new_file = fake.open("/run/startd/state.new", O_WRONLY | O_CREAT, 0600);
    ASSERT_TRUE(old_file && new_file);
    ASSERT_TRUE(fake.write(old_file->get(), "old\n", 4));
    ASSERT_TRUE(fake.write(new_file->get(), "new\n", 4));
    ASSERT_TRUE(fake.rename("/run/startd/state.new", "/run/startd/state"));
    EXPECT_FALSE(fake.exists("/run/startd/state.new"));
    EXPECT_EQ(fake.file_content("/run/startd/state"), "new\n");
    ASSERT_TRUE(fake.write(new_file->get(), "more\n", 5));
    EXPECT_EQ(fake.file_content("/run/startd/state"), "new\nmore\n") << "the renamed file's fd writes to it";
    ASSERT_TRUE(fake.write(old_file->get(), "lost\n", 5));
    EXPECT_EQ(fake.file_content("/run/startd/state"), "new\nmore\n") << "the replaced file is unlinked";
    EXPECT_EQ(fake.rename("/run/startd/none", "/run/startd/x").error().code(), ENOENT);
    EXPECT_EQ(fake.rename("/run/startd/state", "/nowhere/x").error().code(), ENOENT);
}

TEST(FakeSys, RmdirRemovesEmptyDirectoriesAndCgroupsWithNothingInThem) {
    FakeSys fake;
    fake.add_file("/var/lib/x/file", "");
    EXPECT_EQ(fake.rmdir("/var/lib/x").error().code(), ENOTEMPTY);
    EXPECT_EQ(fake.rmdir("/var/lib/x/file").error().code(), ENOTDIR);
    EXPECT_EQ(fake.rmdir("/var/lib/none").error().code(), ENOENT);
    ASSERT_TRUE(fake.unlink("/var/lib/x/file"));
    EXPECT_TRUE(fake.rmdir("/var/lib/x"));
    EXPECT_FALSE(fake.exists("/var/lib/x"));

    fake.add_cgroup2_mount("/sys/fs/cgroup");
    ASSERT_TRUE(fake.mkdir("/sys/fs/cgroup/jobs", 0755));
    ASSERT_TRUE(fake.mkdir("/sys/fs/cgroup/jobs/web", 0755));
    EXPECT_EQ(fake.file_content("/sys/fs/cgroup/jobs/web/cgroup.procs"), "") << "made with the cgroup";
    EXPECT_EQ(fake.rmdir("/sys/fs/cgroup/jobs").error().code(), EBUSY) << "a cgroup below it";
    fake.add_file("/sys/fs/cgroup/jobs/web/cgroup.procs", "1234\n");
    EXPECT_EQ(fake.rmdir("/sys/fs/cgroup/jobs/web").error().code(), EBUSY) << "a process in it";
    fake.add_file("/sys/fs/cgroup/jobs/web/cgroup.procs", "");
    EXPECT_TRUE(fake.rmdir("/sys/fs/cgroup/jobs/web"));
    EXPECT_FALSE(fake.exists("/sys/fs/cgroup/jobs/web/cgroup.procs")) << "its control files go with it";
    EXPECT_TRUE(fake.rmdir("/sys/fs/cgroup/jobs"));
}

TEST(FakeSys, ClosingTheLastWriteEndGivesTheReaderEndOfFile) {
    FakeSys fake;
    auto pipe = fake.pipe2(O_NONBLOCK);
    ASSERT_TRUE(pipe);
    auto ep = fake.epoll_create1(0);
    ASSERT_TRUE(fake.epoll_ctl(ep->get(), EPOLL_CTL_ADD, pipe->first.get(), EPOLLIN, 1));
    EXPECT_EQ(ready_events(fake, ep->get()), 0u);
    ASSERT_TRUE(fake.write(pipe->second.get(), "data", 4));
    EXPECT_EQ(ready_events(fake, ep->get()), uint32_t{EPOLLIN});
    EXPECT_EQ(read_some(fake, pipe->first.get()), "data");
    auto again = fake.read(pipe->first.get(), nullptr, 0);
    EXPECT_EQ(again.error().code(), EAGAIN);
    int write_end = pipe->second.get();
    pipe->second.reset(); // a real close(2), which the fake notices
    EXPECT_FALSE(fake.is_open(write_end));
    EXPECT_EQ(ready_events(fake, ep->get()), uint32_t{EPOLLIN | EPOLLHUP});
    EXPECT_EQ(read_some(fake, pipe->first.get()), "");
}

TEST(FakeSys, WritingToAPipeWithNoReaderFailsWithEpipe) {
    FakeSys fake;
    auto pipe = fake.pipe2(0);
    pipe->first.reset();
    auto n = fake.write(pipe->second.get(), "x", 1);
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error().code(), EPIPE);
}

TEST(FakeSys, ClosedFdsDisappearFromEpollAndFromTheTable) {
    FakeSys fake;
    auto ep = fake.epoll_create1(0);
    auto timer = fake.timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    ASSERT_TRUE(fake.epoll_ctl(ep->get(), EPOLL_CTL_ADD, timer->get(), EPOLLIN, 7));
    EXPECT_EQ(fake.open_fds().size(), 2u);
    timer.value().reset();
    EXPECT_EQ(fake.open_fds(), std::vector<int>{ep->get()});
}

TEST(FakeSys, OperatingOnAnFdThatIsNotOpenFailsTheTest) {
    FakeSys fake;
    char c;
    EXPECT_NONFATAL_FAILURE((void)fake.read(999999, &c, 1), "not open");
}

TEST(FakeSys, FailNextFailsOnlyTheChosenCallOfTheChosenMethod) {
    FakeSys fake;
    auto pipe = fake.pipe2(O_NONBLOCK);
    fake.fail_next("write", EIO, 1);
    EXPECT_TRUE(fake.write(pipe->second.get(), "a", 1));
    auto second = fake.write(pipe->second.get(), "b", 1);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code(), EIO);
    EXPECT_TRUE(fake.write(pipe->second.get(), "c", 1));
    EXPECT_EQ(read_some(fake, pipe->first.get()), "ac");
    EXPECT_EQ(fake.call_count("write"), 3);
}

TEST(FakeSys, AnInjectionThatIsNeverUsedFailsTheTest) {
    EXPECT_NONFATAL_FAILURE(
        {
            FakeSys fake;
            fake.fail_next("epoll_wait", EINTR);
        },
        "never consumed");
}

TEST(FakeSys, SpawnRecordsThePlanAndGivesAPidfdThatTurnsReadableOnExit) {
    FakeSys fake;
    sys::SpawnPlan plan;
    plan.file = "/usr/bin/web";
    plan.argv = {"web", "--port", "80"};
    plan.new_session = true;
    auto child = fake.spawn(plan);
    ASSERT_TRUE(child);
    EXPECT_EQ(fake.spawned(), std::vector<pid_t>{child->pid});
    EXPECT_EQ(fake.process(child->pid).plan.argv, plan.argv);
    EXPECT_EQ(fake.process(child->pid).pgid, child->pid);
    auto ep = fake.epoll_create1(0);
    ASSERT_TRUE(fake.epoll_ctl(ep->get(), EPOLL_CTL_ADD, child->pidfd.get(), EPOLLIN, 1));
    EXPECT_EQ(ready_events(fake, ep->get()), 0u);
    auto running = fake.waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(child->pidfd.get()), WEXITED | WNOHANG);
    ASSERT_TRUE(running);
    EXPECT_EQ(running->pid, 0);
    fake.exit_process(child->pid, 3);
    EXPECT_EQ(ready_events(fake, ep->get()), uint32_t{EPOLLIN});
    auto status = fake.waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(child->pidfd.get()), WEXITED | WNOHANG);
    ASSERT_TRUE(status);
    EXPECT_EQ(status->pid, child->pid);
    EXPECT_TRUE(status->exited());
    EXPECT_EQ(status->status, 3);
    auto again = fake.waitid(P_PID, static_cast<id_t>(child->pid), WEXITED | WNOHANG);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code(), ECHILD);
}

TEST(FakeSys, SignalsSentToChildrenAreRecordedAndReapedChildrenAreGone) {
    FakeSys fake;
    auto child = fake.spawn(sys::SpawnPlan{});
    ASSERT_TRUE(fake.kill(child->pid, SIGTERM));
    ASSERT_TRUE(fake.kill(child->pid, SIGKILL));
    ASSERT_EQ(fake.signals_sent().size(), 2u);
    EXPECT_EQ(fake.signals_sent()[0].sig, SIGTERM);
    EXPECT_EQ(fake.signals_sent()[1].sig, SIGKILL);
    EXPECT_EQ(fake.signals_sent()[1].pid, child->pid);
    fake.kill_process(child->pid, SIGKILL);
    auto status = fake.waitid(P_ALL, 0, WEXITED | WNOHANG);
    ASSERT_TRUE(status);
    EXPECT_TRUE(status->killed());
    EXPECT_EQ(status->status, SIGKILL);
    EXPECT_EQ(fake.kill(child->pid, SIGTERM).error().code(), ESRCH);
}

TEST(FakeSys, AChildKeepsItsMappedPipeOpenUntilItExits) {
    FakeSys fake;
    auto pipe = fake.pipe2(O_NONBLOCK);
    sys::SpawnPlan plan;
    plan.fds = {{pipe->second.get(), 1}};
    auto child = fake.spawn(plan);
    ASSERT_TRUE(child);
    pipe->second.reset();
    EXPECT_EQ(fake.read(pipe->first.get(), nullptr, 0).error().code(), EAGAIN);
    fake.exit_process(child->pid, 0);
    EXPECT_EQ(read_some(fake, pipe->first.get()), "");
}

TEST(FakeSys, ScriptedSpawnFailuresReportTheirStage) {
    FakeSys fake;
    fake.fail_spawn_at(sys::SpawnStage::Setuid, EPERM);
    fake.fail_next("fork", EAGAIN);
    auto first = fake.spawn(sys::SpawnPlan{});
    ASSERT_FALSE(first);
    EXPECT_EQ(first.error().stage, sys::SpawnStage::Fork);
    EXPECT_EQ(first.error().error, EAGAIN);
    auto second = fake.spawn(sys::SpawnPlan{});
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().message(), "setuid failed: Operation not permitted (EPERM)");
    EXPECT_TRUE(fake.spawned().empty());
    EXPECT_EQ(fake.spawn_attempts().size(), 2u);
}

TEST(FakeSys, WithoutPidfdSupportSpawnGivesNoPidfd) {
    FakeSys fake;
    fake.set_pidfd_supported(false);
    auto child = fake.spawn(sys::SpawnPlan{});
    ASSERT_TRUE(child);
    EXPECT_FALSE(child->pidfd.valid());
}

TEST(FakeSys, AdvanceFiresTimerfdsAtTheirDeadlineAndCountsPeriods) {
    FakeSys fake;
    auto one_shot = fake.timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    auto periodic = fake.timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    itimerspec in_5s{};
    in_5s.it_value.tv_sec = 5;
    ASSERT_TRUE(fake.timerfd_settime(one_shot->get(), 0, in_5s));
    itimerspec every_second{};
    every_second.it_value = sys::to_timespec(fake.now() + 1s);
    every_second.it_interval.tv_sec = 1;
    ASSERT_TRUE(fake.timerfd_settime(periodic->get(), TFD_TIMER_ABSTIME, every_second));
    fake.advance(4999ms);
    uint64_t count = 0;
    EXPECT_EQ(fake.read(one_shot->get(), &count, sizeof count).error().code(), EAGAIN);
    fake.advance(1ms);
    ASSERT_TRUE(fake.read(one_shot->get(), &count, sizeof count));
    EXPECT_EQ(count, 1u);
    ASSERT_TRUE(fake.read(periodic->get(), &count, sizeof count));
    EXPECT_EQ(count, 5u);
    EXPECT_TRUE(fake.advance_to_next_timer());
    ASSERT_TRUE(fake.read(periodic->get(), &count, sizeof count));
    EXPECT_EQ(count, 1u);
}

TEST(FakeSys, BlockedSignalsWaitForTheSignalfd) {
    FakeSys fake;
    sigset_t set = sys::make_sigset({SIGTERM, SIGCHLD});
    ASSERT_TRUE(fake.sigprocmask(SIG_BLOCK, set));
    auto sfd = fake.signalfd(set, SFD_NONBLOCK);
    fake.raise_signal(SIGTERM, 4242);
    fake.raise_signal(SIGTERM, 4243); // standard signals do not queue
    signalfd_siginfo info[2]{};
    auto n = fake.read(sfd->get(), info, sizeof info);
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, sizeof info[0]);
    EXPECT_EQ(info[0].ssi_signo, static_cast<uint32_t>(SIGTERM));
    EXPECT_EQ(info[0].ssi_pid, 4242u);
    auto child = fake.spawn(sys::SpawnPlan{});
    fake.exit_process(child->pid, 1);
    ASSERT_TRUE(fake.read(sfd->get(), info, sizeof info));
    EXPECT_EQ(info[0].ssi_signo, static_cast<uint32_t>(SIGCHLD));
    EXPECT_EQ(info[0].ssi_code, CLD_EXITED);
}

TEST(FakeSys, AnUnblockedDeadlySignalFailsTheTest) {
    FakeSys fake;
    EXPECT_NONFATAL_FAILURE(fake.raise_signal(SIGTERM), "would have died");
    fake.raise_signal(SIGCHLD); // ignored by default: harmless
}

TEST(FakeSys, AnEpollWaitThatWouldBlockForeverFailsUnlessAHookMovesTheWorld) {
    FakeSys fake;
    auto ep = fake.epoll_create1(0);
    std::array<epoll_event, 2> events{};
    EXPECT_NONFATAL_FAILURE((void)fake.epoll_wait(ep->get(), events, -1), "block forever");
    auto timer = fake.timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    ASSERT_TRUE(fake.epoll_ctl(ep->get(), EPOLL_CTL_ADD, timer->get(), EPOLLIN, 9));
    itimerspec in_1h{};
    in_1h.it_value.tv_sec = 3600;
    ASSERT_TRUE(fake.timerfd_settime(timer->get(), 0, in_1h));
    fake.when_blocked([&] { fake.advance_to_next_timer(); });
    sys::TimePoint before = fake.now();
    auto n = fake.epoll_wait(ep->get(), events, -1);
    ASSERT_TRUE(n);
    ASSERT_EQ(*n, 1u);
    EXPECT_EQ(events[0].data.u64, 9u);
    EXPECT_EQ(fake.now() - before, 3600s);
    EXPECT_EQ(fake.epoll_timeouts(), (std::vector<int>{-1, -1}));
}

TEST(FakeSys, UnixSocketClientsConnectAndTheServerSeesTheirCredentials) {
    FakeSys fake;
    fake.add_dir("/run/startd");
    auto addr = sys::UnixAddress::from_path("/run/startd/control");
    auto server = fake.socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ASSERT_TRUE(fake.bind(server->get(), addr->get(), addr->len));
    ASSERT_TRUE(fake.listen(server->get(), 16));
    EXPECT_EQ(fake.accept4(server->get(), 0).error().code(), EAGAIN);
    base::UniqueFd client = fake.connect_client("/run/startd/control", ucred{777, 1000, 1000});
    auto conn = fake.accept4(server->get(), SOCK_NONBLOCK);
    ASSERT_TRUE(conn);
    EXPECT_EQ(fake.peer_credentials(conn->get())->uid, 1000u);
    ASSERT_TRUE(fake.write(client.get(), "status web", 10));
    EXPECT_EQ(read_some(fake, conn->get()), "status web");
    ASSERT_TRUE(fake.write(conn->get(), "ok", 2));
    EXPECT_EQ(read_some(fake, client.get()), "ok");
    client.reset();
    EXPECT_EQ(read_some(fake, conn->get()), "");

    auto own = fake.socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_TRUE(fake.connect(own->get(), addr->get(), addr->len));
    auto second = fake.accept4(server->get(), 0);
    ASSERT_TRUE(second);
    EXPECT_EQ(fake.peer_credentials(second->get())->pid, fake.self_pid());
}

TEST(FakeSys, InotifyEventsQueueOnWatchedDirectories) {
    FakeSys fake;
    fake.add_dir("/etc/init");
    auto ino = fake.inotify_init1(IN_NONBLOCK);
    auto wd = fake.inotify_add_watch(ino->get(), "/etc/init", IN_CREATE | IN_MODIFY);
    ASSERT_TRUE(wd);
    EXPECT_EQ(fake.inotify_add_watch(ino->get(), "/nope", IN_CREATE).error().code(), ENOENT);
    fake.push_inotify_event("/etc/init", IN_CREATE, "web.conf");
    alignas(inotify_event) char buf[256];
    auto n = fake.read(ino->get(), buf, sizeof buf);
    ASSERT_TRUE(n);
    auto* event = reinterpret_cast<inotify_event*>(buf);
    EXPECT_EQ(event->wd, *wd);
    EXPECT_EQ(event->mask, uint32_t{IN_CREATE});
    EXPECT_STREQ(event->name, "web.conf");
    EXPECT_EQ(*n, sizeof(inotify_event) + event->len);
}

TEST(FakeSys, UsersAndGroupsComeFromTheTestsTables) {
    FakeSys fake;
    fake.add_user(sys::UserInfo{"web", 1000, 1000, "/srv/web", "/bin/sh"});
    fake.add_group(sys::GroupInfo{"adm", 4, {"web"}});
    auto web = fake.lookup_user("web");
    ASSERT_TRUE(web && web->has_value());
    EXPECT_EQ((*web)->uid, 1000u);
    EXPECT_FALSE(fake.lookup_user("nobody-here")->has_value());
    EXPECT_EQ(*fake.group_list("web", 1000), (std::vector<gid_t>{1000, 4}));
}

} // namespace
