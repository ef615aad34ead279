// Tests, over the fake kernel, that a running Supervisor follows its jobs directory by itself
// (inotify, debounced) with reload-configuration's rules: a new job appears, a running job's
// changed definition waits for its next start, a file with errors keeps the old definition and
// is reported, a deleted running job runs on; and that startd still runs without inotify.
#include "daemon/supervisor_fixture.h"

#include <sys/inotify.h>

namespace {

using namespace std::chrono_literals;

class SupervisorJobsDirTest : public SupervisorTest {
  protected:
    // What an editor saving jobs/NAME.conf makes the kernel say, then the settle time.
    void save_job(const std::string& name, const std::string& text) {
        write_job(name, text);
        sys.push_inotify_event(jobs_dir, IN_CLOSE_WRITE, name + ".conf");
        settle();
        sys.advance(250ms);
        settle();
    }
    std::string startd_log() { return sys.written(STDERR_FILENO); }
};

TEST_F(SupervisorJobsDirTest, ANewJobFileIsLoadedWithoutAReload) {
    write_job("web", "exec /usr/sbin/web\n");
    ASSERT_TRUE(boot());
    EXPECT_EQ(supervisor->engine().find_class("db"), nullptr);
    save_job("db", "exec /usr/sbin/db\n");
    ASSERT_NE(supervisor->engine().find_class("db"), nullptr);
    EXPECT_NE(startd_log().find("jobs directory changed: added db"), std::string::npos) << startd_log();
    auto started = request("start", {{"job", "db"}});
    ASSERT_TRUE(started.has_value());
    EXPECT_TRUE(started->ok) << started->error.message;
    EXPECT_EQ(last_spawned_file(), "/usr/sbin/db");
}

TEST_F(SupervisorJobsDirTest, AChangedRunningJobKeepsItsProcessAndTakesTheNewDefinitionAtItsNextStart) {
    write_job("web", "exec /usr/sbin/web-v1\n");
    ASSERT_TRUE(boot());
    ASSERT_TRUE(request("start", {{"job", "web"}})->ok);
    pid_t before = main_pid("web");
    ASSERT_GT(before, 0);
    save_job("web", "exec /usr/sbin/web-v2\n");
    EXPECT_EQ(main_pid("web"), before);
    ASSERT_TRUE(request("stop", {{"job", "web"}})->ok);
    settle();
    ASSERT_TRUE(request("start", {{"job", "web"}})->ok);
    EXPECT_EQ(last_spawned_file(), "/usr/sbin/web-v2");
}

TEST_F(SupervisorJobsDirTest, AFileWithErrorsKeepsTheOldDefinitionAndIsReported) {
    write_job("web", "exec /usr/sbin/web\n");
    ASSERT_TRUE(boot());
    const core::JobClass* old = supervisor->engine().find_class("web");
    ASSERT_NE(old, nullptr);
    save_job("web", "exec /usr/sbin/web\nrespawn limit banana\n");
    const core::JobClass* now = supervisor->engine().find_class("web");
    ASSERT_NE(now, nullptr);
    EXPECT_EQ(now->name, "web");
    EXPECT_NE(startd_log().find("web.conf:2"), std::string::npos) << startd_log();
    ASSERT_TRUE(request("start", {{"job", "web"}})->ok);
    EXPECT_EQ(last_spawned_file(), "/usr/sbin/web");
}

TEST_F(SupervisorJobsDirTest, ADeletedRunningJobRunsOnUntilStopped) {
    write_job("web", "exec /usr/sbin/web\n");
    ASSERT_TRUE(boot());
    ASSERT_TRUE(request("start", {{"job", "web"}})->ok);
    pid_t pid = main_pid("web");
    ASSERT_TRUE(sys.unlink((std::string(jobs_dir) + "/web.conf").c_str()).has_value());
    sys.push_inotify_event(jobs_dir, IN_DELETE, "web.conf");
    settle();
    sys.advance(250ms);
    settle();
    EXPECT_EQ(main_pid("web"), pid);
    ASSERT_TRUE(request("stop", {{"job", "web"}})->ok);
    settle();
    EXPECT_EQ(supervisor->engine().find_class("web"), nullptr);
}

TEST_F(SupervisorJobsDirTest, WithoutInotifyStartdRunsAndSaysReloadIsNeeded) {
    write_job("web", "exec /usr/sbin/web\n");
    sys.fail_next("inotify_init1", EMFILE);
    ASSERT_TRUE(boot());
    EXPECT_NE(startd_log().find("are not noticed"), std::string::npos) << startd_log();
    write_job("db", "exec /usr/sbin/db\n");
    auto reloaded = request("reload-configuration");
    ASSERT_TRUE(reloaded.has_value());
    ASSERT_TRUE(reloaded->ok) << reloaded->error.message;
    EXPECT_NE(supervisor->engine().find_class("db"), nullptr);
}

} // namespace
