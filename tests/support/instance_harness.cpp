// Owns the private home of the `startctl instance` integration tests (instance_harness.h).
#include "support/instance_harness.h"

#include <csignal>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <sys/stat.h>

namespace test_support {

InstanceHarness::InstanceHarness() {
    std::string d = m_h.dir();
    std::filesystem::create_directories(d + "/run");
    ::chmod((d + "/run").c_str(), 0700);
    m_env = {"XDG_CONFIG_HOME=" + d + "/config", "XDG_RUNTIME_DIR=" + d + "/run",
             "XDG_STATE_HOME=" + d + "/state", "HOME=" + d};
}

InstanceHarness::~InstanceHarness() {
    if (!processes().empty()) {
        ctl({"instance", "stop"}, {}, std::chrono::seconds(30));
    }
    for (pid_t pid : processes()) {
        ::kill(pid, SIGKILL);
    }
}

CtlResult InstanceHarness::ctl(const std::vector<std::string>& args, const std::vector<std::string>& env,
                               std::chrono::milliseconds bound) {
    std::vector<std::string> argv = {STARTCTL_BINARY, "--user"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> all = m_env;
    all.insert(all.end(), env.begin(), env.end());
    return m_h.run(argv, all, bound);
}

void InstanceHarness::write_job(const std::string& config_dir, const std::string& job,
                                const std::string& text) const {
    std::filesystem::create_directories(config_dir + "/jobs");
    std::ofstream(config_dir + "/jobs/" + job + ".conf") << text;
}

std::vector<pid_t> InstanceHarness::processes() const {
    std::string mark = "XDG_STATE_HOME=" + m_h.dir() + "/state";
    std::vector<pid_t> found;
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) {
        return found;
    }
    while (dirent* e = ::readdir(proc)) {
        pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
        if (pid <= 0 || pid == ::getpid()) {
            continue;
        }
        std::string environ = read_file("/proc/" + std::to_string(pid) + "/environ");
        std::size_t at = environ.find(mark);
        bool ours = at != std::string::npos && (at == 0 || environ[at - 1] == '\0') &&
                    (at + mark.size() == environ.size() || environ[at + mark.size()] == '\0');
        if (ours && DaemonHarness::process_exists(pid)) {
            found.push_back(pid);
        }
    }
    ::closedir(proc);
    return found;
}

} // namespace test_support
