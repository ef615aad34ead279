// Tests the Supervisor's crash recovery over the fake kernel: the state journal it keeps in its
// runtime dir (started at boot with the boot id, appended at the end of a turn, removed at a
// clean shutdown), and a predecessor's journal at boot: adopted when it is of this boot (same
// pids, nothing spawned, `startup` not emitted twice, an adopted process's end seen through its
// pidfd), ignored when it is of another boot, reported when it cannot be read.
#include "daemon/supervisor_fixture.h"

#include "daemon/journal_record.h"
#include "daemon/state_journal.h"

#include <unistd.h>

namespace {

using namespace std::chrono_literals;
using core::JobState;
using daemon_main::JobRecord;
using daemon_main::JournalHeader;

constexpr const char* this_boot = "5f3c2a1e-7b9d-4c8e-a6f0-1d2e3c4b5a69";
constexpr std::size_t main_slot = static_cast<std::size_t>(core::ProcessType::Main);

class SupervisorRecoveryTest : public SupervisorTest {
  protected:
    SupervisorRecoveryTest() {
        sys.add_dir("/run/startd", 0700);
        sys.add_file("/proc/sys/kernel/random/boot_id", std::string(this_boot) + "\n", 0444);
    }

    std::string startd_log() { return sys.written(STDERR_FILENO); }

    daemon_main::PreviousJournal journal() {
        auto read = daemon_main::read_journal_text(sys.file_content(journal_path).value_or(""));
        EXPECT_TRUE(read) << read.error().message();
        return read ? std::move(read).value() : daemon_main::PreviousJournal{};
    }
    // A copy: the journal is often a temporary (journal()), which a pointer would outlive.
    std::optional<JobRecord> record_of(const daemon_main::PreviousJournal& j, const std::string& name) {
        for (const JobRecord& r : j.jobs) {
            if (r.job == name) {
                return r;
            }
        }
        return std::nullopt;
    }

