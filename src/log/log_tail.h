// Owns reading the end of a log file: its last N lines (or all of it), at most a given number of
// bytes, without reading what comes before them (a log may be large).
// Not here: writing logs (job_log.h), sending them (control/log_commands.cpp).
#pragma once

#include "base/result.h"
#include "sys/sys.h"

#include <cstddef>
#include <optional>
#include <string>

namespace joblog {

// The last `lines` lines of the file at `path` (nullopt: every line), whole lines only and at
// most `max_bytes` of them (the last ones that fit). A file that does not exist is empty.
base::Result<std::string> read_tail(sys::Sys& sys, const std::string& path, std::optional<std::size_t> lines,
                                    std::size_t max_bytes);

} // namespace joblog
