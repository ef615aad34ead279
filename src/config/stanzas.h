// Owns the stanza table: one row per init(5) stanza, in init(5)'s order, with its handler.
// Not here: tokenizing (lexer.h), the event grammar (event_expr_parser.h), the file loop (parser.h).
#pragma once

#include <span>
#include <string_view>

#include "config/lexer.h"
#include "core/job_class.h"

namespace config {

struct StanzaContext {
    Lexer& lex;
    core::JobClass& job;
    const Token& keyword;
};

// A handler reads the stanza's arguments from ctx.lex (positioned after the keyword), updates
// ctx.job, and normally ends the logical line. On error it leaves ctx.job's field untouched.
using StanzaHandler = ParseResult<void> (*)(StanzaContext& ctx);

// How repeated occurrences combine (documentation, and checked by the tests).
enum class Repeat : unsigned char { LastWins, Accumulates };

struct Stanza {
    std::string_view name;
    StanzaHandler handler;
    Repeat repeat;
};

std::span<const Stanza> stanza_table();

// The row for a keyword, or nullptr. Keywords are case-sensitive.
const Stanza* find_stanza(std::string_view keyword);

// The known stanza closest to an unknown keyword ("exex" → "exec"), or empty if none is close.
std::string_view closest_stanza(std::string_view keyword);

} // namespace config
