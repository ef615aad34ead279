// Owns LogFollowers: the clients following job logs (`startctl log -f`), by log path. Every batch
// of records a log writes goes to its followers as one stream item, whichever pipe, process or
// restart of the job wrote it and whatever became of the file (rotation): nothing is read back.
// A follower that does not read is skipped past its stream's bound and told so (control/stream.h).
// Not here: writing logs (log/job_log.h), choosing what is followed (control/log_commands.cpp).
#pragma once

#include "control/stream.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace daemon_main {

class LogFollowers {
  public:
    void add(const std::string& path, control::StreamPtr stream);
    // Sends `records` (whole timestamped lines) to the followers of `path`; those gone are
    // forgotten.
    void fan_out(const std::string& path, std::string_view records);
    bool has(const std::string& path) const { return m_by_path.contains(path); }
    // Followers remembered, live or gone since they were last looked at.
    std::size_t count() const;

  private:
    // Forgets the followers whose clients are gone, of every log.
    void sweep();

    std::unordered_map<std::string, std::vector<control::StreamFeed>> m_by_path;
};

} // namespace daemon_main
