// Tests JobDirWatch over the fake kernel: a burst of changes is one reload after the settle
// time, a directory that keeps changing is still reloaded by the maximum wait, names the loader
// skips change nothing, new subdirectories are watched at once, a directory first watched after a
// reload's walk is reloaded once more, an overflow or a vanished jobs dir means "reload", and
// inotify's failures are reported, never fatal.
#include "daemon/job_dir_watch.h"
#include "fakes/fake_sys.h"

#include <gtest/gtest.h>
#include <sys/inotify.h>

namespace {

using namespace std::chrono_literals;
using fakes::FakeSys;

class JobDirWatchTest : public ::testing::Test {
  protected:
    void SetUp() override {
        sys.add_dir("/jobs");
        sys.add_dir("/jobs/net");
        sys.add_dir("/jobs/net/deep");
        sys.add_dir("/jobs/.git"); // the loader skips it: so does the watch
        sys.add_file("/jobs/web.conf", "exec sleep 1\n");
    }
    void create_watch() {
        auto created = daemon_main::JobDirWatch::create(
            sys, *loop, "/jobs", timing, [this] { ++reloads; },
            [this](std::string_view text) { warnings.emplace_back(text); });
        ASSERT_TRUE(created.has_value()) << created.error().message();
        watch = std::move(created).value();
    }
    void turn() {
        for (int i = 0; i < 100; ++i) {
            auto ran = loop->run_once(loop::Wait::No);
            ASSERT_TRUE(ran.has_value());
            if (*ran == 0) {
                return;
            }
        }
        FAIL() << "the loop did not settle";
    }
    void pass(sys::Duration d) {
        sys.advance(d);
        turn();
    }

    FakeSys sys;
    std::unique_ptr<loop::EventLoop> loop = std::move(loop::EventLoop::create(sys)).value();
    daemon_main::JobDirWatch::Timing timing{200ms, 2s};
    std::unique_ptr<daemon_main::JobDirWatch> watch;
    int reloads = 0;
    std::vector<std::string> warnings;
};

TEST_F(JobDirWatchTest, WatchesTheJobsDirAndEverySubdirectoryTheLoaderReads) {
    create_watch();
    EXPECT_EQ(watch->watched_dirs(), 3u); // /jobs, net, net/deep; not .git
    sys.push_inotify_event("/jobs/net/deep", IN_CLOSE_WRITE, "db.conf");
    turn();
    pass(200ms);
    EXPECT_EQ(reloads, 1);
    EXPECT_TRUE(warnings.empty());
}

TEST_F(JobDirWatchTest, ABurstOfChangesIsOneReloadOnceQuiet) {
    create_watch();
    for (int i = 0; i < 5; ++i) {
        sys.push_inotify_event("/jobs", IN_CREATE, "new.conf");
        sys.push_inotify_event("/jobs", IN_CLOSE_WRITE, "new.conf");
        pass(100ms); // each change pushes the reload back
        EXPECT_EQ(reloads, 0);
    }
    pass(150ms);
    EXPECT_EQ(reloads, 0);
    pass(60ms);
    EXPECT_EQ(reloads, 1);
    EXPECT_FALSE(watch->reload_pending());
    pass(10s);
    EXPECT_EQ(reloads, 1); // nothing changed since
}

TEST_F(JobDirWatchTest, ADirectoryThatNeverStopsChangingIsReloadedByTheMaximumWait) {
    create_watch();
    int reloads_at_2s = -1;
    // An event every 100 ms for 4.5 s: the first is read at 100 ms, so the reload is due by 2.1 s.
    for (int ms = 0; ms <= 4400; ms += 100) {
        sys.push_inotify_event("/jobs", IN_CLOSE_WRITE, "busy.conf");
        pass(100ms);
        if (ms == 2000) {
            reloads_at_2s = reloads;
        }
    }
    EXPECT_EQ(reloads_at_2s, 1);
    EXPECT_EQ(reloads, 2);
}

TEST_F(JobDirWatchTest, NamesTheLoaderSkipsChangeNothing) {
    create_watch();
    for (const char* name : {".web.conf.swp", "web.conf~", "web.conf.dpkg-new", ".#web.conf", "4913.swp"}) {
        sys.push_inotify_event("/jobs", IN_CREATE, name);
        sys.push_inotify_event("/jobs", IN_DELETE, name);
    }
    turn();
    pass(5s);
    EXPECT_EQ(reloads, 0);
    EXPECT_FALSE(watch->reload_pending());
}

TEST_F(JobDirWatchTest, ANewSubdirectoryIsWatchedBeforeTheReloadWalksIt) {
    create_watch();
    sys.add_dir("/jobs/app");
    sys.add_dir("/jobs/app/inner"); // mkdir -p: the inner one never had an event of its own
    sys.push_inotify_event("/jobs", IN_CREATE | IN_ISDIR, "app");
    turn();
    EXPECT_EQ(watch->watched_dirs(), 5u);
    pass(200ms);
    EXPECT_EQ(reloads, 1);
    sys.push_inotify_event("/jobs/app/inner", IN_CLOSE_WRITE, "x.conf");
    turn();
    pass(200ms);
    EXPECT_EQ(reloads, 2);
}

TEST_F(JobDirWatchTest, ADirectoryFirstWatchedAfterAReloadsWalkIsReloadedOnceMore) {
    create_watch();
    sys.add_dir("/jobs/late"); // its event was lost (say, in an overflow); the reload walked it
    watch->rewatch({"", "late", "net", "net/deep"});
    EXPECT_EQ(watch->watched_dirs(), 4u);
    EXPECT_TRUE(watch->reload_pending()); // what came into it between the walk and the watch
    pass(200ms);
    EXPECT_EQ(reloads, 1);
    watch->rewatch({"", "late", "net", "net/deep"}); // nothing new: nothing to catch up on
    EXPECT_FALSE(watch->reload_pending());
    pass(5s);
    EXPECT_EQ(reloads, 1);
}

TEST_F(JobDirWatchTest, AnOverflowMeansReload) {
    create_watch();
    sys.push_inotify_event("/jobs", IN_Q_OVERFLOW, "");
    turn();
    pass(200ms);
    EXPECT_EQ(reloads, 1);
}

TEST_F(JobDirWatchTest, AVanishedJobsDirIsSaidAndWatchedAgainOnceBackAndRewatched) {
    create_watch();
    sys.push_inotify_event("/jobs", IN_DELETE_SELF, "");
    sys.push_inotify_event("/jobs", IN_IGNORED, "");
    turn();
    pass(200ms);
    EXPECT_EQ(reloads, 1);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("/jobs is gone"), std::string::npos) << warnings[0];
    watch->rewatch({"", "net", "net/deep"}); // what reload-configuration does, with its walk's list
    sys.push_inotify_event("/jobs", IN_CLOSE_WRITE, "web.conf");
    turn();
    pass(200ms);
    EXPECT_EQ(reloads, 2);
}

