// Owns InstanceHarness: a private home for `startctl --user instance …` tests (config, runtime and
// state dirs in a temp dir through the XDG variables), the real startctl run there, and cleanup:
// every process that carries the temp dir's XDG_STATE_HOME (the startd daemons and their jobs)
// is found through /proc and, if still alive when the harness goes away, SIGKILLed by pid.
#pragma once

#include "support/daemon_harness.h"

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace test_support {

class InstanceHarness {
  public:
    InstanceHarness();
    ~InstanceHarness();
    InstanceHarness(const InstanceHarness&) = delete;
    InstanceHarness& operator=(const InstanceHarness&) = delete;

    // startctl --user ARGS… in the private home, `env` (NAME=VALUE) added.
    CtlResult ctl(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                  std::chrono::milliseconds bound = std::chrono::seconds(90));
    // The default instance's config dir ($XDG_CONFIG_HOME/startd).
    std::string default_dir() const { return m_h.dir() + "/config/startd"; }
    // A config dir for `name` beside it, as `instance create` chooses.
    std::string dir_of(const std::string& name) const { return default_dir() + "-" + name; }
    // Writes CONFIG_DIR/jobs/JOB.conf.
    void write_job(const std::string& config_dir, const std::string& job, const std::string& text) const;
    // Every live process started in this home (startd daemons and their jobs), by pid.
    std::vector<pid_t> processes() const;
    // The environment startctl gets (the XDG variables), for tests that run other programs.
    const std::vector<std::string>& env() const { return m_env; }
    const std::string& dir() const { return m_h.dir(); }
    DaemonHarness& harness() { return m_h; }

  private:
    DaemonHarness m_h;
    std::vector<std::string> m_env;
};

} // namespace test_support
