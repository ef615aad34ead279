// Owns the `start on` / `stop on` grammar: tokens from the Lexer into a core::EventExpr.
// Not here: tokenizing (config/lexer.h) or evaluating expressions against events.
//
//   expr  := term { ("and" | "or") term }      -- one precedence level, left-associative
//   term  := "(" expr ")" | EVENT { VALUE } { KEY=VALUE | KEY!=VALUE }
//
// The parser is a loop over an explicit operator stack, never recursive, and nesting of
// parentheses is capped at max_event_expr_depth with a clear error.
#pragma once

#include <string_view>

#include "config/lexer.h"
#include "core/event_expr.h"

namespace config {

inline constexpr int max_event_expr_depth = 100;

// Parses an expression from lex, positioned just after `on`. Stops at the end of the expression,
// leaving the line end unconsumed. Errors use Upstart's messages (Expected event, Expected
// operator, Mismatched parentheses, Expected variable name before value).
ParseResult<core::EventExpr> parse_event_expr(Lexer& lex);

// Parses a whole string as one expression (tests, fuzzing, tools). Anything after it is an error.
ParseResult<core::EventExpr> parse_event_expr(std::string_view text, std::string_view origin = "<expression>");

} // namespace config
