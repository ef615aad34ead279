// Owns the handlers of the stanzas that shape a process's environment: env, console, umask,
// nice, oom, limit, apparmor and cgroup.
#include <algorithm>

#include "config/numbers.h"
#include "config/stanza_args.h"
#include "config/stanza_handlers.h"

namespace config::stanza_handlers {

using namespace stanza_args;
using core::JobClass;

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
    ctx.job.env.edit().push_back(std::move(arg->text));
    return {};
}

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

namespace {
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

} // namespace

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
    auto& limits = ctx.job.limits.edit();
    auto it = std::find_if(limits.begin(), limits.end(), [&](const auto& l) { return l.first == *resource; });
    core::ResourceLimit value{*soft, *hard};
    if (it != limits.end()) {
        it->second = value;
    } else {
        limits.emplace_back(*resource, value);
    }
    return {};
}

ParseResult<void> stanza_apparmor(StanzaContext& ctx) {
    constexpr std::string_view choices = "'load' or 'switch'";
    auto sub = sub_keyword(ctx, true, choices);
    if (!sub) {
        return std::move(sub).error();
    }
    base::CompactString JobClass::*field = nullptr;
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
    // The same controller, group and key set again replaces the earlier value: parse_job_text
    // merges such repeats once the whole file is read (a search here would be quadratic).
    ctx.job.cgroups.edit().push_back(std::move(setting));
    return {};
}

} // namespace config::stanza_handlers
