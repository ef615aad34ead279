// Owns restart-and-adopt: checking recorded pids against /proc and adopting the instances.
#include "daemon/recovery.h"

#include <algorithm>
#include <optional>

namespace daemon_main {

namespace {

// /proc/PID/stat counts start times in USER_HZ ticks, 100 a second in the kernel's ABI.
constexpr std::int64_t ns_per_tick = 10'000'000;

// still_runs() on what /proc/PID/stat said.
bool runs_since(const std::optional<proc::StatLine>& line, std::int64_t written_ns) {
    if (!line || line->state == 'Z' || line->state == 'X') {
        return false;
    }
    return static_cast<std::int64_t>(line->start_time) * ns_per_tick <= written_ns;
}

} // namespace

bool still_runs(proc::ProcessTree& tree, pid_t pid, std::int64_t written_ns) {
    return runs_since(tree.stat(pid), written_ns);
}

int run_verify_state(sys::Sys& sys, const std::string& path, std::FILE* out, std::FILE* err) {
    StateJournal journal(sys, path, {}, [](core::LogLevel, std::string_view) {});
    auto read = journal.read_previous();
    if (!read || !*read) {
        std::fprintf(err, "startd: cannot use the state in %s: %s\n", path.c_str(),
                     read ? "there is none" : read.error().message().c_str());
        return 1;
    }
    std::fprintf(out, "startd %s reads the state in %s: %zu jobs\n", STARTD_VERSION, path.c_str(), (*read)->jobs.size());
    return 0;
}

Recovered recover(core::Engine& engine, proc::ProcessTree& tree, const PreviousJournal& journal, pid_t self) {
    Recovered result;
    for (const JobRecord& record : journal.jobs) {
        core::AdoptedJob a;
        a.job = record.job;
        a.instance = record.instance;
        a.goal = record.goal;
        a.state = record.state;
        if (record.env != 0) {
            a.env = journal.envs.at(record.env); // read_journal_text checked it is there
        }
        a.pids = record.pids;
        std::vector<pid_t> running;
        std::vector<pid_t> not_children; // of `running`
        for (std::size_t i = 0; i < a.pids.size(); ++i) {
            if (a.pids[i] > 0) {
                auto line = tree.stat(a.pids[i]);
                a.ended[i] = !runs_since(line, record.written_ns);
                if (!a.ended[i]) {
                    running.push_back(a.pids[i]);
                    if (line->ppid != self) {
                        not_children.push_back(a.pids[i]);
                    }
                }
            }
        }
        a.main_group = record.main_group;
        a.respawn_count = record.respawn_count;
        a.respawn_time = core::Clock::time_point(std::chrono::nanoseconds(record.respawn_time_ns));
        if (record.backoff) {
            a.respawn_attempt = record.backoff->attempt;
            a.respawn_delay_ms = record.backoff->delay_ms;
            a.respawn_due = core::Clock::time_point(std::chrono::nanoseconds(record.backoff->due_ns));
            a.main_started =
                core::Clock::time_point(std::chrono::nanoseconds(record.backoff->main_started_ns));
        }
        a.status_text = record.status_text;
        a.failure = record.failure;
        auto adopted = engine.adopt(a);
        if (!adopted) {
            std::string why = record.job + (record.instance.empty() ? "" : " (" + record.instance + ")") + ": " +
                              adopted.error().message;
            if (!running.empty()) {
                why += "; its processes left running:";
                for (pid_t pid : running) {
                    why += " " + std::to_string(pid);
                }
            }
            result.refused.push_back(std::move(why));
            continue;
        }
        ++result.adopted;
        result.processes += running.size();
        result.ended += a.pids.size() - std::count(a.pids.begin(), a.pids.end(), 0) - running.size();
        for (pid_t pid : not_children) {
            if (engine.job_of(pid) != nullptr) {
                result.watch.push_back(pid);
            }
        }
    }
    return result;
}

} // namespace daemon_main
