// Owns the timer state file: the last firing of each timer of the jobs with `timer missed
// catch-up`, kept in startd's persistent state dir (`timers` in /var/lib/startd, or
// $XDG_STATE_HOME/startd for a user's startd) so that a startd started after a clean stop (which
// removes the state journal) or a reboot knows which firings it missed. Written whole to a new
// file renamed over the old one; a file that cannot be read as one is reported and ignored.
// Not here: the state journal (daemon/state_journal), which carries every timer across a
// crash or a re-exec.
#pragma once

#include "base/result.h"
#include "core/timer_table.h"
#include "sys/sys.h"

#include <string>
#include <string_view>
#include <vector>

namespace daemon_main {

inline constexpr int timer_state_version = 1;

// The file's text: {"version":1,"timers":[{"job":…,"timer":…,"last":…},…]} and a newline.
std::string encode_timer_state(const std::vector<core::TimerState>& states);
// Reads that text back strictly (due_ns is 0 in what it returns: it is not kept).
base::Result<std::vector<core::TimerState>> decode_timer_state(std::string_view text);

// The file at `path`: nothing when it does not exist.
base::Result<std::vector<core::TimerState>> read_timer_state(sys::Sys& sys, const std::string& path);
// Writes `states` to `path` (PATH.new, then renamed over it), making its directory if needed.
base::Result<void> write_timer_state(sys::Sys& sys, const std::string& path,
                                     const std::vector<core::TimerState>& states);

} // namespace daemon_main
