// Owns the lines of the state journal (docs/state-format.md): what startd writes down about
// itself (JournalHeader), each running job instance (JobRecord), the environment tables they
// use (EnvTable), instances that are gone (GoneRecord) and job timers (core::TimerState), one
// JSON object per line; and
// reading a line back strictly: anything but exactly such a line, of a version this startd
// knows, is an error that says what is wrong.
// Not here: the journal file and when it is written (daemon/state_journal), adoption
// (daemon/recovery).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <variant>

#include "base/result.h"
#include "core/environ.h"
#include "core/job_class.h"
#include "core/job_state.h"
#include "core/timer_table.h"

namespace daemon_main {

// Written as 2 (version 1 and timer lines); version 1 journals (no timer lines) are still read.
inline constexpr int journal_version = 2;
inline constexpr int oldest_journal_version = 1;

// The first line: who writes the journal.
struct JournalHeader {
    int version = journal_version;
    pid_t pid = 0;       // the startd writing it (its marks are STARTD_JOB_ID=<pid>-<serial>)
    std::string boot_id; // /proc/sys/kernel/random/boot_id: after a reboot no recorded pid means anything
    bool startup_emitted = false; // `startup` was emitted: a successor does not emit it again
    bool operator==(const JournalHeader&) const = default;
};

// One running instance, as it was at the end of a loop turn in which it changed.
struct JobRecord {
    std::string job;
    std::string instance;
    core::JobGoal goal = core::JobGoal::Start;
    core::JobState state = core::JobState::Running;
    std::array<pid_t, core::process_type_count> pids{};
    pid_t main_group = 0;
    unsigned respawn_count = 0;
    std::int64_t respawn_time_ns = 0; // CLOCK_MONOTONIC, the same for every process of one boot
    std::uint64_t env = 0;            // the EnvTable its environment is in, 0 for the empty one
    // `respawn delay`/`respawn healthy` (startd's extensions): written only for an instance with
    // respawns counted or one pending, so a journal without such jobs reads as before.
    struct Backoff {
        unsigned attempt = 0;
        std::uint32_t delay_ms = 0;
        std::int64_t due_ns = 0;          // CLOCK_MONOTONIC; 0: no respawn pending
        std::int64_t main_started_ns = 0; // CLOCK_MONOTONIC; 0: unknown
        bool operator==(const Backoff&) const = default;
    };
    std::optional<Backoff> backoff;
    std::string status_text;
    std::string failure;
    // CLOCK_BOOTTIME when written. A recorded pid was the job's process then, so a process with
    // that pid that started later is another one (the pid was reused).
    std::int64_t written_ns = 0;
    bool operator==(const JobRecord&) const = default;
};

// An environment table, written once per journal before the first record that uses it.
struct EnvTable {
    std::uint64_t id = 0;
    core::Environ vars;
    bool operator==(const EnvTable&) const = default;
};

// The instance reached its rest state and is gone.
struct GoneRecord {
    std::string job;
    std::string instance;
    bool operator==(const GoneRecord&) const = default;
};

// A job timer's state (core::TimerState): {"kind":"timer","job":…,"timer":…,"last":…,"due":…}.
using JournalLine = std::variant<JournalHeader, JobRecord, EnvTable, GoneRecord, core::TimerState>;

// The line, '\n' included.
std::string encode_line(const JournalLine& line);
// One line (without its '\n').
base::Result<JournalLine> decode_line(std::string_view line);

} // namespace daemon_main
