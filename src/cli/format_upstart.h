// Owns startctl's Upstart-compatible output: status lines exactly as initctl printed them.
#pragma once

#include <string>

#include "core/job.h"

namespace cli {

// "getty (tty1) start/running, process 15001", with the extra lines Upstart prints for other
// live processes ("\n\tpost-start process 1357"), and "(post-start) process N" when the first
// live process is post-start, pre-stop or security.
std::string status_line(const core::JobStatus& status);

} // namespace cli
