// Owns helpers for the acceptance tests that run real daemons from Debian's archive (nginx,
// redis, memcached, sshd, postfix): skipping when a binary is missing, talking to a port,
// reading a process's command line and owner. Every wait is bounded.
#pragma once

#include "support/daemon_harness.h"

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace test_support {

// Empty when every binary exists and is executable (and, with `need_root`, we are root);
// otherwise why not, for GTEST_SKIP.
std::string missing_for_daemon_test(const std::vector<std::string>& binaries, bool need_root);

// Connects to 127.0.0.1:port, sends `request` (may be empty), and returns what arrives until
// `want` bytes came, the peer closes, or `bound` passes. Empty on connection failure.
std::string tcp_exchange(int port, const std::string& request, std::size_t want = 64,
                         std::chrono::milliseconds bound = std::chrono::seconds(2));
// tcp_exchange retried every 50 ms until the reply contains `needle` or `bound` passes.
bool tcp_answers(int port, const std::string& request, const std::string& needle,
                 std::chrono::milliseconds bound = std::chrono::seconds(5));

// /proc/PID/cmdline with NULs turned into spaces ("" when gone).
std::string cmdline_of(pid_t pid);
// The real uid of a process, or -1.
long uid_of(pid_t pid);
// Those of `pids` whose command line contains `needle`.
std::vector<pid_t> with_cmdline(const std::vector<pid_t>& pids, const std::string& needle);
// The integer in a pid file, or 0.
pid_t read_pid_file(const std::string& path);
// Writes a file (for daemon configurations).
void write_file(const std::string& path, const std::string& text);
// A Postfix master.cf for a test: SMTP on 127.0.0.1:PORT, no chroot (the queue is in a temp
// dir), and only the services a start needs.
std::string postfix_master_cf(int port);

// A job's exec line: python that daemonizes by forking `forks` times (setsid after the first),
// writes its final pid to `pidfile`, then sleeps. /usr/bin/python3, not `python3` from PATH: a
// wrapper script there (pyenv) would fork on its own.
std::string forking_daemon(int forks, const std::string& pidfile);
// A job's exec line: python that runs `before` (a statement), then `messages` (statements
// sending datagrams with s.sendto(BYTES, a)) to NOTIFY_SOCKET, then sleeps.
std::string notifying_daemon(const std::string& before, const std::string& messages);

// For a job `job` (already written) whose expect stanza is wrong: starts startd with a 2 s
// readiness timeout and checks that `start JOB` fails within it with a message containing
// `must_say`, that startd starts another job meanwhile, and that no process is left.
void check_wrong_expect_fails_at_the_timeout(DaemonHarness& h, const std::string& job,
                                             const std::string& must_say);

} // namespace test_support
