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
    char buf[4096];
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

// Every process on the machine but those in `skip`, by parent: one read of each /proc/PID/stat.
base::Result<ParentIndex> scan(sys::Sys& sys, int dir, const std::unordered_set<pid_t>& skip) {
    // A listing of its own: the ProcessTree's fd is kept open, and a listing moves its offset.
    auto listing = sys.openat(dir, ".", O_RDONLY | O_DIRECTORY);
    if (!listing) {
        return listing.error();
    }
    auto entries = sys.read_dir(listing->get());
    if (!entries) {
        return entries.error();
    }
    ParentIndex children; // ppid → pid
    for (const sys::DirEntry& e : *entries) {
        if (!is_pid_name(e.name)) {
            continue;
        }
        if (auto pid = number(e.name); !pid || skip.count(static_cast<pid_t>(*pid)) != 0) {
            continue;
        }
        auto text = read_proc_file(sys, dir, e.name + "/stat");
        auto line = text ? parse_stat(*text) : std::nullopt; // gone meanwhile, or unreadable
        if (line && line->state != 'Z') {
            children.emplace(line->ppid, line->pid);
        }
    }
    return children;
}

// The descendants of `root` in `children`, breadth first.
std::vector<pid_t> descendants_in(const ParentIndex& children, pid_t root) {
    std::vector<pid_t> found;
    auto add_children = [&](pid_t parent) {
        auto [first, last] = children.equal_range(parent);
        for (auto it = first; it != last; ++it) {
            found.push_back(it->second);
        }
    };
    add_children(root);
    // A snapshot read while processes come and go cannot hold more than every process once,
    // which also bounds the walk if a reused pid made a cycle.
    for (std::size_t i = 0; i < found.size() && found.size() <= children.size(); ++i) {
        add_children(found[i]);
    }
    return found;
}

// Every process on the machine, by parent: one read of every /proc/PID/stat.
base::Result<std::vector<pid_t>> scan_descendants(sys::Sys& sys, int dir, pid_t root) {
    auto children = scan(sys, dir, {});
    if (!children) {
        return children.error();
    }
    return descendants_in(*children, root);
}

// How many threads the machine runs (/proc/loadavg: "0.00 0.01 0.05 2/345 6789").
std::optional<std::size_t> thread_count(sys::Sys& sys, int dir) {
    auto text = read_proc_file(sys, dir, "loadavg");
    if (!text) {
        return std::nullopt;
    }
    auto slash = text->find('/');
    if (slash == std::string::npos) {
        return std::nullopt;
    }
    std::string_view rest = std::string_view(*text).substr(slash + 1);
    auto count = number(rest.substr(0, rest.find(' ')));
    if (!count || *count < 0) {
        return std::nullopt;
    }
    return static_cast<std::size_t>(*count);
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
    StatLine line{static_cast<pid_t>(*pid), text[close + 2], static_cast<pid_t>(*ppid)};
    // rest is "PPID PGRP …": start time is the 19th field after the state.
    for (int field = 0; field < 18 && !rest.empty(); ++field) {
        auto space = rest.find(' ');
        rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    }
    unsigned long long start = 0;
    auto end = rest.find_first_of(" \n");
    std::string_view digits = rest.substr(0, end);
    if (auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), start);
        ec == std::errc() && p == digits.data() + digits.size()) {
        line.start_time = start;
    }
    return line;
}

ProcessTree::ProcessTree(sys::Sys& sys, std::string proc_dir) : m_sys(sys), m_proc_dir(std::move(proc_dir)) {}

base::Result<int> ProcessTree::dir() {
    if (!m_dir.valid()) {
        auto opened = m_sys.open(m_proc_dir.c_str(), O_RDONLY | O_DIRECTORY);
        if (!opened) {
            return opened.error();
        }
        m_dir = std::move(opened).value();
    }
    return m_dir.get();
}

