// Owns what `startctl is-enabled` answers: whether a job starts on its events (enabled), is kept
// from it by `manual` in its override (disabled), or has no events to start on whatever its
// override says of `manual` (static: its .conf says `manual` or has no `start on`). Pure: it
// reads the texts it is given, as startd would load them.
// Not here: editing the override (config/override_edit.h), finding the files (cli/job_files.h).
#pragma once

#include "base/result.h"

#include <optional>
#include <string>
#include <string_view>

namespace config {

enum class Enablement : unsigned char {
    Enabled,  // starts on its `start on` events
    Disabled, // would start on events but for the `manual` in its override
    Static,   // nothing in its files starts it on events: only `startctl start` (or another job) does
};

// "enabled", "disabled", "static".
std::string_view to_string(Enablement e);

struct EnablementReport {
    Enablement state = Enablement::Static;
    // The override's parse error, when it has one: startd then loads the .conf alone (Upstart's
    // rule), and so does this answer.
    std::optional<std::string> override_error;
};

// The job as startd would load it from `conf_text` and, when the job has one, `override_text`.
// Fails, with the parser's diagnostic ("FILE:LINE:COL: …"), when the .conf does not parse:
// startd does not load such a job at all.
base::Result<EnablementReport> enablement(std::string_view conf_text, std::string_view conf_file,
                                          const std::optional<std::string>& override_text,
                                          std::string_view override_file);

} // namespace config
