// Owns check-config report reuse keyed by a fingerprint of the jobs directory.
#include "daemon/check_config_cache.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <string_view>

#include "config/job_dir.h"

namespace daemon_main {

namespace {

// The loader's limit: deeper directories are not loaded, so they need no fingerprint.
constexpr int max_depth = 32;
// File times come from a coarse clock: an entry changed this recently could change again without
// its times moving, so a fingerprint that includes one is not trusted (git's "racily clean").
constexpr std::chrono::seconds racy_window{1};

std::int64_t ns(const timespec& t) { return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec; }

} // namespace

nlohmann::json CheckConfigCache::get() {
    std::optional<std::string> now = fingerprint();
    if (now && m_fingerprint && *now == *m_fingerprint) {
        return m_report;
    }
    m_report = m_compute();
    ++m_computed;
    m_fingerprint = std::move(now);
    return m_report;
}

std::optional<std::string> CheckConfigCache::fingerprint() {
    auto root = m_sys.open(m_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
    if (!root) {
        return std::nullopt;
    }
    auto wall = std::chrono::system_clock::now() - racy_window;
    std::int64_t racy_after = std::chrono::duration_cast<std::chrono::nanoseconds>(wall.time_since_epoch()).count();
    std::string into;
    if (!walk(root->get(), 0, into, racy_after)) {
        return std::nullopt;
    }
    return into;
}

bool CheckConfigCache::walk(int dirfd, int depth, std::string& into, std::int64_t racy_after_ns) {
    auto self = m_sys.fstat(dirfd);
    auto entries = m_sys.read_dir(dirfd);
    if (!self || !entries) {
        return false;
    }
    std::sort(entries->begin(), entries->end(), [](const sys::DirEntry& a, const sys::DirEntry& b) { return a.name < b.name; });
    auto record = [&](const std::string& name, const struct stat& st) {
        into += name;
        into += '\0';
        for (std::int64_t v : {static_cast<std::int64_t>(st.st_mode), static_cast<std::int64_t>(st.st_size),
                               static_cast<std::int64_t>(st.st_ino), static_cast<std::int64_t>(st.st_dev),
                               ns(st.st_mtim), ns(st.st_ctim)}) {
            into += std::to_string(v);
            into += ' ';
        }
        into += '\n';
        return std::max(ns(st.st_mtim), ns(st.st_ctim)) < racy_after_ns;
    };
    if (!record(".", *self)) {
        return false;
    }
    for (const sys::DirEntry& entry : *entries) {
        if (config::is_ignored_name(entry.name)) {
            continue;
        }
        // Followed like the loader follows it: a link to a file is the file.
        auto st = m_sys.fstatat(dirfd, entry.name.c_str(), 0);
        if (!st) {
            into += entry.name;
            into += std::string_view("\0?\n", 3);
            continue; // dangling link or raced deletion: the loader skips it too
        }
        if (!record(entry.name, *st)) {
            return false;
        }
        if (!S_ISDIR(st->st_mode) || depth >= max_depth) {
            continue;
        }
        // Links to directories are not followed by the loader either.
        if (auto lst = m_sys.fstatat(dirfd, entry.name.c_str(), AT_SYMLINK_NOFOLLOW); lst && S_ISDIR(lst->st_mode)) {
            auto sub = m_sys.openat(dirfd, entry.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
            if (!sub) {
                return false;
            }
            into += "{\n";
            if (!walk(sub->get(), depth + 1, into, racy_after_ns)) {
                return false;
            }
            into += "}\n";
        }
    }
    return true;
}

} // namespace daemon_main
