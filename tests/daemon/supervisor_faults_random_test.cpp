// Randomised fault injection through the Sys seam (issue 12): per seed, a Supervisor over FakeSys
// with two dozen jobs of every kind, driven by a seeded stream of client requests, emits, process
// exits, output and time, while the daemon's system calls fail at random with the errors the
// kernel really returns for them (EAGAIN, EMFILE, ENFILE, ENOMEM, ENOSPC, EINTR). After every
// step: startd answers, every job process it knows is alive and every live process is a job's,
// no zombie, and every spawn that an injected fault broke shows its reason in the job's status.
// At the end a SIGTERM stops everything, the loop ends, and no fd is left but the job logs.
// STARTD_FAULT_SEEDS=N runs N seeds (60 by default: about 0.3 s each on a loaded 2-core machine).
#include "daemon/supervisor_fixture.h"

#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <set>

namespace {

using namespace std::chrono_literals;

// The errors each call of the daemon's paths can really fail with (EINTR only where LinuxSys
// does not retry it). Calls not listed never fail here: their real failures are programming
// errors (EBADF, EINVAL) or cannot happen for startd (kill's EAGAIN is for queued signals).
const std::map<std::string, std::vector<int>, std::less<>> realistic_errors = {
    {"spawn", {EAGAIN, ENOMEM}},
    {"spawn_many", {EAGAIN}}, // a worker thread that cannot be created
    {"pipe2", {EMFILE, ENFILE, ENOMEM}},
    {"open", {EMFILE, ENFILE, ENOMEM, ENOSPC, EINTR}},
    {"openat", {EMFILE, ENFILE, ENOMEM}},
    {"write", {ENOSPC, EAGAIN}},
    {"read", {EAGAIN}},                  // pipes, signalfd, timerfd: nothing else is transient
    {"epoll_ctl ADD", {ENOMEM, ENOSPC}}, // MOD and DEL allocate nothing (FakeSys::epoll_ctl)
    {"epoll_wait", {EINTR}},
    {"accept4", {EMFILE, ENFILE, ENOMEM, EAGAIN, EINTR}},
    {"socket", {EMFILE, ENFILE, ENOMEM}},
};

int seed_count() {
    const char* n = std::getenv("STARTD_FAULT_SEEDS");
    int seeds = n != nullptr ? std::atoi(n) : 0;
    return seeds > 0 ? seeds : 60;
}

// A job's name and instance, read from the environment its plan gives the process.
std::pair<std::string, std::string> job_of(const sys::SpawnPlan& plan) {
    std::string name;
    std::string instance;
    for (const std::string& kv : plan.envp) {
        if (kv.rfind("UPSTART_JOB=", 0) == 0) {
            name = kv.substr(12);
        } else if (kv.rfind("UPSTART_INSTANCE=", 0) == 0) {
            instance = kv.substr(17);
        }
    }
    return {name, instance};
}

class SupervisorFaultsRandomTest : public SupervisorTest, public ::testing::WithParamInterface<int> {
  protected:
    ~SupervisorFaultsRandomTest() override { sys.fail_when({}); } // the policy refers to this test
    // A spawn an injected fault broke: which job, with what, and whether the job had failed
    // already (only a job's first failure is recorded until it starts again).
    struct BrokenSpawn {
        std::string job;
        std::string instance;
        int err = 0;
        bool had_failed = false;
    };

    void define_jobs(std::mt19937& rng) {
        auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
        for (int j = 0; j < 24; ++j) {
            std::string name = "j" + std::to_string(j);
            std::string text;
            switch (j % 6) {
            case 0: // service
                text = "start on go\nstop on halt\n";
                break;
            case 1: // task
                text = "start on go\ntask\n";
                break;
            case 2: // respawning service
                text = "start on go\nstop on halt\nrespawn\nrespawn limit 4 10\n";
                break;
            case 3: // instances, started by hand
                text = "instance $I\n";
                instance_jobs.push_back(name);
                break;
            case 4: // hooks around a service
                text = "start on go\nstop on halt\npre-start exec /bin/pre-" + name +
                       "\npost-stop exec /bin/post-" + name + "\n";
                break;
            default: // started by another job's events
                text = "start on started j" + std::to_string(j - 5) + "\nstop on stopping j" +
                       std::to_string(j - 5) + "\n";
                break;
            }
            if (pick(3) == 0) {
                text += "kill timeout " + std::to_string(1 + pick(4)) + "\n";
            }
            if (pick(4) == 0) {
                text += "console none\n";
            }
            text += "exec /bin/" + name + "\n";
            write_job(name, text);
            names.push_back(name);
        }
    }

