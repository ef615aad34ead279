// Owns finding a job's files for the commands that work on files rather than through startd
// (enable, disable, is-enabled): which jobs dir they act on, checking the job name given, and
// reading NAME.conf and NAME.override.
// Not here: what the files mean (config/enablement.h), editing them (config/override_edit.h).
#pragma once

#include "base/result.h"
#include "cli/options.h"
#include "sys/sys.h"

#include <optional>
#include <string>

namespace cli {

struct JobFiles {
    std::string jobs_dir;
    std::string name;          // "net/apache"
    std::string conf;          // JOBS/net/apache.conf (a regular file, symlinks followed)
    std::string override_path; // JOBS/net/apache.override (it may not exist)
};

// The jobs dir: DIR + the system jobs dir for --root DIR (/mnt/etc/init), --jobs-dir DIR, else
// `instance_jobs_dir` (the one startd would use in the mode in use: --user, --system, -c).
std::string jobs_dir_for(const Options& o, const std::string& instance_jobs_dir);

// Checks `name` and finds its .conf. Errors, each naming what is wrong: a name that is empty,
// absolute, has an empty, "." or ".." component, or a component startd skips (hidden or backup
// names); a jobs dir that cannot be read; no NAME.conf ("Unknown job: NAME (no NAME.conf in
// DIR)", with errno ENOENT so callers can tell it from the others).
base::Result<JobFiles> find_job_files(sys::Sys& sys, const std::string& jobs_dir, const std::string& name);

base::Result<std::string> read_conf(sys::Sys& sys, const JobFiles& files);
// The override's text, or nullopt when the job has none.
base::Result<std::optional<std::string>> read_override(sys::Sys& sys, const JobFiles& files);

} // namespace cli
