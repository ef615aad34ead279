// Owns the state journal file: appending what changed, rewriting it whole, reading it back.
#include "daemon/state_journal.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "sys/read_to_end.h"

namespace daemon_main {

namespace {

// A journal bigger than this is not one startd wrote (a 10,000-job journal is a few MiB).
constexpr std::size_t max_journal_bytes = std::size_t{256} << 20;
// Appends may grow the file to this many times what its last rewrite wrote (at least this
// floor) before the next flush rewrites it.
constexpr std::size_t rewrite_factor = 4;
constexpr std::size_t rewrite_floor = std::size_t{256} << 10;

// FNV-1a over the variables, NUL-separated; never 0 (0 is the empty table).
std::uint64_t env_hash(const core::Environ& env) {
    std::uint64_t h = 14695981039346656037ULL;
    for (const std::string& var : env) {
        for (char c : var) {
            h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
        }
        h = (h ^ 0U) * 1099511628211ULL;
    }
    return h == 0 ? 1 : h;
}

// Records go out in pieces of about this size: a turn that changed 10,000 jobs, or a rewrite of
// them all, never holds all their text at once (the heap would keep that peak for good).
constexpr std::size_t chunk_bytes = 16 * 1024;

} // namespace

// Text for one fd, written whenever a chunk is full and at finish(); the first failure stops
// the writing and is what finish() returns.
class StateJournal::Chunks {
  public:
    Chunks(StateJournal& journal, int fd) : m_journal(journal), m_fd(fd) { m_text.reserve(chunk_bytes * 2); }
    std::string& text() { return m_text; }
    void line_done() {
        if (m_text.size() >= chunk_bytes) {
            write_out();
        }
    }
    base::Result<void> finish() {
        write_out();
        return m_status;
    }
    std::size_t written() const { return m_written; }

  private:
    void write_out() {
        if (m_status && !m_text.empty()) {
            m_status = m_journal.write_all(m_fd, m_text);
            m_written += m_text.size();
        }
        m_text.clear();
    }
    StateJournal& m_journal;
    int m_fd;
    std::string m_text;
    std::size_t m_written = 0;
    base::Result<void> m_status;
};

base::Result<PreviousJournal> read_journal_text(std::string_view text) {
    PreviousJournal journal;
    std::unordered_map<std::string, std::size_t> index; // job '\0' instance → jobs[i]
    std::unordered_map<std::string, std::size_t> timer_index; // job '\0' timer → timers[i]
    std::vector<bool> live;
    bool have_header = false;
    std::size_t line_no = 0;
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        if (end == std::string_view::npos) {
            break; // a write cut short by the predecessor's death: it never happened
        }
        std::string_view line = text.substr(0, end);
        text.remove_prefix(end + 1);
        ++line_no;
        auto decoded = decode_line(line);
        if (!decoded) {
            return base::Error("line " + std::to_string(line_no) + ": " + decoded.error().message());
        }
        if (auto* header = std::get_if<JournalHeader>(&*decoded)) {
            if (have_header) {
                return base::Error("line " + std::to_string(line_no) + ": a second header");
            }
            journal.header = std::move(*header);
            have_header = true;
            continue;
        }
        if (!have_header) {
            return base::Error("line " + std::to_string(line_no) + ": no header before it");
        }
        if (auto* env = std::get_if<EnvTable>(&*decoded)) {
            journal.envs[env->id] = std::move(env->vars);
        } else if (auto* record = std::get_if<JobRecord>(&*decoded)) {
            if (record->env != 0 && !journal.envs.count(record->env)) {
                return base::Error("line " + std::to_string(line_no) + ": environment table " +
                                   std::to_string(record->env) + " is not written before it");
            }
            std::string key = record->job + '\0' + record->instance;
            auto [it, fresh] = index.emplace(key, journal.jobs.size());
            if (fresh) {
                journal.jobs.push_back(std::move(*record));
                live.push_back(true);
            } else {
                journal.jobs[it->second] = std::move(*record);
                live[it->second] = true;
            }
        } else if (auto* timer = std::get_if<core::TimerState>(&*decoded)) {
            if (journal.header.version < 2) {
                return base::Error("line " + std::to_string(line_no) +
                                   ": a timer line in a version 1 journal");
            }
            auto [it, fresh] = timer_index.emplace(timer->job + '\0' + timer->timer, journal.timers.size());
            if (fresh) {
                journal.timers.push_back(std::move(*timer));
            } else {
                journal.timers[it->second] = std::move(*timer);
            }
        } else if (auto* gone = std::get_if<GoneRecord>(&*decoded)) {
            if (auto it = index.find(gone->job + '\0' + gone->instance); it != index.end()) {
                live[it->second] = false;
            }
        }
    }
    if (!have_header) {
        return base::Error("no header");
    }
    std::vector<JobRecord> jobs;
    for (std::size_t i = 0; i < journal.jobs.size(); ++i) {
        if (live[i]) {
            jobs.push_back(std::move(journal.jobs[i]));
        }
    }
    journal.jobs = std::move(jobs);
    return journal;
}

