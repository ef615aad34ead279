// Owns the handler of startd's `timer` stanza: `timer every DURATION`, `timer cron MIN HOUR DOM
// MON DOW` and `timer missed catch-up|skip`. Schedules accumulate (each is a timer of its own).
#include "config/stanza_args.h"
#include "config/stanza_handlers.h"

namespace config::stanza_handlers {

using namespace stanza_args;

namespace {

constexpr std::string_view timer_choices = "'every', 'cron' or 'missed'";

ParseResult<void> add_timer(StanzaContext& ctx, const Position& at, base::Result<core::TimerSpec> spec) {
    if (!spec) {
        return ctx.lex.error_at(at, ParseErrorCode::IllegalSchedule, spec.error().message());
    }
    if (auto end = end_stanza(ctx); !end) {
        return std::move(end).error();
    }
    for (const core::TimerSpec& existing : ctx.job.timers) {
        if (existing.text == spec->text) {
            return {}; // the same schedule twice is one timer
        }
    }
    ctx.job.timers.edit().push_back(std::move(spec).value());
    return {};
}

} // namespace

ParseResult<void> stanza_timer(StanzaContext& ctx) {
    auto sub = sub_keyword(ctx, false, timer_choices);
    if (!sub) {
        return std::move(sub).error();
    }
    if (sub->text == "every") {
        auto duration = one_arg(ctx, "a DURATION (30s, 5m, 1h30m, 2d) after 'every'");
        if (!duration) {
            return std::move(duration).error();
        }
        return add_timer(ctx, duration->pos, core::every_timer(duration->text));
    }
    if (sub->text == "cron") {
        std::string fields;
        Position at = sub->pos;
        for (const char* field : {"MINUTE", "HOUR", "DAY-OF-MONTH", "MONTH", "DAY-OF-WEEK"}) {
            auto arg =
                one_arg(ctx, std::string("the ") + field + " field of 'cron' (five fields, as crontab(5))");
            if (!arg) {
                return std::move(arg).error();
            }
            if (fields.empty()) {
                at = arg->pos;
            }
            fields += (fields.empty() ? "" : " ") + arg->text;
        }
        return add_timer(ctx, at, core::cron_timer(fields));
    }
    if (sub->text == "missed") {
        auto what = one_arg(ctx, "'catch-up' or 'skip' after 'missed'");
        if (!what) {
            return std::move(what).error();
        }
        if (what->text != "catch-up" && what->text != "skip") {
            return ctx.lex.error_at(what->pos, ParseErrorCode::IllegalSchedule,
                                    "expected 'catch-up' or 'skip' after 'timer missed', found " +
                                        quoted(what->text));
        }
        if (auto end = end_stanza(ctx); !end) {
            return std::move(end).error();
        }
        ctx.job.timer_catch_up = what->text == "catch-up";
        return {};
    }
    return unknown_sub_keyword(ctx, *sub, timer_choices);
}

} // namespace config::stanza_handlers
