// Owns raising startd's RLIMIT_NOFILE and naming a shortage of descriptors.
#include "daemon/fd_limit.h"

#include <cerrno>
#include <charconv>
#include <fcntl.h>
#include <optional>

namespace daemon_main {

namespace {

// /proc/sys/fs/nr_open: the most descriptors the kernel lets one process have.
std::optional<rlim_t> read_nr_open(sys::Sys& sys) {
    auto fd = sys.open("/proc/sys/fs/nr_open", O_RDONLY);
    if (!fd) {
        return std::nullopt;
    }
    char buf[32];
    auto n = sys.read(fd->get(), buf, sizeof buf);
    if (!n) {
        return std::nullopt;
    }
    rlim_t value = 0;
    auto [end, ec] = std::from_chars(buf, buf + *n, value);
    if (ec != std::errc() || end == buf) {
        return std::nullopt;
    }
    return value;
}

} // namespace

base::Result<FdLimit> raise_fd_limit(sys::Sys& sys) {
    auto current = sys.getrlimit(RLIMIT_NOFILE);
    if (!current) {
        return current.error();
    }
    FdLimit limit{*current, current->rlim_cur};
    if (current->rlim_cur >= current->rlim_max) {
        return limit;
    }
    rlimit raised{current->rlim_max, current->rlim_max};
    auto set = sys.setrlimit(RLIMIT_NOFILE, raised);
    if (!set && set.error().code() == EPERM) {
        // The hard limit is above what the kernel lets a process have (RLIM_INFINITY, say):
        // both go down to that.
        auto nr_open = read_nr_open(sys);
        if (!nr_open || *nr_open <= current->rlim_cur) {
            return set.error();
        }
        raised = rlimit{*nr_open, *nr_open};
        set = sys.setrlimit(RLIMIT_NOFILE, raised);
    }
    if (!set) {
        return set.error();
    }
    limit.jobs.rlim_max = raised.rlim_max;
    limit.soft = raised.rlim_cur;
    return limit;
}

std::string fd_shortage_note(int err) {
    switch (err) {
    case EMFILE:
        return " (startd is out of file descriptors)";
    case ENFILE:
        return " (the system is out of file descriptors)";
    default:
        return "";
    }
}

} // namespace daemon_main