ProcessTree::Walk ProcessTree::read_children(int dir, const std::string& path, const std::string& thread,
                                             std::vector<pid_t>& out) {
    auto text = read_proc_file(m_sys, dir, path);
    if (!text) {
        if (!m_children_files && m_sys.fstatat(dir, thread.c_str(), 0)) {
            m_children_files = false; // the thread is there, its children file is not
            return Walk::NoChildrenFiles;
        }
        return Walk::Gone; // the thread ended meanwhile
    }
    m_children_files = true;
    std::string_view rest = *text;
    while (!rest.empty()) {
        auto space = rest.find_first_of(" \n");
        if (auto child = number(rest.substr(0, space)); child && *child > 0) {
            out.push_back(static_cast<pid_t>(*child));
        }
        rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    }
    return Walk::Read;
}

ProcessTree::Walk ProcessTree::thread_children(int dir, pid_t pid, std::vector<pid_t>& out) {
    std::string name = std::to_string(pid);
    std::string task = name + "/task";
    // /proc/PID/task counts its threads in its link count (2 + threads). One thread, the
    // common case: that thread's children file is the whole answer, read without listing
    // the directory (each /proc file opened is a cost paid per job when many are stopped).
    auto st = m_sys.fstatat(dir, task.c_str(), 0);
    if (!st) {
        return Walk::Gone;
    }
    if (st->st_nlink == 3) {
        std::string thread = task + "/" + name;
        Walk read = read_children(dir, thread + "/children", thread, out);
        if (read != Walk::Gone) {
            return read;
        }
        // The main thread has ended while others run on (or the process is gone): list them.
    }
    auto task_dir = m_sys.openat(dir, task.c_str(), O_RDONLY | O_DIRECTORY);
    if (!task_dir) {
        return Walk::Gone;
    }
    auto threads = m_sys.read_dir(task_dir->get());
    if (!threads) {
        return Walk::Read; // exiting while we looked: nothing more to find
    }
    for (const sys::DirEntry& t : *threads) {
        if (!is_pid_name(t.name)) {
            continue;
        }
        if (read_children(task_dir->get(), t.name + "/children", t.name, out) == Walk::NoChildrenFiles) {
            return Walk::NoChildrenFiles;
        }
    }
    return Walk::Read;
}

std::optional<base::Result<std::vector<pid_t>>> ProcessTree::walk(int dir, pid_t root) {
    if (m_children_files == false) {
        return scan_descendants(m_sys, dir, root);
    }
    std::vector<pid_t> found;
    std::unordered_set<pid_t> seen{root};
    std::vector<pid_t> children;
    for (std::size_t next = 0; next <= found.size(); ++next) {
        pid_t parent = next == 0 ? root : found[next - 1];
        children.clear();
        switch (thread_children(dir, parent, children)) {
        case Walk::NoChildrenFiles:
            return scan_descendants(m_sys, dir, root);
        case Walk::Gone:
            if (next == 0) {
                return std::nullopt;
            }
            continue; // exited while we walked: its children are reparented, not ours to find
        case Walk::Read:
            break;
        }
        for (pid_t child : children) {
            if (!seen.insert(child).second) {
                continue; // a pid reused while we read: never walk it twice
            }
            if (auto line = read_stat(m_sys, dir, child); line && line->state != 'Z') {
                found.push_back(child);
            }
        }
    }
    return found;
}

base::Result<std::vector<pid_t>> ProcessTree::descendants(pid_t root) {
    auto d = dir();
    if (!d) {
        return d.error();
    }
    auto found = walk(*d, root);
    if (!found && !m_sys.fstatat(*d, "self", 0)) {
        // What we hold is not /proc (an empty directory, opened before /proc was mounted):
        // once more with a fresh one.
        m_dir.reset();
        if (d = dir(); !d) {
            return d.error();
        }
        found = walk(*d, root);
    }
    if (!found) {
        return std::vector<pid_t>{}; // gone: its children were reparented
    }
    return std::move(*found);
}

