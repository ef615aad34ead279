// Owns reading `console log` pipes into their logs.
#include "daemon/log_pipes.h"

#include "daemon/fd_limit.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/epoll.h>

namespace daemon_main {

namespace {

std::int64_t wall_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

LogPipes::LogPipes(sys::Sys& sys, loop::EventLoop& loop, std::string log_dir, InstanceExists exists,
                   joblog::Rotation rotation)
    : m_sys(sys), m_loop(loop), m_log_dir(std::move(log_dir)), m_exists(std::move(exists)), m_rotation(rotation),
      m_buffer(std::make_unique<char[]>(max_read)) {}

LogPipes::~LogPipes() {
    while (!m_pipes.empty()) {
        close_pipe(m_pipes.begin()->first);
    }
}

base::Result<sys::FdPair> LogPipes::make_pipe() {
    auto pipe = m_sys.pipe2(O_CLOEXEC);
    if (!pipe) {
        return base::Error::with_errno(pipe.error().code(),
                                       "cannot create its log pipe: " + pipe.error().message() +
                                           fd_shortage_note(pipe.error().code()));
    }
    // The child's end is the pipe opened again for reading and writing: the pipe then never
    // loses its last reader while the job runs. If startd dies (SIGKILL, a crash) the job's
    // writes wait in the pipe (and block once it is full) instead of killing it with SIGPIPE,
    // and the next startd takes the pipe back (adopt()). Without /proc the write end serves.
    std::string self = "/proc/self/fd/" + std::to_string(pipe->second.get());
    if (auto both = m_sys.open(self.c_str(), O_RDWR); both) {
        pipe->second = std::move(both).value();
    }
    return pipe;
}

void LogPipes::flush_partial_lines() {
    std::int64_t now = wall_seconds();
    for (auto& [fd, pipe] : m_pipes) {
        if (!pipe.pending.empty() && pipe.log != nullptr) {
            pipe.log->file.flush(pipe.pending, now);
        }
    }
}

bool LogPipes::adopt(pid_t pid, const core::Job& job, TakenPipes& taken) {
    // What startd gave the job: one pipe as both stdout and stderr. A process that put other
    // things there is left alone.
    std::string proc = "/proc/" + std::to_string(pid) + "/fd/";
    auto out = m_sys.open((proc + "1").c_str(), O_RDONLY | O_NONBLOCK);
    auto err = m_sys.open((proc + "2").c_str(), O_RDONLY | O_NONBLOCK);
    if (!out || !err) {
        return false;
    }
    auto out_st = m_sys.fstat(out->get());
    auto err_st = m_sys.fstat(err->get());
    if (!out_st || !err_st || !S_ISFIFO(out_st->st_mode) || out_st->st_ino != err_st->st_ino ||
        out_st->st_dev != err_st->st_dev) {
        return false;
    }
    if (!taken.emplace(out_st->st_dev, out_st->st_ino).second) {
        return true; // read already (another process of the job shares it)
    }
    attach(std::move(out).value(), job);
    return true;
}

std::string LogPipes::path_of(const core::Job& job) const { return path_for(job.name(), job.instance()); }

std::string LogPipes::path_for(std::string_view job, std::string_view instance) const {
    return m_log_dir + "/" + joblog::log_file_name(job, instance);
}

void LogPipes::tap(Log& log, const std::string& path) {
    log.file.set_tap([this, path](std::string_view records) { m_followers.fan_out(path, records); });
}

void LogPipes::follow(const std::string& path, control::StreamPtr stream) {
    m_followers.add(path, std::move(stream));
    if (auto it = m_logs.find(path); it != m_logs.end()) {
        tap(it->second, path);
    }
}

void LogPipes::reopen() {
    for (auto& [path, log] : m_logs) {
        log.file.close();
    }
}

void LogPipes::attach(base::UniqueFd read_end, const core::Job& job) {
    int fd = read_end.get();
    (void)m_sys.set_nonblocking(fd, sys::NonBlocking::Yes);
    auto watch = m_loop.add_watch(fd, EPOLLIN, [this, fd](std::uint32_t) { return on_readable(fd); });
    if (!watch) {
        return; // the pipe closes: the job's writes fail with EPIPE rather than block forever
    }
    std::string path = path_of(job);
    auto [it, added] =
        m_logs.try_emplace(path, Log{joblog::JobLog(m_sys, path, m_rotation), job.name(), job.instance(), 0});
    if (!added && it->second.pipes == 0) {
        --m_idle;
    }
    if (added && m_followers.has(path)) {
        tap(it->second, path);
    }
    ++it->second.pipes;
    m_pipes.emplace(fd, Pipe{std::move(read_end), *watch, &it->second, {}});
}

loop::Next LogPipes::on_readable(int fd) {
    auto it = m_pipes.find(fd);
    if (it == m_pipes.end()) {
        return loop::Next::Remove;
    }
    Pipe& pipe = it->second;
    std::int64_t now = wall_seconds();
    sys::TimePoint began = m_loop.now();
    const sys::TimePoint until = began + wakeup_budget;
    for (std::size_t got = 0; got < read_per_wakeup;) {
        auto n = m_sys.read(fd, m_buffer.get(), pipe.read_size);
        if (!n && (n.error().code() == EAGAIN || n.error().code() == EINTR)) {
            return loop::Next::Keep; // drained for now
        }
        if (!n || *n == 0) {
            // EOF: every process that had the write end is gone (or the pipe failed for good).
            close_pipe(fd);
            return loop::Next::Remove;
        }
        pipe.log->file.append(pipe.pending, std::string_view(m_buffer.get(), *n), now);
        got += *n;
        sys::TimePoint done = m_loop.now();
        if (*n == pipe.read_size) { // a full read: its cost says what the next one may take
            sys::Duration took = done - began;
            if (took > read_target) {
                pipe.read_size = std::max(min_read, pipe.read_size / 2);
            } else if (took < read_target / 2) {
                pipe.read_size = std::min(max_read, pipe.read_size * 2);
            }
        }
        if (done >= until) {
            break;
        }
        began = done;
    }
    return loop::Next::Keep; // more may wait: the loop comes back after the others had their turn
}

void LogPipes::close_pipe(int fd) {
    auto it = m_pipes.find(fd);
    Log& log = *it->second.log;
    log.file.flush(it->second.pending, wall_seconds());
    m_loop.remove_watch(it->second.watch); // before the fd closes: its number may be reused
    m_pipes.erase(it);
    if (--log.pipes > 0) {
        return;
    }
    log.file.close();
    if (log.file.dropped_bytes() == 0) {
        m_logs.erase(m_logs.find(log.file.path()));
        return;
    }
    ++m_idle; // remembered for its drops while the instance exists
    if (m_idle > m_idle_limit) {
        forget_gone_instances();
    }
}

void LogPipes::forget_gone_instances() {
    for (auto it = m_logs.begin(); it != m_logs.end();) {
        if (it->second.pipes == 0 && !m_exists(it->second.job, it->second.instance)) {
            it = m_logs.erase(it);
            --m_idle;
        } else {
            ++it;
        }
    }
    m_idle_limit = std::max<std::size_t>(64, 2 * m_idle);
}

control::LogStatus LogPipes::status(const core::Job& job) const {
    control::LogStatus status;
    status.path = path_of(job);
    if (auto it = m_logs.find(status.path); it != m_logs.end()) {
        status.dropped_bytes = it->second.file.dropped_bytes();
        status.dropped_lines = it->second.file.dropped_lines();
    }
    return status;
}

std::size_t LogPipes::open_log_count() const {
    std::size_t n = 0;
    for (const auto& [path, log] : m_logs) {
        n += log.file.is_open() ? 1 : 0;
    }
    return n;
}

} // namespace daemon_main
