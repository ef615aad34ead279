// Tests the Supervisor's live re-exec over the fake kernel (SIGUSR2): the program is checked on
// the state first (`--verify-state JOURNAL`), exec'd with startd's arguments only when that
// check exits 0, and refused — loudly, changing nothing — when it fails or takes too long.
#include "daemon/supervisor_fixture.h"

#include <unistd.h>

namespace {

using namespace std::chrono_literals;

constexpr const char* program = "/usr/sbin/startd";

class SupervisorReexecTest : public SupervisorTest {
  protected:
    SupervisorReexecTest() {
        sys.add_dir("/run/startd", 0700);
        sys.add_file("/proc/sys/kernel/random/boot_id", "b1\n", 0444);
        settings.program = program;
        settings.argv = {program, "--system", "--debug"};
    }
    std::string startd_log() { return sys.written(STDERR_FILENO); }

    // Sends SIGUSR2 and returns the pid of the check it started (0: none).
    pid_t ask_for_reexec() {
        std::size_t before = sys.spawn_attempts().size();
        sys.raise_signal(SIGUSR2);
        settle();
        if (sys.spawn_attempts().size() != before + 1) {
            return 0;
        }
        const sys::SpawnPlan& plan = sys.spawn_attempts().back();
        EXPECT_EQ(plan.file, program);
        EXPECT_EQ(plan.argv, (std::vector<std::string>{program, "--verify-state", journal_path}));
        return sys.spawned().back();
    }
};

TEST_F(SupervisorReexecTest, AnAcceptedStateIsExecdWithStartdsOwnArguments) {
    write_job("web", "exec /bin/web\n");
    ASSERT_TRUE(boot());
    pid_t check = ask_for_reexec();
    ASSERT_NE(check, 0);
    EXPECT_TRUE(sys.execs().empty()) << "nothing is exec'd before the check has said yes";
    sys.exit_process(check, 0);
    settle();
    ASSERT_EQ(sys.execs().size(), 1u);
    EXPECT_EQ(sys.execs()[0], (std::vector<std::string>{program, program, "--system", "--debug"}));
    // The fake cannot exec: startd says so and runs on.
    EXPECT_NE(startd_log().find("RE-EXEC REFUSED"), std::string::npos) << startd_log();
    EXPECT_NE(startd_log().find("exec " + std::string(program)), std::string::npos) << startd_log();
}

TEST_F(SupervisorReexecTest, AProgramThatRefusesTheStateIsNotExecd) {
    ASSERT_TRUE(boot());
    pid_t check = ask_for_reexec();
    ASSERT_NE(check, 0);
    sys.exit_process(check, 1);
    settle();
    EXPECT_TRUE(sys.execs().empty());
    EXPECT_NE(startd_log().find("did not accept the state (terminated with status 1)"), std::string::npos)
        << startd_log();
    // A later re-exec is possible again.
    EXPECT_NE(ask_for_reexec(), 0);
}

TEST_F(SupervisorReexecTest, ACheckThatDoesNotEndIsKilledAndTheReexecRefused) {
    ASSERT_TRUE(boot());
    pid_t check = ask_for_reexec();
    ASSERT_NE(check, 0);
    EXPECT_EQ(ask_for_reexec(), 0) << "one check at a time";
    sys.advance(30s);
    settle();
    bool killed = false;
    for (const auto& sent : sys.signals_sent()) {
        killed = killed || (sent.pid == check && sent.sig == SIGKILL);
    }
    EXPECT_TRUE(killed);
    EXPECT_NE(startd_log().find("did not read the state within 30 s"), std::string::npos) << startd_log();
    settle();
    EXPECT_TRUE(sys.execs().empty()) << "its end after the kill changes nothing";
    EXPECT_NE(ask_for_reexec(), 0) << "a later re-exec is possible again";
}

} // namespace
