// Owns running real startd/startctl processes for integration tests.
#include "support/daemon_harness.h"

#include <arpa/inet.h>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <signal.h>
#include <sstream>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace test_support {

namespace {

// fork + exec with stdout/stderr to files; returns the pid.
pid_t launch(const std::vector<std::string>& argv, const std::string& out, const std::string& err,
             const std::vector<std::string>& extra_env) {
    std::vector<char*> args;
    for (const auto& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
        int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        int n = ::open("/dev/null", O_RDONLY);
        ::dup2(n, 0);
        ::dup2(o, 1);
        ::dup2(e, 2);
        for (const auto& kv : extra_env) {
            ::putenv(const_cast<char*>(kv.c_str()));
        }
        ::setpgid(0, 0);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    return pid;
}

// Waits for pid with a bound; SIGKILLs it (and its group) when the bound passes.
int wait_bounded(pid_t pid, std::chrono::milliseconds bound) {
    auto deadline = std::chrono::steady_clock::now() + bound;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    return -1;
}

} // namespace

DaemonHarness::DaemonHarness() {
    char tmpl[] = "/tmp/startd-it-XXXXXX";
    if (::mkdtemp(tmpl) != nullptr) {
        m_dir = tmpl;
        ::mkdir((m_dir + "/jobs").c_str(), 0755);
    }
}

DaemonHarness::~DaemonHarness() {
    if (m_daemon > 0) {
        std::vector<pid_t> left = descendants();
        stop_daemon(std::chrono::seconds(10));
        for (pid_t pid : left) {
            if (process_exists(pid)) {
                ::kill(pid, SIGKILL);
            }
        }
    }
    if (!m_dir.empty()) {
        std::string cmd = "rm -rf '" + m_dir + "'";
        [[maybe_unused]] int rc = std::system(cmd.c_str());
    }
}

void DaemonHarness::write_job(const std::string& name, const std::string& text) {
    std::string path = jobs_dir() + "/" + name + ".conf";
    if (auto slash = path.rfind('/'); slash != std::string::npos) {
        std::string cmd = "mkdir -p '" + path.substr(0, slash) + "'";
        [[maybe_unused]] int rc = std::system(cmd.c_str());
    }
    std::ofstream(path) << text;
}

bool DaemonHarness::start_daemon(std::vector<std::string> extra_args, std::vector<std::string> wrapper,
                                 std::vector<std::string> extra_env) {
    launch_daemon(std::move(extra_args), std::move(wrapper), std::move(extra_env));
    return wait_for([&] { return ctl({"version"}, std::chrono::seconds(5)).status == 0; });
}

void DaemonHarness::launch_daemon(std::vector<std::string> extra_args, std::vector<std::string> wrapper,
                                  std::vector<std::string> extra_env) {
    std::vector<std::string> argv = std::move(wrapper);
    for (std::string a :
         {m_program, std::string("--user"), std::string("--jobs-dir"), jobs_dir(),
          std::string("--socket"), socket(), std::string("--log-dir"), log_dir()}) {
        argv.push_back(std::move(a));
    }
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    std::vector<std::string> env = {"XDG_RUNTIME_DIR=" + m_dir + "/run", "XDG_CONFIG_HOME=" + m_dir + "/config",
                                    "XDG_STATE_HOME=" + m_dir + "/state"};
    env.insert(env.end(), extra_env.begin(), extra_env.end());
    m_daemon = launch(argv, m_dir + "/startd.out", m_dir + "/startd.err", env);
}

pid_t DaemonHarness::daemon_child() const {
    std::string children =
        read_file("/proc/" + std::to_string(m_daemon) + "/task/" + std::to_string(m_daemon) + "/children");
    return static_cast<pid_t>(std::atoi(children.c_str()));
}

int DaemonHarness::wait_daemon(std::chrono::milliseconds bound) {
    if (m_daemon <= 0) {
        return -1;
    }
    int status = wait_bounded(m_daemon, bound);
    m_daemon = -1;
    return status;
}

int DaemonHarness::stop_daemon(std::chrono::milliseconds bound) { return end_daemon(SIGTERM, bound); }

int DaemonHarness::kill_daemon(std::chrono::milliseconds bound) { return end_daemon(SIGKILL, bound); }

int DaemonHarness::end_daemon(int sig, std::chrono::milliseconds bound) {
    if (m_daemon <= 0) {
        return -1;
    }
    ::kill(m_daemon, sig);
    int status = wait_bounded(m_daemon, bound);
    m_daemon = -1;
    return status;
}

CtlResult DaemonHarness::ctl(const std::vector<std::string>& args, std::chrono::milliseconds bound) {
    static int counter = 0;
    std::string base = m_dir + "/ctl." + std::to_string(++counter);
    std::vector<std::string> argv = m_ctl_wrapper;
    for (std::string a : {std::string(STARTCTL_BINARY), std::string("--socket"), socket()}) {
        argv.push_back(std::move(a));
    }
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, {}, bound);
}

