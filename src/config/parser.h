// Owns the job-file loop: stanza after stanza through the table, stopping at the first error.
// Not here: the stanza rules (stanzas.h), finding files on disk (job_dir.h), .override pairing.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "config/lexer.h"
#include "core/job_class.h"

namespace config {

// Job files larger than this are refused outright ("Job file too large").
inline constexpr std::size_t max_job_file_size = 16 * 1024 * 1024;

// Parses `text` (the contents of `file`) on top of what `job` already holds, as Upstart parses an
// override on top of its .conf: single-valued stanzas replace, accumulating ones append.
// On error `job` may be partly updated; callers that need all-or-nothing parse into a copy.
ParseResult<void> parse_job_text(std::string_view text, std::string_view file, core::JobClass& job);

// Where one stanza is in the text: `keyword` ("manual", "start", "env", …) begins at byte `begin`;
// `end` is where the parser stopped after it. A stanza that takes no arguments (`manual`,
// `debug`) ends right after its keyword: what follows on its line (a comment, or another stanza,
// as Upstart reads `manual start on x`) is not part of it.
struct StanzaSpan {
    std::string keyword;
    std::size_t begin = 0;
    std::size_t end = 0;
};

// The stanzas of `text` in order, found by the same parse as parse_job_text (so a `manual` line
// inside a script block is shell, not a stanza). Fails where that parse fails.
ParseResult<std::vector<StanzaSpan>> list_stanzas(std::string_view text, std::string_view file);

// Parses a complete job from text into a fresh JobClass with Upstart's defaults.
ParseResult<core::JobClass> parse_job(std::string_view text, std::string_view file);

} // namespace config
