// Owns how a job's process definition becomes an argv: Upstart's exec-through-shell rule.
// Not here: the rest of the child's set-up (proc/spawn_plan.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/job_class.h"

namespace proc {

inline constexpr std::string_view shell = "/bin/sh";

struct Command {
    std::string file;              // what to exec (searched in PATH when it has no '/')
    std::vector<std::string> argv; // argv[0] included
};

// True if an exec line contains any of Upstart's shell characters ~`!$^&*()=|\{}[];"'<>?,
// which sends it through /bin/sh -e -c "exec LINE".
bool needs_shell(std::string_view command_line);

// exec lines without shell characters are split on whitespace and exec'd directly; the others,
// and every script, run under `/bin/sh -e` with $0 = /bin/sh, as in Upstart. (Upstart fed long
// scripts through a pipe on fd 9; passing them with -c gives the shell the same text without an
// extra descriptor.)
Command command_for(const core::Process& process);

} // namespace proc
