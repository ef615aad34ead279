// Owns the argument readers shared by stanza handlers: sub-keywords, single arguments, signals,
// and the wording of their errors. Internal to src/config.
#pragma once

#include <string>
#include <string_view>

#include "config/stanzas.h"

namespace config::stanza_args {

// 'text' in single quotes, for messages.
std::string quoted(std::string_view text);

// Reads the sub-keyword after a stanza (`respawn limit`, `kill timeout`, `pre-start exec`).
// `raw` follows Upstart: some sub-keywords are matched as written, others after dequoting.
ParseResult<Token> sub_keyword(StanzaContext& ctx, bool raw, std::string_view choices);

// "Unknown stanza" for a sub-keyword that is not one of `choices`.
Diagnostic unknown_sub_keyword(StanzaContext& ctx, const Token& tok, std::string_view choices);

// One dequoted argument; "Expected token: expected WHAT after 'stanza'" when missing.
ParseResult<Token> one_arg(StanzaContext& ctx, std::string_view what);

// A signal by name (with or without SIG) or number, as `kill signal` and `reload signal` take.
ParseResult<int> signal_arg(StanzaContext& ctx);

// Ends the stanza; on a stray token the error's detail is replaced by `detail` when given.
ParseResult<void> end_stanza(StanzaContext& ctx, std::string detail = {});

} // namespace config::stanza_args