    // The fault policy: each listed call fails with probability 1/`one_in` while faults are on.
    void install_faults(unsigned seed, unsigned one_in) {
        fault_rng.seed(seed);
        sys.fail_when([this, one_in](std::string_view call) -> std::optional<int> {
            end_thrown_batch(call);
            std::mt19937& rng = fault_rng;
            if (!faults_on || client_io) {
                return std::nullopt;
            }
            auto it = realistic_errors.find(call);
            if (it == realistic_errors.end() || rng() % one_in != 0) {
                return std::nullopt;
            }
            int err = it->second[rng() % it->second.size()];
            ++injected[std::string(call)];
            if (call == "spawn") {
                note_broken(sys.spawn_attempts().back(), err);
            } else if (call == "spawn_many") {
                collect_broken_batch(); // an earlier batch of the same round that threw
                pending_batch_error = err; // its plans are recorded as attempts when it throws
                batch_start = sys.spawn_attempts().size();
                batch_end.reset();
            }
            return err;
        });
    }

    void note_broken(const sys::SpawnPlan& plan, int err) {
        auto [name, instance] = job_of(plan);
        const core::Job* j = job(name, instance);
        broken.push_back(BrokenSpawn{name, instance, err, j != nullptr && j->failed});
    }

    // The plans of a batch that threw are those recorded before the next call: the Supervisor
    // goes on with the rest of the round (a "spawn" is recorded before its call is made).
    void end_thrown_batch(std::string_view call) {
        if (pending_batch_error != 0 && !batch_end) {
            batch_end = sys.spawn_attempts().size() - (call == "spawn" ? 1 : 0);
        }
    }

    // Collects the plans of a batch that threw (see install_faults).
    void collect_broken_batch() {
        if (pending_batch_error == 0) {
            return;
        }
        for (std::size_t i = batch_start; i < batch_end.value_or(sys.spawn_attempts().size()); ++i) {
            note_broken(sys.spawn_attempts()[i], pending_batch_error);
        }
        pending_batch_error = 0;
    }

    // The invariants that hold after every step, checked with faults off.
    void check_invariants(const std::string& where) {
        bool was_on = faults_on;
        faults_on = false;
        settle();
        collect_broken_batch();
        SCOPED_TRACE(where);
        // startd answers.
        auto status = request("status", {{"job", names[0]}});
        ASSERT_TRUE(status.has_value()) << "startd does not answer a status request";
        EXPECT_TRUE(status->ok) << status->error.message;

        // No job lost or doubled: the processes startd knows are exactly the live ones.
        std::set<pid_t> known;
        for (const std::string& name : supervisor->engine().class_names()) {
            for (const core::Job* j : supervisor->engine().instances(name)) {
                for (pid_t pid : j->pids) {
                    if (pid > 0) {
                        EXPECT_TRUE(known.insert(pid).second) << "pid " << pid << " belongs to two processes";
                        EXPECT_EQ(sys.process(pid).state, fakes::FakeSys::Process::State::Running)
                            << j->display_name() << " holds pid " << pid << ", which is not running";
                    }
                }
            }
        }
        for (pid_t pid : running_processes()) {
            EXPECT_TRUE(known.count(pid) != 0)
                << "process " << pid << " (" << sys.process(pid).plan.file << ") is alive but no job's";
        }
        EXPECT_EQ(zombies(), 0U);

        // Every spawn a fault broke shows its reason in status (a job that had failed already
        // keeps its first failure; one started again since has a clean slate).
        for (const BrokenSpawn& b : broken) {
            bool restarted = false;
            if (const core::Job* j = job(b.job, b.instance)) {
                restarted = !j->failed;
            }
            if (restarted) {
                continue;
            }
            std::string failure = status_failure(b.job, b.instance);
            if (b.had_failed) {
                EXPECT_FALSE(failure.empty()) << b.job << " (" << b.instance << ") shows no failure";
            } else {
                EXPECT_NE(failure.find(std::strerror(b.err)), std::string::npos)
                    << b.job << " (" << b.instance << "): '" << failure << "' does not say "
                    << std::strerror(b.err);
            }
        }
        broken.clear();
        faults_on = was_on;
    }