CtlResult DaemonHarness::run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                             std::chrono::milliseconds bound) {
    static int counter = 0;
    std::string base = m_dir + "/ctl." + std::to_string(++counter);
    pid_t pid = launch(argv, base + ".out", base + ".err", env);
    CtlResult r;
    r.status = wait_bounded(pid, bound);
    r.out = read_file(base + ".out");
    r.err = read_file(base + ".err");
    ::unlink((base + ".out").c_str());
    ::unlink((base + ".err").c_str());
    return r;
}

bool DaemonHarness::wait_for(const std::function<bool()>& condition, std::chrono::milliseconds bound) {
    auto deadline = std::chrono::steady_clock::now() + bound;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return condition();
}

pid_t DaemonHarness::pid_in(const std::string& line) {
    auto at = line.find("process ");
    return at == std::string::npos ? 0 : static_cast<pid_t>(std::atoi(line.c_str() + at + 8));
}

bool DaemonHarness::process_exists(pid_t pid) {
    if (pid <= 0) {
        return false;
    }
    std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    if (stat.empty()) {
        return false;
    }
    auto close = stat.rfind(')');
    return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

std::vector<pid_t> DaemonHarness::zombie_children_of(pid_t parent) {
    std::vector<pid_t> zombies;
    DIR* d = ::opendir("/proc");
    if (d == nullptr) {
        return zombies;
    }
    while (dirent* e = ::readdir(d)) {
        pid_t pid = std::atoi(e->d_name);
        if (pid <= 0) {
            continue;
        }
        std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
        auto close = stat.rfind(')');
        if (close == std::string::npos || close + 4 >= stat.size()) {
            continue;
        }
        char state = stat[close + 2];
        pid_t ppid = std::atoi(stat.c_str() + close + 4);
        if (state == 'Z' && ppid == parent) {
            zombies.push_back(pid);
        }
    }
    ::closedir(d);
    return zombies;
}

std::vector<pid_t> DaemonHarness::descendants() const {
    std::vector<std::pair<pid_t, pid_t>> table; // (pid, ppid) of every live process
    if (DIR* d = ::opendir("/proc")) {
        while (dirent* e = ::readdir(d)) {
            pid_t pid = std::atoi(e->d_name);
            std::string stat = pid > 0 ? read_file("/proc/" + std::to_string(pid) + "/stat") : std::string();
            auto close = stat.rfind(')');
            if (close == std::string::npos || close + 4 >= stat.size() || stat[close + 2] == 'Z') {
                continue;
            }
            table.emplace_back(pid, std::atoi(stat.c_str() + close + 4));
        }
        ::closedir(d);
    }
    std::vector<pid_t> found;
    std::vector<pid_t> frontier = {m_daemon};
    while (!frontier.empty()) {
        pid_t parent = frontier.back();
        frontier.pop_back();
        for (auto [pid, ppid] : table) {
            if (ppid == parent && parent > 0) {
                found.push_back(pid);
                frontier.push_back(pid);
            }
        }
    }
    return found;
}

int DaemonHarness::free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = 0;
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
        port = ntohs(addr.sin_port);
    }
    if (fd >= 0) {
        ::close(fd);
    }
    return port;
}

std::string DaemonHarness::daemon_output() const {
    return read_file(m_dir + "/startd.err");
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace test_support
