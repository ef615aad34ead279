// Owns job cgroups (see cgroup.h).
#include "proc/cgroup.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>

namespace proc {

base::Result<std::string> Cgroups::read_file(const std::string& path) {
    auto fd = m_sys->open(path.c_str(), O_RDONLY);
    if (!fd) {
        return fd.error();
    }
    std::string text;
    char buf[4096];
    for (;;) {
        auto n = m_sys->read(fd->get(), buf, sizeof buf);
        if (!n) {
            return n.error();
        }
        if (*n == 0) {
            return text;
        }
        text.append(buf, *n);
    }
}

Cgroups Cgroups::detect(sys::Sys& sys, const std::string& mount, const std::string& self_cgroup) {
    Cgroups probe(sys, {}, {});
    if (!sys.fstatat(AT_FDCWD, (mount + "/cgroup.controllers").c_str(), 0)) {
        return Cgroups(sys, {}, mount + " is not a cgroup v2 hierarchy");
    }
    auto self = probe.read_file(self_cgroup);
    if (!self) {
        return Cgroups(sys, {}, "cannot read " + self_cgroup + ": " + self.error().message());
    }
    std::string own;
    bool found = false;
    for (std::size_t at = 0; at < self->size();) {
        std::size_t nl = self->find('\n', at);
        std::string line = self->substr(at, nl == std::string::npos ? std::string::npos : nl - at);
        at = nl == std::string::npos ? self->size() : nl + 1;
        if (line.rfind("0::", 0) == 0) {
            own = line.substr(3);
            found = true;
        }
    }
    if (!found || own.empty() || own[0] != '/') {
        return Cgroups(sys, {}, "startd's own cgroup is not in the cgroup v2 hierarchy");
    }
    std::string base = mount + (own == "/" ? "" : own) + "/startd-jobs";
    if (auto made = sys.mkdir(base.c_str(), 0755); !made && made.error().code() != EEXIST) {
        return Cgroups(sys, {}, "cannot create " + base + ": " + made.error().message());
    }
    return Cgroups(sys, base, {});
}

base::Result<std::string> Cgroups::job_dir(std::string_view job, std::string_view instance) {
    if (!available()) {
        return base::Error("cgroups are not available: " + m_reason);
    }
    std::string name(job);
    if (!instance.empty()) {
        name += "@";
        name += instance;
    }
    for (char& c : name) {
        if (c == '/' || c == '\n') {
            c = '_';
        }
    }
    if (name == "." || name == "..") {
        name = "_" + name;
    }
    std::string dir = m_base + "/" + name;
    if (auto made = m_sys->mkdir(dir.c_str(), 0755); !made && made.error().code() != EEXIST) {
        return made.error();
    }
    return dir;
}

base::Result<base::UniqueFd> Cgroups::procs_fd(const std::string& dir) {
    return m_sys->open((dir + "/cgroup.procs").c_str(), O_WRONLY);
}

base::Result<std::vector<pid_t>> Cgroups::pids(const std::string& dir) {
    auto text = read_file(dir + "/cgroup.procs");
    if (!text) {
        return text.error();
    }
    std::vector<pid_t> out;
    const char* p = text->c_str();
    while (*p != '\0') {
        char* end = nullptr;
        long pid = std::strtol(p, &end, 10);
        if (end == p) {
            ++p;
            continue;
        }
        if (pid > 0) {
            out.push_back(static_cast<pid_t>(pid));
        }
        p = end;
    }
    return out;
}

base::Result<void> Cgroups::signal(const std::string& dir, int sig) {
    if (sig == SIGKILL) {
        if (auto fd = m_sys->open((dir + "/cgroup.kill").c_str(), O_WRONLY); fd) {
            if (auto wrote = m_sys->write(fd->get(), "1", 1); wrote) {
                return {};
            }
        }
        // No cgroup.kill (before Linux 5.14): each process in turn.
    }
    auto all = pids(dir);
    if (!all) {
        return all.error();
    }
    for (pid_t pid : *all) {
        (void)m_sys->kill(pid, sig);
    }
    return {};
}

} // namespace proc
