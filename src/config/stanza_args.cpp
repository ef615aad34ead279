// Owns the argument readers shared by the stanza handlers.
#include "config/stanza_args.h"

#include <climits>

#include "config/numbers.h"
#include "core/signal_names.h"

namespace config::stanza_args {

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

namespace {

// Upstart (libnih's nih_config_next_arg) refuses an argument that dequotes to nothing, such as
// `description ""`, with "Expected token".
Diagnostic empty_arg(StanzaContext& ctx, const Token& tok, std::string expected) {
    return ctx.lex.error_at(tok.pos, ParseErrorCode::ExpectedToken,
                            "an empty quoted argument counts as no argument; " + std::move(expected));
}

} // namespace

ParseResult<Token> sub_keyword(StanzaContext& ctx, bool raw, std::string_view choices) {
    auto tok = raw ? ctx.lex.next_token() : ctx.lex.next_arg();
    if (!tok) {
        Diagnostic d = std::move(tok).error();
        if (d.code == ParseErrorCode::ExpectedToken) {
            d.detail = "expected " + std::string(choices) + " after " + quoted(ctx.keyword.text);
        }
        return d;
    }
    if (!raw && tok->text.empty()) {
        return empty_arg(ctx, *tok, "expected " + std::string(choices) + " after " + quoted(ctx.keyword.text));
    }
    return tok;
}

Diagnostic unknown_sub_keyword(StanzaContext& ctx, const Token& tok, std::string_view choices) {
    return ctx.lex.error_at(tok.pos, ParseErrorCode::UnknownStanza,
                            "expected " + std::string(choices) + " after " + quoted(ctx.keyword.text) +
                                ", found " + quoted(tok.text));
}

ParseResult<Token> one_arg(StanzaContext& ctx, std::string_view what) {
    auto arg = ctx.lex.next_arg();
    if (!arg) {
        Diagnostic d = std::move(arg).error();
        if (d.code == ParseErrorCode::ExpectedToken) {
            d.detail = "expected " + std::string(what) + " after " + quoted(ctx.keyword.text);
        }
        return d;
    }
    if (arg->text.empty()) {
        return empty_arg(ctx, *arg, "expected " + std::string(what) + " after " + quoted(ctx.keyword.text));
    }
    return arg;
}

ParseResult<int> signal_arg(StanzaContext& ctx) {
    auto arg = one_arg(ctx, "a signal name or number");
    if (!arg) {
        return std::move(arg).error();
    }
    if (auto sig = core::signal_from_name(arg->text)) {
        return *sig;
    }
    if (auto num = parse_decimal(arg->text, 0, INT_MAX)) {
        return static_cast<int>(*num);
    }
    return ctx.lex.error_at(arg->pos, ParseErrorCode::IllegalSignal,
                            quoted(arg->text) + " is neither a signal name (TERM, SIGHUP, …) nor a number");
}

ParseResult<void> end_stanza(StanzaContext& ctx, std::string detail) {
    auto end = ctx.lex.end_stanza();
    if (!end && !detail.empty()) {
        Diagnostic d = std::move(end).error();
        d.detail = std::move(detail);
        return d;
    }
    return end;
}

} // namespace config::stanza_args
