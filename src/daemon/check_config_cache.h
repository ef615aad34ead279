// Owns the reuse of check-config's report while the jobs directory is unchanged. A request that
// re-read and re-parsed every job file each time let any local user burn startd's time with a
// stream of check-config requests; now a fingerprint of the directory tree (every entry's name,
// type, size, inode and times, read with fstatat: no job file is opened) decides whether the last
// report still holds.
// Not here: what the report says (Supervisor::check_config, config_check.h).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "sys/sys.h"

namespace daemon_main {

class CheckConfigCache {
public:
    // `compute` makes a fresh report of the jobs directory `dir`.
    CheckConfigCache(sys::Sys& sys, std::string dir, std::function<nlohmann::json()> compute)
        : m_sys(sys), m_dir(std::move(dir)), m_compute(std::move(compute)) {}

    // The report: the last one if the directory's fingerprint has not changed since, else fresh.
    nlohmann::json get();
    // How many reports were made (for tests).
    std::size_t computed() const { return m_computed; }

private:
    // The directory tree's fingerprint; nullopt when it cannot be trusted (unreadable, or an
    // entry changed so recently that a second change in the same timestamp tick could hide).
    std::optional<std::string> fingerprint();
    bool walk(int dirfd, int depth, std::string& into, std::int64_t racy_after_ns);

    sys::Sys& m_sys;
    std::string m_dir;
    std::function<nlohmann::json()> m_compute;
    std::optional<std::string> m_fingerprint;
    nlohmann::json m_report;
    std::size_t m_computed = 0;
};

} // namespace daemon_main
