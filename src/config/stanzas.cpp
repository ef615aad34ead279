// Owns the stanza table (one row per init(5) stanza) and the stanzas that only record text,
// lists, flags or event expressions. Handlers with more logic live in stanzas_lifecycle.cpp and
// stanzas_environment.cpp.
#include "config/stanzas.h"

#include <algorithm>
#include <array>

#include "config/event_expr_parser.h"
#include "config/stanza_args.h"
#include "config/stanza_handlers.h"

namespace config {

namespace {

using namespace stanza_args;
using namespace stanza_handlers;
using core::JobClass;
using core::ProcessType;

// A stanza of exactly one (dequoted) argument stored in a string field.
template <base::CompactString JobClass::*Field> ParseResult<void> string_stanza(StanzaContext& ctx) {
    auto arg = one_arg(ctx, "one argument (quote it if it has spaces)");
    if (!arg) {
        return std::move(arg).error();
    }
    if (auto end = ctx.lex.end_stanza(); !end) {
        Diagnostic d = std::move(end).error();
        d.detail = quoted(ctx.keyword.text) + " takes one argument; quote it if it contains spaces";
        return d;
    }
    ctx.job.*Field = std::move(arg->text);
    return {};
}

// A stanza of one or more arguments appended to a list.
template <base::BoxedVector<std::string> JobClass::*Field> ParseResult<void> list_stanza(StanzaContext& ctx) {
    std::vector<std::string> values;
    do {
        auto arg = one_arg(ctx, "at least one argument");
        if (!arg) {
            return std::move(arg).error();
        }
        values.push_back(std::move(arg->text));
    } while (!ctx.lex.at_end_of_stanza());
    if (auto end = ctx.lex.end_stanza(); !end) {
        return std::move(end).error();
    }
    auto& list = (ctx.job.*Field).edit();
    list.insert(list.end(), std::make_move_iterator(values.begin()), std::make_move_iterator(values.end()));
    return {};
}

// A stanza with no arguments that sets a flag (`task`).
template <bool JobClass::*Field> ParseResult<void> flag_stanza(StanzaContext& ctx) {
    if (auto end = ctx.lex.end_stanza(); !end) {
        Diagnostic d = std::move(end).error();
        d.detail = quoted(ctx.keyword.text) + " takes no arguments";
        return d;
    }
    ctx.job.*Field = true;
    return {};
}

template <std::optional<core::EventExpr> JobClass::*Field> ParseResult<void> on_stanza(StanzaContext& ctx) {
    auto sub = sub_keyword(ctx, true, "'on'");
    if (!sub) {
        return std::move(sub).error();
    }
    if (sub->text != "on") {
        return unknown_sub_keyword(ctx, *sub, "'on'");
    }
    if (ctx.lex.at_end_of_stanza()) {
        // Upstart reports a missing expression as a missing token (its test_parse_job.c checks this).
        return ctx.lex.error_here(ParseErrorCode::ExpectedToken, "expected an event expression after 'on'");
    }
    auto expr = parse_event_expr(ctx.lex);
    if (!expr) {
        return std::move(expr).error();
    }
    if (auto end = ctx.lex.end_stanza(); !end) {
        return std::move(end).error();
    }
    ctx.job.*Field = std::move(expr).value();
    return {};
}

// `manual` clears an earlier `start on` and, like Upstart's, does not consume the rest of its line.
ParseResult<void> stanza_manual(StanzaContext& ctx) {
    ctx.job.manual = true;
    ctx.job.start_on.reset();
    return {};
}

// `debug` is accepted anywhere on a line, as in Upstart.
ParseResult<void> stanza_debug(StanzaContext& ctx) {
    ctx.job.debug = true;
    return {};
}

// ---- the table -----------------------------------------------------------------------------

constexpr auto last = Repeat::LastWins;
constexpr auto accumulates = Repeat::Accumulates;

// In the order of init(5): process definitions, events, documentation, environment, services
// and tasks, instances, process environment, then the extensions Upstart added later, then
// startd's own.
constexpr std::array<Stanza, 36> table = {{
    {"exec", stanza_exec, last},
    {"script", stanza_script, last},
    {"pre-start", stanza_pre_start, last},
    {"post-start", stanza_post_start, last},
    {"pre-stop", stanza_pre_stop, last},
    {"post-stop", stanza_post_stop, last},
    {"start", on_stanza<&JobClass::start_on>, last},
    {"stop", on_stanza<&JobClass::stop_on>, last},
    {"manual", stanza_manual, last},
    {"emits", list_stanza<&JobClass::emits>, accumulates},
    {"description", string_stanza<&JobClass::description>, last},
    {"author", string_stanza<&JobClass::author>, last},
    {"version", string_stanza<&JobClass::version>, last},
    {"usage", string_stanza<&JobClass::usage>, last},
    {"env", stanza_env, accumulates},
    {"export", list_stanza<&JobClass::exports>, accumulates},
    {"task", flag_stanza<&JobClass::task>, last},
    {"respawn", stanza_respawn, last},
    {"normal", stanza_normal, accumulates},
    {"instance", string_stanza<&JobClass::instance>, last},
    {"expect", stanza_expect, last},
    {"kill", stanza_kill, last},
    {"reload", stanza_reload, last},
    {"console", stanza_console, last},
    {"umask", stanza_umask, last},
    {"nice", stanza_nice, last},
    {"oom", stanza_oom, last},
    {"limit", stanza_limit, accumulates},
    {"chroot", string_stanza<&JobClass::chroot>, last},
    {"chdir", string_stanza<&JobClass::chdir>, last},
    {"setuid", string_stanza<&JobClass::setuid>, last},
    {"setgid", string_stanza<&JobClass::setgid>, last},
    {"apparmor", stanza_apparmor, last},
    {"cgroup", stanza_cgroup, accumulates},
    {"debug", stanza_debug, last},
    // startd's own (core/extension_stanzas lists them for --check):
    {"timer", stanza_timer, accumulates},
}};

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

} // namespace

std::span<const Stanza> stanza_table() { return table; }

const Stanza* find_stanza(std::string_view keyword) {
    for (const Stanza& row : stanza_table()) {
        if (row.name == keyword) {
            return &row;
        }
    }
    return nullptr;
}

std::string_view closest_stanza(std::string_view keyword) {
    if (keyword.size() > 64) {
        return {};
    }
    std::string_view best;
    std::size_t best_distance = 3; // suggest only near misses
    for (const Stanza& row : stanza_table()) {
        std::size_t d = edit_distance(keyword, row.name);
        if (d < best_distance) {
            best_distance = d;
            best = row.name;
        }
    }
    return best;
}

} // namespace config
