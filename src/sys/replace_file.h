// Owns replace_file and remove_file: changing a small file (a job's .override) so that a reader
// sees either the old contents or the new, never a half-written file, even across a crash.
#pragma once

#include "sys/sys.h"

#include <string>
#include <string_view>
#include <sys/types.h>

namespace sys {

// Replaces the regular file at `path` with `text`: a temporary file is created beside it (in the
// same directory, so the rename cannot cross file systems; its name is hidden, ".NAME.XXXXXX",
// so a loader that skips hidden names never reads it half-written), written, given the old
// file's mode and owner (a new file gets `new_mode`, less nothing: the umask is not applied),
// fsynced, renamed over `path`, and the directory fsynced. On any failure the temporary file is
// removed and `path` is as it was; the error names the file and the step. A `path` that is a
// symbolic link or not a regular file is refused (replacing it would break the link).
Result<void> replace_file(Sys& sys, const std::string& path, std::string_view text, mode_t new_mode);

// Removes `path` and fsyncs its directory.
Result<void> remove_file(Sys& sys, const std::string& path);

} // namespace sys
