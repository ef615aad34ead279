// Owns the state journal: the file in startd's runtime dir (docs/state-format.md) that says,
// at the end of every loop turn in which a job changed, what runs — so that a startd started
// after its predecessor died without a word (SIGKILL, the OOM killer, a crash) adopts the jobs
// that still run instead of starting second copies. Appends the records of the jobs that
// changed (one write per turn), rewrites the whole file (a new file renamed over the old)
// once the appends outgrow what is live, and is removed when startd exits having stopped its
// jobs. Reading a predecessor's journal back, folded to what was live at its last write. It
// also carries each job timer's state (its last firing, its next due time).
// Not here: the line format (daemon/journal_record), adoption itself (daemon/recovery).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/unique_fd.h"
#include "core/job.h"
#include "daemon/journal_record.h"
#include "sys/sys.h"

namespace daemon_main {

// What a predecessor's journal says was live when it last wrote.
struct PreviousJournal {
    JournalHeader header;
    std::vector<JobRecord> jobs;                        // one per instance, in the order first written
    std::unordered_map<std::uint64_t, core::Environ> envs; // by EnvTable id
    std::vector<core::TimerState> timers;                  // the last line of each timer (version 2)
};

// Reads and folds a journal's text. A last line without its newline (a write cut short) is
// left out; any other line that is not a journal line fails the whole reading, since a journal
// misread could make startd start a job twice.
base::Result<PreviousJournal> read_journal_text(std::string_view text);

class StateJournal {
  public:
    using Log = std::function<void(core::LogLevel, std::string_view)>;
    // Calls `each` with every instance the engine has.
    using EachJob = std::function<void(const std::function<void(const core::Job&)>& each)>;

    StateJournal(sys::Sys& sys, std::string path, EachJob jobs, Log log);

    const std::string& path() const { return m_path; }

    // The journal a predecessor left at `path`: nullopt when there is none.
    base::Result<std::optional<PreviousJournal>> read_previous();

    // Starts this startd's journal, replacing whatever is there: `header`, then every job.
    base::Result<void> begin(JournalHeader header);
    // `job` changed: its record is written at the next flush().
    void changed(const core::Job& job);
    // `job` is gone: a gone record is written at the next flush().
    void gone(const core::Job& job);
    // The job timers' states changed: these are written at the next flush, and in every rewrite.
    void set_timers(std::vector<core::TimerState> timers);
    bool has_changes() const { return !m_dirty.empty() || !m_gone.empty() || m_timers_dirty; }
    // Writes what changed since the last flush in one write; the whole journal again when the
    // appends outgrew it (or a write failed).
    void flush();
    // startd stopped its jobs and exits: nothing is left to adopt.
    void remove();

    // Writes the whole journal again now (a re-exec reads it at once): false when it could not.
    bool snapshot();

    // Bytes written to the file since begin() or the last rewrite, and how many rewrites.
    std::size_t bytes() const { return m_bytes; }
    std::size_t rewrites() const { return m_rewrites; }

  private:
    class Chunks;
    JobRecord record_of(const core::Job& job, std::int64_t written_ns);
    // Appends the env table of `job` to `out` unless this journal file has it; returns its id.
    std::uint64_t env_id(const core::Job& job, std::string& out);
    // Writes the header and every job to a new file and renames it over the journal.
    base::Result<void> rewrite();
    base::Result<void> write_all(int fd, const std::string& text);

    sys::Sys& m_sys;
    std::string m_path;
    EachJob m_jobs;
    Log m_log;
    JournalHeader m_header;
    base::UniqueFd m_fd;
    std::unordered_set<const core::Job*> m_dirty;
    std::vector<GoneRecord> m_gone;
    std::vector<core::TimerState> m_timers;
    bool m_timers_dirty = false;
    std::unordered_set<std::uint64_t> m_envs_written; // env tables in the current file
    std::size_t m_bytes = 0;
    std::size_t m_rewrite_at = 0; // m_bytes past which the next flush rewrites
    std::size_t m_rewrites = 0;
    bool m_failed = false; // the last write failed: the next flush rewrites
    bool m_active = false;  // begin() succeeded and remove() was not called
};

} // namespace daemon_main