TEST_F(JobDirWatchTest, WithoutInotifyCreateFailsWithTheReason) {
    sys.fail_next("inotify_init1", EMFILE);
    auto created = daemon_main::JobDirWatch::create(
        sys, *loop, "/jobs", timing, [] {}, [](std::string_view) {});
    ASSERT_FALSE(created.has_value());
    EXPECT_NE(created.error().message().find("inotify"), std::string::npos) << created.error().message();
}

TEST_F(JobDirWatchTest, RunningOutOfWatchesIsSaidOnceAndTheRestIsStillWatched) {
    sys.fail_next("inotify_add_watch", ENOSPC, 1); // the jobs dir works, the next one does not
    create_watch();
    EXPECT_EQ(watch->watched_dirs(), 1u); // net could not be watched, so neither was net/deep
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("max_user_watches"), std::string::npos) << warnings[0];
    sys.push_inotify_event("/jobs", IN_CLOSE_WRITE, "web.conf");
    turn();
    pass(200ms);
    EXPECT_EQ(reloads, 1);
}

TEST_F(JobDirWatchTest, AJobsDirThatCannotBeWatchedTakesItsSubdirectoriesWithIt) {
    sys.fail_next("inotify_add_watch", ENOMEM);
    create_watch();
    EXPECT_EQ(watch->watched_dirs(), 0u);
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("cannot watch /jobs for changes"), std::string::npos) << warnings[0];
}

TEST_F(JobDirWatchTest, ATimerThatCannotBeArmedReloadsAtOnceRatherThanNever) {
    create_watch();
    sys.fail_next("timerfd_settime", ENOMEM);
    sys.push_inotify_event("/jobs", IN_CLOSE_WRITE, "web.conf");
    turn();
    EXPECT_EQ(reloads, 1);
}

} // namespace
