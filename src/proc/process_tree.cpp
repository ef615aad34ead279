// Owns reading /proc for a process's descendants (see process_tree.h).
#include "proc/process_tree.h"

#include <charconv>
#include <fcntl.h>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace proc {

namespace {

std::optional<long> number(std::string_view text) {
    long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

bool is_pid_name(const std::string& name) {
    return !name.empty() && name[0] >= '1' && name[0] <= '9';
}

// The whole of a small /proc file under `dir`, or the error that opening it gave.
base::Result<std::string> read_proc_file(sys::Sys& sys, int dir, const std::string& path) {
    auto fd = sys.openat(dir, path.c_str(), O_RDONLY);
    if (!fd) {
        return fd.error();
    }
    std::string text;
    char buf[512];
    for (;;) {
        auto n = sys.read(fd->get(), buf, sizeof buf);
        if (!n || *n == 0) {
            return text;
        }
        text.append(buf, *n);
    }
}

std::optional<StatLine> read_stat(sys::Sys& sys, int dir, pid_t pid) {
    auto text = read_proc_file(sys, dir, std::to_string(pid) + "/stat");
    return text ? parse_stat(*text) : std::nullopt;
}

// Every process on the machine, by parent: one read of every /proc/PID/stat.
base::Result<std::vector<pid_t>> scan_descendants(sys::Sys& sys, int dir, pid_t root) {
    auto entries = sys.read_dir(dir);
    if (!entries) {
        return entries.error();
    }
    std::unordered_multimap<pid_t, pid_t> children; // ppid → pid
    for (const sys::DirEntry& e : *entries) {
        if (!is_pid_name(e.name)) {
            continue;
        }
        auto text = read_proc_file(sys, dir, e.name + "/stat");
        auto line = text ? parse_stat(*text) : std::nullopt; // gone meanwhile, or unreadable
        if (line && line->state != 'Z') {
            children.emplace(line->ppid, line->pid);
        }
    }
    std::vector<pid_t> found;
    auto add_children = [&](pid_t parent) {
        auto [first, last] = children.equal_range(parent);
        for (auto it = first; it != last; ++it) {
            found.push_back(it->second);
        }
    };
    add_children(root);
    // Breadth first; a snapshot read while processes come and go cannot hold more than every
    // process once, which also bounds the walk if a reused pid made a cycle.
    for (std::size_t i = 0; i < found.size() && found.size() <= children.size(); ++i) {
        add_children(found[i]);
    }
    return found;
}

// Appends the children of every thread of `pid` (/proc/PID/task/TID/children: "12 34 ").
void thread_children(sys::Sys& sys, int dir, pid_t pid, std::vector<pid_t>& out) {
    std::string task = std::to_string(pid) + "/task";
    auto task_dir = sys.openat(dir, task.c_str(), O_RDONLY | O_DIRECTORY);
    if (!task_dir) {
        return; // gone meanwhile
    }
    auto threads = sys.read_dir(task_dir->get());
    if (!threads) {
        return;
    }
    for (const sys::DirEntry& t : *threads) {
        if (!is_pid_name(t.name)) {
            continue;
        }
        auto text = read_proc_file(sys, task_dir->get(), t.name + "/children");
        if (!text) {
            continue; // the thread ended meanwhile
        }
        std::string_view rest = *text;
        while (!rest.empty()) {
            auto space = rest.find_first_of(" \n");
            if (auto child = number(rest.substr(0, space)); child && *child > 0) {
                out.push_back(static_cast<pid_t>(*child));
            }
            rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
        }
    }
}

} // namespace

std::optional<StatLine> parse_stat(std::string_view text) {
    auto open = text.find(" (");
    auto close = text.rfind(") ");
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
        return std::nullopt;
    }
    auto pid = number(text.substr(0, open));
    std::string_view rest = text.substr(close + 2); // "S 1 …"
    if (!pid || rest.size() < 3 || rest[1] != ' ') {
        return std::nullopt;
    }
    rest = rest.substr(2);
    auto ppid = number(rest.substr(0, rest.find(' ')));
    if (!ppid) {
        return std::nullopt;
    }
    return StatLine{static_cast<pid_t>(*pid), text[close + 2], static_cast<pid_t>(*ppid)};
}

base::Result<std::vector<pid_t>> descendants(sys::Sys& sys, pid_t root, const char* proc_dir) {
    auto dir = sys.open(proc_dir, O_RDONLY | O_DIRECTORY);
    if (!dir) {
        return dir.error();
    }
    std::string root_name = std::to_string(root);
    if (auto probe =
            sys.openat(dir->get(), (root_name + "/task/" + root_name + "/children").c_str(), O_RDONLY);
        !probe) {
        if (sys.openat(dir->get(), (root_name + "/stat").c_str(), O_RDONLY)) {
            return scan_descendants(sys, dir->get(), root); // a kernel without children files
        }
        return std::vector<pid_t>{}; // root is gone: its children were reparented
    }
    std::vector<pid_t> found;
    std::unordered_set<pid_t> seen{root};
    std::vector<pid_t> children;
    for (std::size_t next = 0; next <= found.size(); ++next) {
        pid_t parent = next == 0 ? root : found[next - 1];
        children.clear();
        thread_children(sys, dir->get(), parent, children);
        for (pid_t child : children) {
            if (!seen.insert(child).second) {
                continue; // a pid reused while we read: never walk it twice
            }
            if (auto line = read_stat(sys, dir->get(), child); line && line->state != 'Z') {
                found.push_back(child);
            }
        }
    }
    return found;
}

bool is_descendant(sys::Sys& sys, pid_t pid, pid_t ancestor, const char* proc_dir) {
    auto dir = sys.open(proc_dir, O_RDONLY | O_DIRECTORY);
    if (!dir || pid <= 0 || ancestor <= 0) {
        return false;
    }
    // Bounded: a pid reused while we read could in theory make a loop.
    for (int depth = 0; depth < 4096 && pid > 1; ++depth) {
        auto line = read_stat(sys, dir->get(), pid);
        if (!line || line->state == 'Z') {
            return false;
        }
        if (line->ppid == ancestor) {
            return true;
        }
        pid = line->ppid;
    }
    return false;
}

} // namespace proc
