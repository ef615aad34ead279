// Owns DaemonHarness: a real startd (user mode) in a private temp dir, driven with the real
// startctl, for integration tests. Every wait is bounded; the daemon and anything it left behind
// are stopped by pid when the harness goes away.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace test_support {

// Whether this is an AddressSanitizer build. startd's RSS then holds ASan's quarantine of freed
// memory (up to 256 MiB) and its shadow, so tests bound startd's memory only in the other builds;
// under ASan, bench/soak.py (with a small quarantine) and LeakSanitizer watch memory instead.
#ifdef __SANITIZE_ADDRESS__
inline constexpr bool asan_build = true;
#else
inline constexpr bool asan_build = false;
#endif

struct CtlResult {
    int status = -1; // exit status, or -1 if it had to be killed
    std::string out;
    std::string err;
};

class DaemonHarness {
  public:
    DaemonHarness();
    ~DaemonHarness();
    DaemonHarness(const DaemonHarness&) = delete;
    DaemonHarness& operator=(const DaemonHarness&) = delete;

    // Writes DIR/jobs/NAME.conf (NAME may contain '/').
    void write_job(const std::string& name, const std::string& text);
    // Starts startd and waits (bounded) until it answers on its socket. Returns false on failure.
    // `wrapper` runs in front of it (e.g. unshare for a PID namespace); `extra_env` (NAME=VALUE)
    // is added to its environment.
    bool start_daemon(std::vector<std::string> extra_args = {}, std::vector<std::string> wrapper = {},
                      std::vector<std::string> extra_env = {});
    // start_daemon without the wait: for tests that learn by other means when startd is ready.
    void launch_daemon(std::vector<std::string> extra_args, std::vector<std::string> wrapper,
                       std::vector<std::string> extra_env);
    // The first child of the daemon process (startd itself when a wrapper runs it), or 0.
    pid_t daemon_child() const;
    // Waits for the daemon process to exit by itself; its exit status, or -1.
    int wait_daemon(std::chrono::milliseconds bound);
    // Sends SIGTERM and waits for startd to exit; returns its exit status (-1 if it had to be killed).
    int stop_daemon(std::chrono::milliseconds bound = std::chrono::seconds(15));

    // Runs startd from `path` (a copy of the binary a test may replace) instead of the build's.
    void use_program(std::string path) { m_program = std::move(path); }

    // SIGKILLs startd (its jobs live on, no longer its children) and reaps it; its exit status.
    int kill_daemon(std::chrono::milliseconds bound = std::chrono::seconds(10));

    // Runs every later ctl() through `wrapper` (e.g. setpriv, to talk as the daemon's own uid).
    void set_ctl_wrapper(std::vector<std::string> wrapper) { m_ctl_wrapper = std::move(wrapper); }
    // Runs startctl --socket SOCKET ARGS…, bounded by `bound`.
    CtlResult ctl(const std::vector<std::string>& args,
                  std::chrono::milliseconds bound = std::chrono::seconds(30));

    // Runs ARGV (the program first) with `env` added to the environment, bounded by `bound`;
    // for startd or startctl run without the harness's --socket.
    CtlResult run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                  std::chrono::milliseconds bound = std::chrono::seconds(30));

    // Polls `condition` every 10 ms until it holds or `bound` passes.
    static bool wait_for(const std::function<bool()>& condition,
                         std::chrono::milliseconds bound = std::chrono::seconds(10));

    // The main pid in a status line ("web start/running, process 123"), or 0.
    static pid_t pid_in(const std::string& status_line);
    static bool process_exists(pid_t pid);
    // Zombie children of startd right now (reaping must leave none).
    std::vector<pid_t> zombie_children() const { return zombie_children_of(m_daemon); }
    static std::vector<pid_t> zombie_children_of(pid_t parent);
    // Every live (non-zombie) descendant of startd right now. startd is a subreaper, so daemons
    // that forked away are still among them. The destructor SIGKILLs, by pid, any that outlive
    // startd's own shutdown, so a failing test cannot leave daemons behind.
    std::vector<pid_t> descendants() const;
    // A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0 and ask).
    static int free_port();

    pid_t daemon_pid() const { return m_daemon; }
    const std::string& dir() const { return m_dir; }
    std::string jobs_dir() const { return m_dir + "/jobs"; }
    std::string socket() const { return m_dir + "/run/control"; }
    std::string log_dir() const { return m_dir + "/log"; }
    std::string daemon_output() const; // what startd wrote to stderr so far

  private:
    std::string m_dir;
    pid_t m_daemon = -1;
    std::vector<std::string> m_ctl_wrapper;
    std::string m_program = STARTD_BINARY;

    // Sends `sig` to startd and reaps it (bounded); its exit status, or -1.
    int end_daemon(int sig, std::chrono::milliseconds bound);
};

// A whole file's contents ("" when it cannot be read).
std::string read_file(const std::string& path);

} // namespace test_support
