// Owns job cgroups (see cgroup.h).
#include "proc/cgroup.h"

#include "sys/read_to_end.h"

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>

#include <limits>

namespace proc {

base::Result<std::string> Cgroups::read_file(const std::string& path) {
    auto fd = m_sys->open(path.c_str(), O_RDONLY);
    if (!fd) {
        return fd.error();
    }
    return sys::read_to_end(*m_sys, fd->get(), std::numeric_limits<std::size_t>::max()); // the kernel's files
}

namespace {

// Splits a line at single spaces (mountinfo's separator).
std::vector<std::string_view> fields(std::string_view line) {
    std::vector<std::string_view> out;
    while (!line.empty()) {
        auto space = line.find(' ');
        out.push_back(line.substr(0, space));
        line = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
    }
    return out;
}

// mountinfo escapes space, tab, newline and backslash in paths as \ooo (octal).
std::string unescape(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && text.size() - i >= 4 && text[i + 1] >= '0' && text[i + 1] <= '3' &&
            text[i + 2] >= '0' && text[i + 2] <= '7' && text[i + 3] >= '0' && text[i + 3] <= '7') {
            out +=
                static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 + (text[i + 3] - '0'));
            i += 3;
        } else {
            out += text[i];
        }
    }
    return out;
}

// `path` relative to `root` when it is root or below it ("" for root itself, "/a/b" below).
std::optional<std::string> below(const std::string& path, const std::string& root) {
    if (root == "/") {
        return path == "/" ? std::string() : path;
    }
    if (path == root) {
        return std::string();
    }
    if (path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/') {
        return path.substr(root.size());
    }
    return std::nullopt;
}

} // namespace

std::vector<CgroupMount> cgroup2_mounts(std::string_view mountinfo) {
    std::vector<CgroupMount> out;
    while (!mountinfo.empty()) {
        auto nl = mountinfo.find('\n');
        std::string_view line = mountinfo.substr(0, nl);
        mountinfo = nl == std::string_view::npos ? std::string_view() : mountinfo.substr(nl + 1);
        // ID PARENT MAJ:MIN ROOT POINT OPTIONS [OPTIONAL…] - FSTYPE SOURCE SUPER-OPTIONS
        std::vector<std::string_view> f = fields(line);
        std::size_t dash = 6;
        while (dash < f.size() && f[dash] != "-") {
            ++dash;
        }
        if (f.size() < 6 || dash + 1 >= f.size() || f[dash + 1] != "cgroup2") {
            continue;
        }
        out.push_back(CgroupMount{unescape(f[4]), unescape(f[3])});
    }
    return out;
}

std::optional<std::string> unified_cgroup(std::string_view self_cgroup) {
    while (!self_cgroup.empty()) {
        auto nl = self_cgroup.find('\n');
        std::string_view line = self_cgroup.substr(0, nl);
        self_cgroup = nl == std::string_view::npos ? std::string_view() : self_cgroup.substr(nl + 1);
        if (line.substr(0, 3) == "0::" && line.size() > 3 && line[3] == '/') {
            return std::string(line.substr(3));
        }
    }
    return std::nullopt;
}

std::string jobs_dir_name(std::string_view socket) {
    std::uint64_t hash = 14695981039346656037ull; // FNV-1a, 64 bits
    for (char c : socket) {
        hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    }
    char text[24];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
    return std::string("startd-") + text;
}

Cgroups Cgroups::detect(sys::Sys& sys, std::string_view dir_name, const CgroupPaths& paths) {
    Cgroups probe(sys, {}, {});
    auto unavailable = [&](std::string why) { return Cgroups(sys, {}, std::move(why)); };
    auto info = probe.read_file(paths.mountinfo);
    if (!info) {
        return unavailable("cannot read " + paths.mountinfo + ": " + info.error().message());
    }
    std::vector<CgroupMount> mounts = cgroup2_mounts(*info);
    if (mounts.empty()) {
        return unavailable("no cgroup v2 hierarchy is mounted (" + paths.mountinfo + " lists no cgroup2)");
    }
    auto self = probe.read_file(paths.self_cgroup);
    if (!self) {
        return unavailable("cannot read " + paths.self_cgroup + ": " + self.error().message());
    }
    auto own = unified_cgroup(*self);
    if (!own) {
        return unavailable("startd's own cgroup is not in the cgroup v2 hierarchy (no 0:: line in " +
                           paths.self_cgroup + ")");
    }
    for (const CgroupMount& m : mounts) {
        auto rest = below(*own, m.root);
        if (!rest) {
            continue; // a subtree mounted elsewhere that does not hold us
        }
        std::string base = (m.point == "/" ? std::string() : m.point) + *rest + "/" + std::string(dir_name);
        if (auto made = sys.mkdir(base.c_str(), 0755); !made && made.error().code() != EEXIST) {
            return unavailable("cannot create " + base + ": " + made.error().message());
        }
        return Cgroups(sys, base, {});
    }
    return unavailable("startd's cgroup " + *own + " is not below the cgroup2 mount at " +
                       mounts.front().point);
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

base::Result<void> Cgroups::remove(const std::string& dir) {
    if (auto removed = m_sys->rmdir(dir.c_str()); !removed && removed.error().code() != ENOENT) {
        return removed;
    }
    return {};
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
