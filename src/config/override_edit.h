// Owns the edits `startctl disable` and `startctl enable` make to a job's NAME.override: adding
// and removing the `manual` stanza while every other byte of the file stays as it was. Pure
// functions over text; reading and writing the file is the caller's (cli/enable_commands.cpp).
// Not here: whether a job is enabled (config/enablement.h).
#pragma once

#include "base/result.h"

#include <string>
#include <string_view>

namespace config {

// `text` with the job disabled: `manual` appended as the last stanza, on a line of its own, with
// the file's line ending (CRLF if its first line ends so). Last, because a `start on` after a
// `manual` gives the job back its start condition. `text` is returned unchanged when a `manual`
// already comes after every `start on` in it. Fails, with the parser's diagnostic, when `text`
// does not parse (startd ignores such an override, so adding to it would disable nothing), or
// when the result would not read as intended (a last line continued with a backslash).
base::Result<std::string> add_manual(std::string_view text, std::string_view file);

// `text` without its `manual` stanzas: a line holding nothing else (but blanks and a comment,
// such as `manual # disabled by startctl`) is removed with its line ending; a `manual` sharing
// its line with another stanza (`manual start on x`, which Upstart reads as two stanzas) loses
// the word only. A `manual` inside a script block is shell text and stays. Fails, with the
// parser's diagnostic ("FILE:LINE:COL: …"), when `text` does not parse.
base::Result<std::string> remove_manual(std::string_view text, std::string_view file);

// True when `text` holds only whitespace: what is left of an override that held nothing but
// `manual`; startctl enable then removes the file. A comment is something someone wrote: it stays.
bool is_blank(std::string_view text);

} // namespace config
