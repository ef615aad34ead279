// Owns the stanza handlers and the table that maps keywords to them.
// Each handler follows Upstart 1.x's argument grammar, defaults and error messages.
#include "config/stanzas.h"

#include <algorithm>
#include <array>
#include <climits>

#include "config/event_expr_parser.h"
#include "config/numbers.h"
#include "core/signal_names.h"

namespace config {

namespace {

using core::JobClass;
using core::ProcessType;

// ---- small helpers ---------------------------------------------------------------------------

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// Reads the sub-keyword after a stanza (`respawn limit`, `kill timeout`, `pre-start exec`).
// `raw` follows Upstart: some sub-keywords are matched as written, others after dequoting.
ParseResult<Token> sub_keyword(StanzaContext& ctx, bool raw, std::string_view choices) {
    auto tok = raw ? ctx.lex.next_token() : ctx.lex.next_arg();
    if (!tok) {
        Diagnostic d = std::move(tok).error();
        if (d.code == ParseErrorCode::ExpectedToken) {
            d.detail = "expected " + std::string(choices) + " after " + quoted(ctx.keyword.text);
        }
        return d;
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
    return arg;
}

// A stanza of exactly one (dequoted) argument stored in a string field.
template <std::string JobClass::*Field> ParseResult<void> string_stanza(StanzaContext& ctx) {
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
template <std::vector<std::string> JobClass::*Field> ParseResult<void> list_stanza(StanzaContext& ctx) {
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
    auto& list = ctx.job.*Field;
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

// Signal given by name (with or without SIG) or number, as `kill signal` and `reload signal` take.
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

// ---- processes -----------------------------------------------------------------------------

ParseResult<void> set_exec(StanzaContext& ctx, ProcessType type, Position at) {
    auto cmd = ctx.lex.rest_as_command();
    if (!cmd) {
        return std::move(cmd).error();
    }
    if (auto end = ctx.lex.end_stanza(); !end) {
        return std::move(end).error();
    }
    ctx.job.process(type) = core::Process{false, std::move(cmd->text), at.line};
    return {};
}

ParseResult<void> set_script(StanzaContext& ctx, ProcessType type, Position at) {
    auto body = ctx.lex.script_block(at);
    if (!body) {
        return std::move(body).error();
    }
    ctx.job.process(type) = core::Process{true, std::move(body).value(), at.line};
    return {};
}

ParseResult<void> stanza_exec(StanzaContext& ctx) { return set_exec(ctx, ProcessType::Main, ctx.keyword.pos); }
ParseResult<void> stanza_script(StanzaContext& ctx) {
    return set_script(ctx, ProcessType::Main, ctx.keyword.pos);
}

template <ProcessType Type> ParseResult<void> hook_stanza(StanzaContext& ctx) {
    constexpr std::string_view choices = "'exec' or 'script'";
    auto sub = sub_keyword(ctx, true, choices);
    if (!sub) {
        return std::move(sub).error();
    }
    if (sub->text == "exec") {
        return set_exec(ctx, Type, ctx.keyword.pos);
    }
    if (sub->text == "script") {
        return set_script(ctx, Type, ctx.keyword.pos);
    }
    return unknown_sub_keyword(ctx, *sub, choices);
}

// ---- events --------------------------------------------------------------------------------

template <std::optional<core::EventExpr> JobClass::*Field> ParseResult<void> on_stanza(StanzaContext& ctx) {
    auto sub = sub_keyword(ctx, true, "'on'");
    if (!sub) {
        return std::move(sub).error();
    }
    if (sub->text != "on") {
        return unknown_sub_keyword(ctx, *sub, "'on'");
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

ParseResult<void> stanza_env(StanzaContext& ctx) {
    auto arg = one_arg(ctx, "KEY=VALUE or KEY");
    if (!arg) {
        return std::move(arg).error();
    }
    if (auto end = ctx.lex.end_stanza(); !end) {
        Diagnostic d = std::move(end).error();
        d.detail = "'env' takes one KEY=VALUE; quote the value if it contains spaces";
        return d;
    }
    ctx.job.env.push_back(std::move(arg->text));
    return {};
}

// ---- respawn, exit, expect, kill -----------------------------------------------------------

ParseResult<void> stanza_respawn(StanzaContext& ctx) {
    if (ctx.lex.at_end_of_stanza()) {
        ctx.job.respawn = true;
        return ctx.lex.end_stanza();
    }
    auto sub = sub_keyword(ctx, true, "'limit'");
    if (!sub) {
        return std::move(sub).error();
    }
    if (sub->text != "limit") {
        return unknown_sub_keyword(ctx, *sub, "nothing or 'limit'");
    }
    auto count = one_arg(ctx, "COUNT INTERVAL or 'unlimited'");
    if (!count) {
        return std::move(count).error();
    }
    if (count->text == "unlimited") {
        if (auto end = ctx.lex.end_stanza(); !end) {
            return std::move(end).error();
        }
        ctx.job.respawn_limit = 0;
        ctx.job.respawn_interval = 0;
        return {};
    }
    auto limit = parse_decimal(count->text, 0, INT_MAX);
    if (!limit) {
        return ctx.lex.error_at(count->pos, ParseErrorCode::IllegalLimit,
                                "respawn COUNT must be a whole number >= 0, found " + quoted(count->text));
    }
    auto interval_tok = one_arg(ctx, "an INTERVAL in seconds after the COUNT");
    if (!interval_tok) {
        return std::move(interval_tok).error();
    }
    auto interval = parse_decimal(interval_tok->text, 0, INT_MAX);
    if (!interval) {
        return ctx.lex.error_at(interval_tok->pos, ParseErrorCode::IllegalInterval,
                                "respawn INTERVAL must be whole seconds >= 0, found " + quoted(interval_tok->text));
    }
    if (auto end = ctx.lex.end_stanza(); !end) {
        return std::move(end).error();
    }
    ctx.job.respawn_limit = static_cast<unsigned>(*limit);
    ctx.job.respawn_interval = static_cast<unsigned>(*interval);
    return {};
}

ParseResult<void> stanza_normal(StanzaContext& ctx) {
    auto sub = sub_keyword(ctx, true, "'exit'");
    if (!sub) {
        return std::move(sub).error();
    }
    if (sub->text != "exit") {
        return unknown_sub_keyword(ctx, *sub, "'exit'");
    }
    std::vector<core::NormalExit> values;
    do {
        auto arg = one_arg(ctx, "exit statuses or signal names");
        if (!arg) {
            return std::move(arg).error();
        }
        if (auto status = parse_decimal(arg->text, 0, INT_MAX)) {
            values.push_back({static_cast<int>(*status), false});
        } else if (auto sig = core::signal_from_name(arg->text)) {
            values.push_back({*sig, true});
        } else {
            return ctx.lex.error_at(arg->pos, ParseErrorCode::IllegalExitStatus,
                                    quoted(arg->text) + " is neither an exit status >= 0 nor a signal name");
        }
    } while (!ctx.lex.at_end_of_stanza());
    if (auto end = ctx.lex.end_stanza(); !end) {
        return std::move(end).error();
    }
    ctx.job.normal_exit.insert(ctx.job.normal_exit.end(), values.begin(), values.end());
    return {};
}

ParseResult<void> stanza_expect(StanzaContext& ctx) {
    constexpr std::string_view choices = "'fork', 'daemon', 'stop', 'notify' or 'none'";
    auto arg = sub_keyword(ctx, false, choices);
    if (!arg) {
        return std::move(arg).error();
    }
    auto type = core::expect_type_from_string(arg->text);
    if (!type) {
        return unknown_sub_keyword(ctx, *arg, choices);
    }
    if (auto end = ctx.lex.end_stanza(); !end) {
        return std::move(end).error();
    }
    ctx.job.expect = *type;
    return {};
}

ParseResult<void> stanza_kill(StanzaContext& ctx) {
    constexpr std::string_view choices = "'timeout' or 'signal'";
    auto sub = sub_keyword(ctx, true, choices);
    if (!sub) {
        return std::move(sub).error();
    }
    if (sub->text == "timeout") {
        auto arg = one_arg(ctx, "a number of seconds");
        if (!arg) {
            return std::move(arg).error();
        }
        auto secs = parse_decimal(arg->text, 0, INT_MAX);
        if (!secs) {
            return ctx.lex.error_at(arg->pos, ParseErrorCode::IllegalInterval,
                                    "kill timeout must be whole seconds >= 0, found " + quoted(arg->text));
        }
        if (auto end = ctx.lex.end_stanza(); !end) {
            return std::move(end).error();
        }
        ctx.job.kill_timeout = static_cast<unsigned>(*secs);
        return {};
    }
    if (sub->text == "signal") {
        auto sig = signal_arg(ctx);
        if (!sig) {
            return std::move(sig).error();
        }
        if (auto end = ctx.lex.end_stanza(); !end) {
            return std::move(end).error();
        }
        ctx.job.kill_signal = *sig;
        return {};
    }
    return unknown_sub_keyword(ctx, *sub, choices);
}

ParseResult<void> stanza_reload(StanzaContext& ctx) {
    auto sub = sub_keyword(ctx, true, "'signal'");
    if (!sub) {
        return std::move(sub).error();
    }
    if (sub->text != "signal") {
        return unknown_sub_keyword(ctx, *sub, "'signal'");
    }
    auto sig = signal_arg(ctx);
    if (!sig) {
        return std::move(sig).error();
    }
    if (auto end = ctx.lex.end_stanza(); !end) {
        return std::move(end).error();
    }
    ctx.job.reload_signal = *sig;
    return {};
}

// ---- process environment -------------------------------------------------------------------

ParseResult<void> stanza_console(StanzaContext& ctx) {
    constexpr std::string_view choices = "'none', 'output', 'owner' or 'log'";
    auto arg = sub_keyword(ctx, false, choices);
    if (!arg) {
        return std::move(arg).error();
    }
    auto type = core::console_type_from_string(arg->text);
    if (!type) {
        return unknown_sub_keyword(ctx, *arg, choices);
    }
    if (auto end = ctx.lex.end_stanza(); !end) {
        return std::move(end).error();
    }
    ctx.job.console = *type;
    return {};
}

ParseResult<void> stanza_umask(StanzaContext& ctx) {
    auto arg = one_arg(ctx, "an octal file creation mask");
    if (!arg) {
        return std::move(arg).error();
    }
    auto mask = parse_octal(arg->text, 0777);
    if (!mask) {
        return ctx.lex.error_at(arg->pos, ParseErrorCode::IllegalUmask,
                                "expected an octal value from 0 to 0777, found " + quoted(arg->text));
    }
    if (auto end = ctx.lex.end_stanza(); !end) {
        return std::move(end).error();
    }
    ctx.job.umask = static_cast<mode_t>(*mask);
    return {};
}

ParseResult<void> stanza_nice(StanzaContext& ctx) {
    auto arg = one_arg(ctx, "a nice value from -20 to 19");
    if (!arg) {
        return std::move(arg).error();
    }
    auto value = parse_decimal(arg->text, -20, 19);
    if (!value) {
        return ctx.lex.error_at(arg->pos, ParseErrorCode::IllegalNice, "found " + quoted(arg->text));
    }
    if (auto end = ctx.lex.end_stanza(); !end) {
        return std::move(end).error();
    }
    ctx.job.nice = static_cast<int>(*value);
    return {};
}

// `oom score N|never` (-1000..1000) or the legacy `oom N|never` (-17..15, scaled to a score).
ParseResult<void> stanza_oom(StanzaContext& ctx) {
    auto arg = one_arg(ctx, "'score', an adjustment or 'never'");
    if (!arg) {
        return std::move(arg).error();
    }
    int score = 0;
    if (arg->text == "score") {
        auto value = one_arg(ctx, "a score from -1000 to 1000 or 'never'");
        if (!value) {
            return std::move(value).error();
        }
        if (value->text == "never") {
            score = -1000;
        } else if (auto num = parse_decimal(value->text, -1000, 1000)) {
            score = static_cast<int>(*num);
        } else {
            return ctx.lex.error_at(value->pos, ParseErrorCode::IllegalOomScore, "found " + quoted(value->text));
        }
    } else if (arg->text == "never") {
        score = -1000;
    } else if (auto num = parse_decimal(arg->text, -17, 15)) {
        score = static_cast<int>(*num < 0 ? *num * 1000 / 17 : *num * 1000 / 15);
    } else {
        return ctx.lex.error_at(arg->pos, ParseErrorCode::IllegalOom, "found " + quoted(arg->text));
    }
    if (auto end = ctx.lex.end_stanza(); !end) {
        return std::move(end).error();
    }
    ctx.job.oom_score = score;
    return {};
}

ParseResult<rlim_t> limit_value(StanzaContext& ctx, std::string_view which) {
    auto arg = one_arg(ctx, std::string(which) + " limit ('unlimited' or a number)");
    if (!arg) {
        return std::move(arg).error();
    }
    if (arg->text == "unlimited") {
        return RLIM_INFINITY;
    }
    auto value = parse_unsigned_wrapping(arg->text);
    if (!value) {
        return ctx.lex.error_at(arg->pos, ParseErrorCode::IllegalLimit,
                                std::string(which) + " limit " + quoted(arg->text) + " is not a number");
    }
    return static_cast<rlim_t>(*value);
}

ParseResult<void> stanza_limit(StanzaContext& ctx) {
    auto res = one_arg(ctx, "a resource name");
    if (!res) {
        return std::move(res).error();
    }
    auto resource = core::limit_resource_from_string(res->text);
    if (!resource) {
        return ctx.lex.error_at(res->pos, ParseErrorCode::UnknownStanza,
                                "unknown resource " + quoted(res->text) +
                                    "; expected one of as, core, cpu, data, fsize, memlock, msgqueue, nice, "
                                    "nofile, nproc, rss, rtprio, sigpending, stack");
    }
    auto soft = limit_value(ctx, "soft");
    if (!soft) {
        return std::move(soft).error();
    }
    auto hard = limit_value(ctx, "hard");
    if (!hard) {
        return std::move(hard).error();
    }
    if (auto end = ctx.lex.end_stanza(); !end) {
        return std::move(end).error();
    }
    auto& limits = ctx.job.limits;
    auto it = std::find_if(limits.begin(), limits.end(), [&](const auto& l) { return l.first == *resource; });
    core::ResourceLimit value{*soft, *hard};
    if (it != limits.end()) {
        it->second = value;
    } else {
        limits.emplace_back(*resource, value);
    }
    return {};
}

// ---- security ------------------------------------------------------------------------------

ParseResult<void> stanza_apparmor(StanzaContext& ctx) {
    constexpr std::string_view choices = "'load' or 'switch'";
    auto sub = sub_keyword(ctx, true, choices);
    if (!sub) {
        return std::move(sub).error();
    }
    std::string JobClass::*field = nullptr;
    if (sub->text == "load") {
        field = &JobClass::apparmor_load;
    } else if (sub->text == "switch") {
        field = &JobClass::apparmor_switch;
    } else {
        return unknown_sub_keyword(ctx, *sub, choices);
    }
    auto arg = one_arg(ctx, sub->text == "load" ? "a profile path" : "a profile name");
    if (!arg) {
        return std::move(arg).error();
    }
    if (auto end = ctx.lex.end_stanza(); !end) {
        return std::move(end).error();
    }
    ctx.job.*field = std::move(arg->text);
    return {};
}

// `cgroup CONTROLLER [NAME] [KEY VALUE]`: 1 to 4 arguments; three mean CONTROLLER KEY VALUE.
ParseResult<void> stanza_cgroup(StanzaContext& ctx) {
    std::vector<Token> args;
    do {
        auto arg = one_arg(ctx, "a controller name");
        if (!arg) {
            return std::move(arg).error();
        }
        if (args.size() == 4) {
            return ctx.lex.error_at(arg->pos, ParseErrorCode::UnexpectedToken,
                                    "'cgroup' takes CONTROLLER [NAME] [KEY VALUE]");
        }
        args.push_back(std::move(arg).value());
    } while (!ctx.lex.at_end_of_stanza());
    if (auto end = ctx.lex.end_stanza(); !end) {
        return std::move(end).error();
    }
    core::CgroupSetting setting;
    setting.controller = std::move(args[0].text);
    if (args.size() == 2 || args.size() == 4) {
        setting.name = std::move(args[1].text);
    }
    if (args.size() >= 3) {
        setting.key = std::move(args[args.size() - 2].text);
        setting.value = std::move(args[args.size() - 1].text);
    }
    auto& groups = ctx.job.cgroups;
    // The same controller, group and key set again replaces the earlier value.
    auto same = std::find_if(groups.begin(), groups.end(), [&](const core::CgroupSetting& g) {
        return g.controller == setting.controller && g.name == setting.name && g.key == setting.key;
    });
    if (same != groups.end()) {
        *same = std::move(setting);
    } else {
        groups.push_back(std::move(setting));
    }
    return {};
}

// ---- the table -----------------------------------------------------------------------------

constexpr auto last = Repeat::LastWins;
constexpr auto accumulates = Repeat::Accumulates;

// In the order of init(5): process definitions, events, documentation, environment, services
// and tasks, instances, process environment, then the extensions Upstart added later.
constexpr std::array<Stanza, 35> table = {{
    {"exec", stanza_exec, last},
    {"script", stanza_script, last},
    {"pre-start", hook_stanza<ProcessType::PreStart>, last},
    {"post-start", hook_stanza<ProcessType::PostStart>, last},
    {"pre-stop", hook_stanza<ProcessType::PreStop>, last},
    {"post-stop", hook_stanza<ProcessType::PostStop>, last},
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