    std::mt19937 fault_rng;
    std::vector<std::string> names;
    std::vector<std::string> instance_jobs;
    bool faults_on = false;
    std::map<std::string, int> injected;
    std::vector<BrokenSpawn> broken;
    int pending_batch_error = 0;
    std::size_t batch_start = 0;
    std::optional<std::size_t> batch_end; // set by the first call after the batch threw
};

TEST_P(SupervisorFaultsRandomTest, StartdAnswersLosesNoJobAndLeaksNothing) {
    std::mt19937 rng(static_cast<unsigned>(GetParam()));
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    define_jobs(rng);
    ASSERT_TRUE(boot());
    // What startd holds for itself, by path ("" for sockets, pipes, epoll and the like): one of
    // these may be reopened under another number (the server's reserve descriptor, freed to
    // accept a client when descriptors ran out), so they are compared by kind, not by number.
    std::multiset<std::string> fd_baseline;
    for (int fd : sys.open_fds()) {
        fd_baseline.insert(sys.fd_path(fd));
    }
    install_faults(static_cast<unsigned>(GetParam()) * 7919U + 1U, 8 + static_cast<unsigned>(pick(24)));

    for (int step = 0; step < 40; ++step) {
        faults_on = true;
        std::string what;
        switch (pick(9)) {
        case 0:
            what = "emit go";
            request("emit", {{"name", "go"}, {"wait", pick(2) == 0}});
            break;
        case 1:
            what = "emit halt";
            request("emit", {{"name", "halt"}, {"wait", false}});
            break;
        case 2: {
            std::string name = names[pick(names.size())];
            nlohmann::json args = {{"job", name}, {"wait", pick(2) == 0}};
            if (std::find(instance_jobs.begin(), instance_jobs.end(), name) != instance_jobs.end()) {
                args["env"] = nlohmann::json::array({"I=" + std::to_string(pick(3))});
            }
            what = "start " + name;
            request("start", args);
            break;
        }
        case 3: {
            std::string name = names[pick(names.size())];
            nlohmann::json args = {{"job", name}, {"wait", false}};
            if (std::find(instance_jobs.begin(), instance_jobs.end(), name) != instance_jobs.end()) {
                args["env"] = nlohmann::json::array({"I=" + std::to_string(pick(3))});
            }
            what = "stop " + name;
            request("stop", args);
            break;
        }
        case 4:
        case 5: {
            auto live = running_processes();
            if (live.empty()) {
                what = "nothing to exit";
                break;
            }
            pid_t pid = live[pick(live.size())];
            what = "exit of " + sys.process(pid).plan.file;
            if (pick(3) == 0) {
                sys.kill_process(pid, SIGSEGV);
            } else {
                sys.exit_process(pid, static_cast<int>(pick(2)));
            }
            break;
        }
        case 6: {
            auto live = running_processes();
            if (!live.empty()) {
                pid_t pid = live[pick(live.size())];
                (void)sys.write_as_child(pid, 1, std::string(1 + pick(40000), 'x') + "\n");
                if (pick(4) == 0) {
                    ignores_term.insert(pid);
                }
            }
            what = "output";
            break;
        }
        case 7:
            what = "time";
            sys.advance(std::chrono::milliseconds(pick(6000)));
            break;
        default:
            what = "status";
            request("status", {{"job", names[pick(names.size())]}});
            break;
        }
        settle();
        check_invariants("seed " + std::to_string(GetParam()) + " step " + std::to_string(step) + " (" +
                         what + ")");
        if (HasFailure()) {
            return;
        }
    }

    faults_on = false;
    sys.raise_signal(SIGTERM);
    for (int round = 0; round < 20 && !supervisor->engine().all_stopped(); ++round) {
        settle();
        // Hooks are short: a stop waits for a running pre-start or post-stop to finish.
        for (pid_t pid : running_processes()) {
            if (sys.process(pid).plan.file.rfind("/bin/p", 0) == 0) {
                sys.exit_process(pid, 0);
            }
        }
        settle();
        sys.advance(5s);
    }
    settle();
    for (const std::string& name : supervisor->engine().class_names()) {
        for (const core::Job* j : supervisor->engine().instances(name)) {
            ADD_FAILURE() << "left: " << j->display_name() << " " << core::to_string(j->goal) << "/"
                          << core::to_string(j->state) << " main " << j->pid(core::ProcessType::Main);
        }
    }
    for (pid_t pid : running_processes()) {
        ADD_FAILURE() << "running: " << pid << " " << sys.process(pid).plan.file;
    }
    EXPECT_TRUE(supervisor->engine().all_stopped());
    EXPECT_TRUE(running_processes().empty());
    EXPECT_EQ(zombies(), 0U);
    EXPECT_TRUE(loop->run().has_value()) << "the shutdown ended the loop";
    // What is left open beyond the baseline is the job logs (kept per log path).
    std::multiset<std::string> unmatched = fd_baseline;
    for (int fd : sys.open_fds()) {
        std::string path = sys.fd_path(fd);
        if (path.rfind(std::string(log_dir) + "/", 0) == 0) {
            continue;
        }
        auto it = unmatched.find(path);
        EXPECT_TRUE(it != unmatched.end()) << "fd " << fd << " (" << path << ") leaked";
        if (it != unmatched.end()) {
            unmatched.erase(it);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Seeds, SupervisorFaultsRandomTest, ::testing::Range(0, seed_count()));

} // namespace