    // A process a predecessor startd started: running, not spawned by this one, in /proc as a
    // process started at boot.
    pid_t predecessors_process() {
        pid_t pid = sys.add_child_process();
        sys.add_file("/proc/" + std::to_string(pid) + "/stat",
                     std::to_string(pid) + " (job) S 1 " + std::to_string(pid) + " " + std::to_string(pid) +
                         " 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0\n");
        return pid;
    }
    JobRecord running(const std::string& name, pid_t main) {
        JobRecord r;
        r.job = name;
        r.state = JobState::Running;
        r.pids[main_slot] = main;
        r.main_group = main;
        r.written_ns = sys.boot_clock().count();
        return r;
    }
    // The journal a predecessor (pid 77) left when it was killed.
    void predecessors_journal(const std::vector<JobRecord>& jobs, std::string boot = this_boot,
                              bool startup_emitted = true) {
        std::string text =
            daemon_main::encode_line(JournalHeader{daemon_main::journal_version, 77, std::move(boot), startup_emitted});
        for (const JobRecord& r : jobs) {
            text += daemon_main::encode_line(r);
        }
        sys.add_file(journal_path, text, 0600);
    }
    // The process ends and its real parent (init, since the predecessor died) reaps it: only
    // its pidfd tells startd.
    void ends_elsewhere(pid_t pid) {
        sys.exit_process(pid, 0);
        ASSERT_TRUE(sys.waitid(P_PID, static_cast<id_t>(pid), WEXITED | WNOHANG));
    }
    std::vector<pid_t> status_pids(const std::string& name) {
        std::vector<pid_t> out;
        auto reply = request("status", {{"job", name}});
        if (!reply || !reply->ok || reply->result["statuses"].empty()) {
            ADD_FAILURE() << "no status of " << name;
            return out;
        }
        for (const auto& p : reply->result["statuses"][0]["processes"]) {
            out.push_back(p["pid"].get<pid_t>());
        }
        return out;
    }
};

TEST_F(SupervisorRecoveryTest, BootStartsAJournalWithTheBootId) {
    write_job("web", "exec /bin/web\n");
    ASSERT_TRUE(boot());
    daemon_main::PreviousJournal written = journal();
    EXPECT_EQ(written.header.boot_id, this_boot);
    EXPECT_EQ(written.header.pid, sys.self_pid());
    EXPECT_TRUE(written.header.startup_emitted);
    EXPECT_TRUE(written.jobs.empty());
    EXPECT_EQ(sys.file_mode(journal_path), std::optional<mode_t>(0600));
}

TEST_F(SupervisorRecoveryTest, AStartedJobIsAppendedAtTheEndOfTheTurn) {
    write_job("web", "exec /bin/web\n");
    ASSERT_TRUE(boot());
    std::size_t before = sys.file_content(journal_path)->size();
    auto reply = request("start", {{"job", "web"}});
    ASSERT_TRUE(reply && reply->ok) << (reply ? reply->error.message : "no reply");

    std::string text = *sys.file_content(journal_path);
    ASSERT_GT(text.size(), before);
    std::string appended = text.substr(before);
    EXPECT_EQ(std::count(appended.begin(), appended.end(), '\n'), 2) << "its env table and one record, not one "
                                                                        "per state it went through:\n"
                                                                     << appended;
    std::optional<JobRecord> web = record_of(journal(), "web");
    ASSERT_TRUE(web);
    EXPECT_EQ(web->state, JobState::Running);
    EXPECT_EQ(web->pids[main_slot], main_pid("web"));

    sys.exit_process(main_pid("web"), 0);
    settle();
    EXPECT_FALSE(record_of(journal(), "web")) << "gone once it came to rest";
}

TEST_F(SupervisorRecoveryTest, ACleanShutdownRemovesTheJournal) {
    write_job("web", "start on startup\nexec /bin/web\n");
    ASSERT_TRUE(boot());
    ASSERT_TRUE(sys.exists(journal_path));
    sys.raise_signal(SIGTERM);
    settle();
    EXPECT_TRUE(supervisor->engine().all_stopped());
    EXPECT_FALSE(sys.exists(journal_path));
    EXPECT_FALSE(sys.exists(std::string(journal_path) + ".new"));
}

TEST_F(SupervisorRecoveryTest, APredecessorsJournalOfThisBootIsAdopted) {
    write_job("web", "start on startup\nexec /bin/web\n");
    write_job("worker", "respawn\nexec /bin/worker\n");
    pid_t web = predecessors_process();
    pid_t worker = predecessors_process();
    predecessors_journal({running("web", web), running("worker", worker)});

    ASSERT_TRUE(boot());
    EXPECT_TRUE(sys.spawned().empty()) << "nothing started twice, and startup not emitted again";
    EXPECT_EQ(main_pid("web"), web);
    EXPECT_EQ(main_pid("worker"), worker);
    EXPECT_EQ(job("web")->state, JobState::Running);
    EXPECT_EQ(status_pids("web"), std::vector<pid_t>{web});
    EXPECT_EQ(status_pids("worker"), std::vector<pid_t>{worker});
    EXPECT_NE(startd_log().find("adopted 2 jobs (2 processes still running, 0 ended meanwhile"), std::string::npos)
        << startd_log();
    EXPECT_NE(startd_log().find("0 not adopted"), std::string::npos) << startd_log();

    daemon_main::PreviousJournal now = journal();
    EXPECT_EQ(now.header.pid, sys.self_pid()) << "this startd's journal now";
    ASSERT_TRUE(record_of(now, "web"));
    EXPECT_EQ(record_of(now, "web")->pids[main_slot], web);

    // The adopted worker ends; only its pidfd says so. It respawns, as a child of this startd.
    ends_elsewhere(worker);
    settle();
    ASSERT_EQ(sys.spawned().size(), 1u);
    EXPECT_EQ(main_pid("worker"), sys.spawned()[0]);
    EXPECT_EQ(job("worker")->state, JobState::Running);
    EXPECT_EQ(supervisor->engine().job_of(worker), nullptr);
    EXPECT_EQ(main_pid("web"), web);
    EXPECT_EQ(record_of(journal(), "worker")->pids[main_slot], sys.spawned()[0]);
}

TEST_F(SupervisorRecoveryTest, AnAdoptedJobCanBeStopped) {
    write_job("web", "exec /bin/web\n");
    pid_t web = predecessors_process();
    predecessors_journal({running("web", web)});
    ASSERT_TRUE(boot());
    ASSERT_EQ(main_pid("web"), web);

    auto stopping = request("stop", {{"job", "web"}, {"wait", false}});
    ASSERT_TRUE(stopping && stopping->ok);
    bool termed = false;
    for (const auto& s : sys.signals_sent()) {
        termed = termed || ((s.pid == web || s.pid == -web) && s.sig == SIGTERM);
    }
    EXPECT_TRUE(termed);
    ends_elsewhere(web);
    settle();
    EXPECT_EQ(job("web"), nullptr);
    EXPECT_TRUE(sys.spawned().empty());
}

TEST_F(SupervisorRecoveryTest, AProcessThatEndedWhileNoStartdWatchedIsHandledAsAnExit) {
    write_job("worker", "respawn\nexec /bin/worker\n");
    write_job("web", "exec /bin/web\n");
    predecessors_journal({running("worker", 4242), running("web", 4243)}); // neither in /proc
    ASSERT_TRUE(boot());
    ASSERT_EQ(sys.spawned().size(), 1u) << "worker respawned";
    EXPECT_EQ(main_pid("worker"), sys.spawned()[0]);
    EXPECT_EQ(job("web"), nullptr) << "web ended and is not respawned";
    EXPECT_NE(startd_log().find("0 processes still running, 2 ended meanwhile"), std::string::npos) << startd_log();
}

TEST_F(SupervisorRecoveryTest, StartupIsEmittedWhenThePredecessorHadNot) {
    write_job("web", "start on startup\nexec /bin/web\n");
    predecessors_journal({}, this_boot, false);
    ASSERT_TRUE(boot());
    EXPECT_EQ(sys.spawned().size(), 1u);
    EXPECT_GT(main_pid("web"), 0);
}

TEST_F(SupervisorRecoveryTest, AJournalFromAnotherBootIsIgnored) {
    write_job("web", "start on startup\nexec /bin/web\n");
    pid_t stranger = predecessors_process(); // the pid means nothing after a reboot
    predecessors_journal({running("web", stranger)}, "0a0b0c0d-0000-4000-8000-000000000000");
    ASSERT_TRUE(boot());
    EXPECT_NE(startd_log().find("from an earlier boot: ignored"), std::string::npos) << startd_log();
    ASSERT_EQ(sys.spawned().size(), 1u) << "started fresh by startup";
    EXPECT_EQ(main_pid("web"), sys.spawned()[0]);
    EXPECT_EQ(supervisor->engine().job_of(stranger), nullptr);
    EXPECT_EQ(journal().header.boot_id, this_boot) << "replaced by this startd's";
}

TEST_F(SupervisorRecoveryTest, WithoutABootIdNothingIsAdopted) {
    // Neither startd could read a boot id: the journal may be from before a reboot (a runtime
    // dir on a disk), where its pids are other processes and the boot clock started again.
    ASSERT_TRUE(sys.unlink("/proc/sys/kernel/random/boot_id"));
    write_job("web", "start on startup\nexec /bin/web\n");
    pid_t stranger = predecessors_process();
    predecessors_journal({running("web", stranger)}, "");
    ASSERT_TRUE(boot());
    EXPECT_EQ(supervisor->engine().job_of(stranger), nullptr);
    ASSERT_EQ(sys.spawned().size(), 1u) << "started fresh by startup";
    EXPECT_EQ(main_pid("web"), sys.spawned()[0]);
    EXPECT_NE(startd_log().find("no boot id"), std::string::npos) << startd_log();
}

TEST_F(SupervisorRecoveryTest, ACorruptJournalIsLoggedAndNothingIsAdopted) {
    write_job("web", "start on startup\nexec /bin/web\n");
    pid_t old = predecessors_process();
    std::string text = daemon_main::encode_line(JournalHeader{daemon_main::journal_version, 77, this_boot, true}) +
                       daemon_main::encode_line(running("web", old)) + "{\"kind\":\"job\",\"job\":3}\n";
    sys.add_file(journal_path, text, 0600);
    ASSERT_TRUE(boot());
    EXPECT_NE(startd_log().find("cannot read the state journal"), std::string::npos) << startd_log();
    EXPECT_NE(startd_log().find("line 3"), std::string::npos) << startd_log();
    EXPECT_EQ(supervisor->engine().job_of(old), nullptr);
    ASSERT_EQ(sys.spawned().size(), 1u) << "startup emitted: web started fresh";
    EXPECT_EQ(main_pid("web"), sys.spawned()[0]);
    EXPECT_EQ(journal().header.pid, sys.self_pid());
}

TEST_F(SupervisorRecoveryTest, AJobWhoseFileIsGoneIsNotAdoptedAndSaysWhichPidsItLeaves) {
    write_job("web", "exec /bin/web\n");
    pid_t orphan = predecessors_process();
    predecessors_journal({running("removed", orphan)});
    ASSERT_TRUE(boot());
    EXPECT_NE(startd_log().find("not adopted: removed: "), std::string::npos) << startd_log();
    EXPECT_NE(startd_log().find("left running: " + std::to_string(orphan)), std::string::npos) << startd_log();
    EXPECT_EQ(supervisor->engine().job_of(orphan), nullptr);
    EXPECT_TRUE(sys.signals_sent().empty()) << "left alone";
}

} // namespace