StateJournal::StateJournal(sys::Sys& sys, std::string path, EachJob jobs, Log log)
    : m_sys(sys), m_path(std::move(path)), m_jobs(std::move(jobs)), m_log(std::move(log)) {}

base::Result<std::optional<PreviousJournal>> StateJournal::read_previous() {
    if (m_path.empty()) {
        return std::optional<PreviousJournal>();
    }
    auto fd = m_sys.open(m_path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    if (!fd) {
        if (fd.error().code() == ENOENT) {
            return std::optional<PreviousJournal>();
        }
        return fd.error();
    }
    // Only a journal this uid wrote is believed: adopting the pids of a planted one would let
    // its author have startd signal any process at the next stop.
    auto st = m_sys.fstat(fd->get());
    if (!st) {
        return st.error();
    }
    if (!S_ISREG(st->st_mode) || st->st_uid != m_sys.geteuid() || (st->st_mode & 022) != 0) {
        return base::Error("not a file of this user's that only it can write (owner " + std::to_string(st->st_uid) +
                           ", mode " + std::to_string(st->st_mode & 07777) + "): not believed");
    }
    auto text = sys::read_to_end(m_sys, fd->get(), max_journal_bytes + 1);
    if (!text) {
        return text.error();
    }
    if (text->size() > max_journal_bytes) {
        return base::Error("larger than " + std::to_string(max_journal_bytes >> 20) + " MiB");
    }
    auto journal = read_journal_text(*text);
    if (!journal) {
        return journal.error();
    }
    return std::optional<PreviousJournal>(std::move(journal).value());
}

base::Result<void> StateJournal::begin(JournalHeader header) {
    if (m_path.empty()) {
        return {}; // no journal (an embedding without a runtime dir): nothing is kept
    }
    m_header = std::move(header);
    m_active = true;
    m_dirty.clear();
    m_gone.clear();
    auto written = rewrite();
    m_failed = !written;
    return written;
}

void StateJournal::changed(const core::Job& job) {
    if (m_active) {
        m_dirty.insert(&job);
    }
}

void StateJournal::set_timers(std::vector<core::TimerState> timers) {
    m_timers = std::move(timers);
    m_timers_dirty = m_active;
}

void StateJournal::gone(const core::Job& job) {
    if (!m_active) {
        return;
    }
    m_dirty.erase(&job);
    m_gone.push_back(GoneRecord{job.name(), job.instance()});
}

JobRecord StateJournal::record_of(const core::Job& job, std::int64_t written_ns) {
    JobRecord r;
    r.job = job.name();
    r.instance = job.instance();
    r.goal = job.goal;
    r.state = job.state;
    r.pids = job.pids;
    r.main_group = job.main_group;
    r.respawn_count = job.respawn_count;
    r.respawn_time_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(job.respawn_time.time_since_epoch()).count();
    if (job.respawn_attempt != 0 || job.respawn_pending()) {
        r.backoff = JobRecord::Backoff{
            job.respawn_attempt, job.respawn_delay_ms,
            std::chrono::duration_cast<std::chrono::nanoseconds>(job.respawn_due.time_since_epoch()).count(),
            std::chrono::duration_cast<std::chrono::nanoseconds>(job.main_started.time_since_epoch()).count()};
    }
    r.status_text = job.status_text.str();
    if (job.failed) {
        r.failure = job.failure_reason.str();
    }
    r.written_ns = written_ns;
    return r;
}

std::uint64_t StateJournal::env_id(const core::Job& job, std::string& out) {
    const core::Environ& env = job.env.get();
    if (env.empty()) {
        return 0;
    }
    std::uint64_t id = env_hash(env);
    if (m_envs_written.insert(id).second) {
        out += encode_line(EnvTable{id, env});
    }
    return id;
}

void StateJournal::flush() {
    if (!m_active || (!has_changes() && !m_failed)) {
        return;
    }
    if (m_failed || m_bytes > m_rewrite_at) {
        m_dirty.clear();
        m_gone.clear();
        m_failed = !rewrite();
        return;
    }
    std::int64_t now = m_sys.boot_clock().count();
    Chunks out(*this, m_fd.get());
    for (const GoneRecord& g : m_gone) {
        out.text() += encode_line(g);
        out.line_done();
    }
    if (m_timers_dirty) {
        for (const core::TimerState& t : m_timers) {
            out.text() += encode_line(t);
            out.line_done();
        }
        m_timers_dirty = false;
    }
    for (const core::Job* job : m_dirty) {
        JobRecord r = record_of(*job, now);
        r.env = env_id(*job, out.text());
        out.text() += encode_line(r);
        out.line_done();
    }
    m_dirty.clear();
    m_gone.clear();
    auto written = out.finish();
    m_bytes += out.written();
    if (!written) {
        if (!m_failed) {
            m_log(core::LogLevel::Warning, "cannot write the state journal " + m_path + ": " +
                                               written.error().message() + " (retried at the next change)");
        }
        m_failed = true;
    }
}

bool StateJournal::snapshot() {
    if (!m_active) {
        return false;
    }
    m_dirty.clear();
    m_gone.clear();
    m_failed = !rewrite();
    return !m_failed;
}

base::Result<void> StateJournal::rewrite() {
    std::string tmp = m_path + ".new";
    std::int64_t now = m_sys.boot_clock().count();
    auto fd = m_sys.open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
    if (!fd) {
        m_log(core::LogLevel::Warning, "cannot write the state journal: " + fd.error().message());
        return fd.error();
    }
    m_envs_written.clear();
    Chunks out(*this, fd->get());
    out.text() = encode_line(m_header);
    for (const core::TimerState& t : m_timers) {
        out.text() += encode_line(t);
        out.line_done();
    }
    m_timers_dirty = false;
    m_jobs([&](const core::Job& job) {
        if (job.state == core::JobState::Waiting) {
            return; // at rest: nothing to adopt
        }
        JobRecord r = record_of(job, now);
        r.env = env_id(job, out.text());
        out.text() += encode_line(r);
        out.line_done();
    });
    auto done = out.finish();
    if (done) {
        done = m_sys.rename(tmp.c_str(), m_path.c_str());
    }
    if (!done) {
        (void)m_sys.unlink(tmp.c_str());
        m_log(core::LogLevel::Warning, "cannot write the state journal " + m_path + ": " + done.error().message());
        return done.error();
    }
    m_fd = std::move(fd).value();
    m_bytes = out.written();
    m_rewrite_at = std::max(m_bytes * rewrite_factor, rewrite_floor);
    ++m_rewrites;
    return {};
}

base::Result<void> StateJournal::write_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        auto n = m_sys.write(fd, text.data() + done, text.size() - done);
        if (!n) {
            if (n.error().code() == EINTR) {
                continue;
            }
            return n.error();
        }
        done += *n;
    }
    return {};
}

void StateJournal::remove() {
    if (!m_active) {
        return;
    }
    m_active = false;
    m_dirty.clear();
    m_gone.clear();
    m_fd.reset();
    if (auto gone = m_sys.unlink(m_path.c_str()); !gone && gone.error().code() != ENOENT) {
        m_log(core::LogLevel::Warning, "cannot remove the state journal " + m_path + ": " + gone.error().message());
    }
}

} // namespace daemon_main
