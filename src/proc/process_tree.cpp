// Owns reading /proc for a process's descendants (see process_tree.h).
#include "proc/process_tree.h"

#include <charconv>
#include <fcntl.h>
#include <string>
#include <unordered_map>

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
    auto entries = sys.read_dir(dir->get());
    if (!entries) {
        return entries.error();
    }
    std::unordered_multimap<pid_t, pid_t> children; // ppid → pid
    for (const sys::DirEntry& e : *entries) {
        if (e.name.empty() || e.name[0] < '1' || e.name[0] > '9') {
            continue;
        }
        auto fd = sys.openat(dir->get(), (e.name + "/stat").c_str(), O_RDONLY);
        if (!fd) {
            continue; // gone meanwhile
        }
        char buf[512];
        auto n = sys.read(fd->get(), buf, sizeof buf);
        if (!n || *n == 0) {
            continue;
        }
        auto line = parse_stat(std::string_view(buf, *n));
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

} // namespace proc
