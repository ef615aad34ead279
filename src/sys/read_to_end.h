// Owns read_to_end: an fd's whole contents (up to a bound) through the Sys seam, for the small
// files startd reads whole (job files, cgroup files, the state journal, the boot id).
#pragma once

#include <cstddef>
#include <string>

#include "sys/sys.h"

namespace sys {

// Reads `fd` until end of file or until `max` bytes are read, whichever comes first (a caller
// that must refuse larger files asks for one byte more than it accepts). EINTR is retried; any
// other read error is returned.
Result<std::string> read_to_end(Sys& sys, int fd, std::size_t max);

} // namespace sys
