// Owns `startd --check [--json] PATH…`: parse job files and directories, start nothing, report.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "sys/sys.h"

namespace daemon_main {

enum class CheckFormat { Text, Json };

// Exit status of --check: 0 every job parsed, 1 some job or path had an error.
inline constexpr int check_ok = 0;
inline constexpr int check_failed = 1;

// Checks each path (a jobs directory, or a single .conf file) and writes the report to out
// (one line per job, or one JSON document) and a summary line to err. Returns the exit status.
int run_check(sys::Sys& sys, const std::vector<std::string>& paths, CheckFormat format, std::FILE* out,
              std::FILE* err);

} // namespace daemon_main
