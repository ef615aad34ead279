// Owns the handlers of the process and lifecycle stanzas: exec, script, the four hooks,
// respawn (with startd's delay and healthy), normal exit, expect, kill and reload.
#include <climits>

#include "config/numbers.h"
#include "config/stanza_args.h"
#include "config/stanza_handlers.h"
#include "core/signal_names.h"

namespace config::stanza_handlers {

using namespace stanza_args;
using core::JobClass;
using core::ProcessType;

namespace {

ParseResult<void> set_exec(StanzaContext& ctx, ProcessType type, Position at) {
    auto cmd = ctx.lex.rest_as_command();
    if (!cmd) {
        return std::move(cmd).error();
    }
    if (auto end = ctx.lex.end_stanza(); !end) {
        return std::move(end).error();
    }
    ctx.job.set_process(type, core::Process{std::move(cmd->text), at.line, false});
    return {};
}

ParseResult<void> set_script(StanzaContext& ctx, ProcessType type, Position at) {
    auto body = ctx.lex.script_block(at);
    if (!body) {
        return std::move(body).error();
    }
    ctx.job.set_process(type, core::Process{std::move(body).value(), at.line, true});
    return {};
}

} // namespace

ParseResult<void> stanza_exec(StanzaContext& ctx) { return set_exec(ctx, ProcessType::Main, ctx.keyword.pos); }
ParseResult<void> stanza_script(StanzaContext& ctx) {
    return set_script(ctx, ProcessType::Main, ctx.keyword.pos);
}

namespace {
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
} // namespace

ParseResult<void> stanza_pre_start(StanzaContext& ctx) { return hook_stanza<ProcessType::PreStart>(ctx); }
ParseResult<void> stanza_post_start(StanzaContext& ctx) { return hook_stanza<ProcessType::PostStart>(ctx); }
ParseResult<void> stanza_pre_stop(StanzaContext& ctx) { return hook_stanza<ProcessType::PreStop>(ctx); }
ParseResult<void> stanza_post_stop(StanzaContext& ctx) { return hook_stanza<ProcessType::PostStop>(ctx); }

namespace {

// The longest delay or healthy time a job may ask for: a day.
constexpr std::uint32_t max_respawn_seconds_ms = 86'400'000;

// One SECONDS argument of `respawn delay`/`respawn healthy`, more than 0, in milliseconds; `what`
// names it in errors.
struct SecondsArg {
    std::uint32_t ms = 0;
    Token token;
};
ParseResult<SecondsArg> respawn_seconds(StanzaContext& ctx, const std::string& what) {
    auto tok = one_arg(ctx, what + " in seconds");
    if (!tok) {
        return std::move(tok).error();
    }
    auto ms = parse_seconds_ms(tok->text, max_respawn_seconds_ms);
    if (!ms || *ms == 0) {
        return ctx.lex.error_at(tok->pos, ParseErrorCode::IllegalInterval,
                                what +
                                    " must be seconds more than 0 and at most 86400 (fractions down to 0.001 "
                                    "allowed), found " +
                                    quoted(tok->text));
    }
    return SecondsArg{*ms, std::move(tok).value()};
}

// `respawn delay MIN MAX` (a startd extension).
ParseResult<void> respawn_delay(StanzaContext& ctx) {
    auto min = respawn_seconds(ctx, "respawn delay MIN");
    if (!min) {
        return std::move(min).error();
    }
    auto max = respawn_seconds(ctx, "respawn delay MAX");
    if (!max) {
        return std::move(max).error();
    }
    if (max->ms < min->ms) {
        return ctx.lex.error_at(max->token.pos, ParseErrorCode::IllegalInterval,
                                "respawn delay MAX must be at least MIN: found MIN " +
                                    quoted(min->token.text) + " and MAX " + quoted(max->token.text));
    }
    if (auto end = ctx.lex.end_stanza(); !end) {
        return std::move(end).error();
    }
    ctx.job.respawn_delay_min_ms = min->ms;
    ctx.job.respawn_delay_max_ms = max->ms;
    return {};
}

// `respawn healthy SECONDS` (a startd extension).
ParseResult<void> respawn_healthy(StanzaContext& ctx) {
    auto seconds = respawn_seconds(ctx, "respawn healthy SECONDS");
    if (!seconds) {
        return std::move(seconds).error();
    }
    if (auto end = ctx.lex.end_stanza(); !end) {
        return std::move(end).error();
    }
    ctx.job.respawn_healthy_ms = seconds->ms;
    return {};
}

} // namespace

ParseResult<void> stanza_respawn(StanzaContext& ctx) {
    if (ctx.lex.at_end_of_stanza()) {
        ctx.job.respawn = true;
        return ctx.lex.end_stanza();
    }
    auto sub = sub_keyword(ctx, true, "'limit', 'delay' or 'healthy'");
    if (!sub) {
        return std::move(sub).error();
    }
    if (sub->text == "delay") {
        return respawn_delay(ctx);
    }
    if (sub->text == "healthy") {
        return respawn_healthy(ctx);
    }
    if (sub->text != "limit") {
        return unknown_sub_keyword(ctx, *sub, "nothing, 'limit', 'delay' or 'healthy'");
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
    auto& normal_exit = ctx.job.normal_exit.edit();
    normal_exit.insert(normal_exit.end(), values.begin(), values.end());
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

} // namespace config::stanza_handlers