std::optional<base::Result<ParentIndex>> ProcessTree::batch_index(int dir, std::span<const pid_t> roots) {
    if (roots.size() < batch_scan_min) {
        return std::nullopt;
    }
    if (m_children_files == false) {
        return scan(m_sys, dir, {}); // one scan for the batch instead of one per root
    }
    // Our own children: their parent is us, so none of them descends from a root (roots are
    // our children or theirs). Their /proc/PID/stat need not be read.
    pid_t self = m_sys.getpid();
    std::vector<pid_t> own;
    switch (thread_children(dir, self, own)) {
    case Walk::NoChildrenFiles:
        return scan(m_sys, dir, {});
    case Walk::Gone:
        return std::nullopt; // no /proc/SELF: walk as for a single root
    case Walk::Read:
        break;
    }
    // Compared in files read: walking opens one children file per root (after a stat of its
    // task directory), the scan one stat file per process that is not ours, which the
    // machine's thread count bounds from above.
    auto threads = thread_count(m_sys, dir);
    if (!threads) {
        return std::nullopt;
    }
    std::size_t others = *threads > own.size() ? *threads - own.size() : 0;
    if (others * 3 + 16 >= roots.size() * 4) {
        return std::nullopt;
    }
    std::unordered_set<pid_t> skip(own.begin(), own.end());
    skip.insert(self);
    return scan(m_sys, dir, skip);
}

base::Result<std::vector<std::vector<pid_t>>> ProcessTree::descendants_of(std::span<const pid_t> roots) {
    auto d = dir();
    if (!d) {
        return d.error();
    }
    std::vector<std::vector<pid_t>> out;
    out.reserve(roots.size());
    if (auto index = batch_index(*d, roots)) {
        if (!*index) {
            return index->error();
        }
        for (pid_t root : roots) {
            out.push_back(descendants_in(**index, root));
        }
        return out;
    }
    for (pid_t root : roots) {
        auto found = descendants(root);
        if (!found) {
            return found.error();
        }
        out.push_back(std::move(found).value());
    }
    return out;
}

base::Result<std::vector<pid_t>> ProcessTree::children(pid_t pid) {
    auto d = dir();
    if (!d) {
        return d.error();
    }
    std::vector<pid_t> out;
    if (m_children_files != false) {
        switch (thread_children(*d, pid, out)) {
        case Walk::Read:
            return out;
        case Walk::Gone:
            return std::vector<pid_t>{};
        case Walk::NoChildrenFiles:
            break;
        }
    }
    auto index = scan(m_sys, *d, {});
    if (!index) {
        return index.error();
    }
    out.clear();
    auto [first, last] = index->equal_range(pid);
    for (auto it = first; it != last; ++it) {
        out.push_back(it->second);
    }
    return out;
}

std::optional<StatLine> ProcessTree::stat(pid_t pid) {
    auto d = dir();
    return d ? read_stat(m_sys, *d, pid) : std::nullopt;
}

base::Result<std::string> ProcessTree::read(pid_t pid, const char* file) {
    auto d = dir();
    if (!d) {
        return d.error();
    }
    return read_proc_file(m_sys, *d, std::to_string(pid) + "/" + file);
}

bool ProcessTree::is_descendant(pid_t pid, pid_t ancestor) {
    auto d = dir();
    if (!d || pid <= 0 || ancestor <= 0) {
        return false;
    }
    // Bounded: a pid reused while we read could in theory make a loop.
    for (int depth = 0; depth < 4096 && pid > 1; ++depth) {
        auto line = read_stat(m_sys, *d, pid);
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

base::Result<std::vector<pid_t>> descendants(sys::Sys& sys, pid_t root, const char* proc_dir) {
    return ProcessTree(sys, proc_dir).descendants(root);
}

bool is_descendant(sys::Sys& sys, pid_t pid, pid_t ancestor, const char* proc_dir) {
    return ProcessTree(sys, proc_dir).is_descendant(pid, ancestor);
}

} // namespace proc
