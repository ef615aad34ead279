// Owns LogPipes: the read ends of the pipes that carry `console log` jobs' output, their watches
// in the event loop, and the JobLog of each log file a pipe writes to.
//
// - A pipe is read until every writer is gone (EOF) or it fails for good, never cut off because
//   its job writes a lot: a job that outpaces startd waits on its full pipe and loses nothing.
// - Reads never block (the read ends are non-blocking) and each wake-up reads a bounded amount
//   (by time and by bytes), so a flooding job neither starves the loop nor delays a status
//   request by more than a few dozen microseconds; the level-triggered loop comes back for the
//   rest.
// - A log file is open only while some pipe writes to it. What could not be written (disk full,
//   I/O error) is counted per log, and those counts are kept for status while the instance
//   exists: startd's descriptors and memory do not grow with instances that have come and gone.
// - Followers (`startctl log -f`) get each batch of records as it is written (LogFollowers);
//   without followers the write path costs nothing more.
// - Rotation: reopen() makes every log open its path afresh (SIGHUP, `startctl log --reopen`);
//   each JobLog also notices a file renamed or deleted under it, and rotates by size.
// Not here: line assembly and writing (log/job_log.h), giving the write end to the child (the
// spawn plan), what status replies look like (control/).
#pragma once

#include "base/result.h"
#include "control/job_status_json.h"
#include "core/job.h"
#include "daemon/log_followers.h"
#include "log/job_log.h"
#include "loop/event_loop.h"
#include "sys/sys.h"

#include <cstddef>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <unordered_map>
#include <utility>

namespace daemon_main {

class LogPipes {
  public:
    // Whether instance `instance` of job `job` still exists: until it does not, the drops of its
    // log are remembered after its last pipe has closed.
    using InstanceExists = std::function<bool(std::string_view job, std::string_view instance)>;
    // One read and the writing of its lines should take about this long, so that a request
    // arriving meanwhile waits for little. What that is in bytes depends on the lines: a flood
    // of 2-byte lines (each a timestamped record) costs ten times what long lines do. Each pipe
    // learns it: its read size doubles while a read is done well within the target and halves
    // when one takes longer, between these bounds.
    static constexpr sys::Duration read_target = std::chrono::microseconds(10);
    static constexpr std::size_t min_read = 2 * 1024;
    static constexpr std::size_t max_read = 64 * 1024;
    // A wake-up reads one pipe until it is empty, or for this long, or this much, whichever
    // comes first; the level-triggered loop comes back for the rest after the others' turn.
    static constexpr sys::Duration wakeup_budget = std::chrono::microseconds(20);
    static constexpr std::size_t read_per_wakeup = 256 * 1024;

    LogPipes(sys::Sys& sys, loop::EventLoop& loop, std::string log_dir, InstanceExists exists,
             joblog::Rotation rotation = {});
    ~LogPipes();
    LogPipes(const LogPipes&) = delete;
    LogPipes& operator=(const LogPipes&) = delete;

    // A pipe for a process of a `console log` job (first: the read end); the spawn plan gives the
    // child the write end. Fails saying so when startd or the system is out of file descriptors.
    base::Result<sys::FdPair> make_pipe();
    // Reads `read_end` from now on into the log of `job`, until every writer is gone. The
    // caller has closed its copy of the write end.
    void attach(base::UniqueFd read_end, const core::Job& job);
    // The pipes adopt() took back in one recovery, by (device, inode).
    using TakenPipes = std::set<std::pair<dev_t, ino_t>>;
    // Takes back the log pipe of `pid`, a process of `job` adopted after a restart (its fds 1 and
    // 2 are one pipe, as startd gave them): read from now on as if attached at its spawn, unless
    // it is in `taken` already (processes that share a pipe). True when that pipe is read now.
    bool adopt(pid_t pid, const core::Job& job, TakenPipes& taken);
    // Writes every pipe's unfinished line to its log now (before a re-exec, which leaves the
    // pipes to the next program: what is still in them is read there).
    void flush_partial_lines();
    // The instance's log file and what could not be written to it.
    control::LogStatus status(const core::Job& job) const;
    // The log file of instance `instance` of `job`.
    std::string path_for(std::string_view job, std::string_view instance) const;
    // Sends every record written to the log at `path` from now on to `stream`.
    void follow(const std::string& path, control::StreamPtr stream);
    // Every open log is closed, to be opened again by its path at its next line (rotation).
    void reopen();
    std::size_t follower_count() const { return m_followers.count(); }

    std::size_t pipe_count() const { return m_pipes.size(); }
    // Logs remembered: those a pipe writes to, and those with drops of instances that may exist.
    std::size_t log_count() const { return m_logs.size(); }
    // Logs with an open file descriptor.
    std::size_t open_log_count() const;

  private:
    struct Log {
        joblog::JobLog file;
        std::string job;
        std::string instance;
        std::size_t pipes = 0;
    };
    struct Pipe {
        base::UniqueFd fd;
        loop::WatchId watch = 0;
        Log* log = nullptr;               // in m_logs, which keeps it while a pipe writes to it
        std::string pending;              // this pipe's unfinished line
        std::size_t read_size = min_read; // learnt: see read_target
    };

    loop::Next on_readable(int fd);
    // Stops reading the pipe, writes its unfinished line, and closes its log if it was the last
    // pipe writing there.
    void close_pipe(int fd);
    // Forgets the remembered logs of instances that no longer exist.
    void forget_gone_instances();
    std::string path_of(const core::Job& job) const;
    // Has the log's records go to its followers.
    void tap(Log& log, const std::string& path);

    sys::Sys& m_sys;
    loop::EventLoop& m_loop;
    std::string m_log_dir;
    InstanceExists m_exists;
    joblog::Rotation m_rotation;
    LogFollowers m_followers;
    std::unordered_map<int, Pipe> m_pipes;
    std::unordered_map<std::string, Log> m_logs; // by path
    // Logs that no pipe writes to, and how many there may be before forget_gone_instances()
    // runs again (twice as many as it left: the sweeps cost O(1) per closed log).
    std::size_t m_idle = 0;
    std::size_t m_idle_limit = 64;
    std::unique_ptr<char[]> m_buffer; // for one read
};

} // namespace daemon_main
