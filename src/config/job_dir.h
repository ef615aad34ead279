// Owns finding job files on disk: the walk of a jobs directory, naming jobs by relative path,
// pairing NAME.conf with NAME.override, and reading files through the Sys seam.
// Not here: parsing (parser.h); watching for changes (daemon/job_dir_watch.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "config/diagnostics.h"
#include "core/job_class.h"
#include "sys/sys.h"

namespace config {

// One job name's outcome.
struct JobFile {
    std::string name;          // "net/apache"
    std::string conf_path;     // ".../net/apache.conf"
    std::string override_path; // ".../net/apache.override", or empty
    // The parsed job: set when the .conf parsed. If the override failed to parse, the job is the
    // .conf alone (Upstart's rule) and the override's error is in diagnostics.
    std::optional<core::JobClass> job;
    std::vector<Diagnostic> diagnostics;

    bool ok() const { return job.has_value() && diagnostics.empty(); }
};

struct LoadReport {
    std::vector<JobFile> jobs; // sorted by name
    // Problems not tied to one job that lose jobs: unreadable subdirectories.
    std::vector<Diagnostic> errors;
    // Things worth telling that lose nothing: an .override without its .conf (ignored, as Upstart does).
    std::vector<Diagnostic> notices;
    // Every directory the walk entered, relative to the jobs dir ("" is the jobs dir itself), each
    // before its subdirectories: what the jobs dir watch watches, so it needs no walk of its own.
    std::vector<std::string> dirs;

    bool ok() const;
};

// How deep the loader walks below the jobs directory.
constexpr int max_job_dir_depth = 32;

// True for file and directory names Upstart's loader skips: hidden names, editor backups and
// swap files, version-control directories and package-manager leftovers.
bool is_ignored_name(std::string_view name);

// Loads every job under dir (recursively). Fails only when dir itself cannot be read. A .conf or
// .override that is not a regular file is that job's error; the other jobs load.
// With `workers` > 1 and a large directory, files are read and parsed by that many threads (the
// result is the same, in the same order); `sys` must then be safe to call from several threads,
// as the real one is. The walk itself stays on the calling thread.
base::Result<LoadReport> load_job_dir(sys::Sys& sys, const std::string& dir, unsigned workers = 1);

// The directories the loader would enter at and below `rel` (a directory inside `dir`; "" is dir
// itself), as LoadReport::dirs lists them: by the same walk, with the same rules (names it
// skips, no symlinked directories, at most max_job_dir_depth below dir). Empty when rel cannot
// be opened; a directory that cannot be read is listed without its subdirectories.
std::vector<std::string> list_job_dirs(sys::Sys& sys, const std::string& dir, const std::string& rel = {});

// The workers the daemon uses for a load: one per CPU, at most 8.
unsigned default_load_workers();

// Loads one .conf file (and NAME.override beside it, if present) as job `name`.
JobFile load_job_file(sys::Sys& sys, const std::string& conf_path, std::string name);

// Reads a whole file (at most max_job_file_size + 1 bytes, so the parser can refuse larger ones).
// Never blocks: anything but a regular file (a FIFO, a device, a socket) is refused with
// "not a regular file (a FIFO)", even when it replaced a regular file after the directory walk.
base::Result<std::string> read_text_file(sys::Sys& sys, int dirfd, const char* path);

} // namespace config
