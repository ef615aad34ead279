// Owns the enabled/disabled/static classification of a job from its .conf and .override texts.
#include "config/enablement.h"

#include "config/override_edit.h"
#include "config/parser.h"

namespace config {

std::string_view to_string(Enablement e) {
    switch (e) {
    case Enablement::Enabled:
        return "enabled";
    case Enablement::Disabled:
        return "disabled";
    case Enablement::Static:
        return "static";
    }
    return "static";
}

base::Result<EnablementReport> enablement(std::string_view conf_text, std::string_view conf_file,
                                          const std::optional<std::string>& override_text,
                                          std::string_view override_file) {
    auto conf = parse_job(conf_text, conf_file);
    if (!conf) {
        return base::Error(conf.error().to_string());
    }
    // Whether the job starts on events with `text` (if any) layered on its .conf.
    auto starts_on_events = [&](std::string_view text) -> ParseResult<bool> {
        core::JobClass layered = *conf;
        if (auto parsed = parse_job_text(text, override_file, layered); !parsed) {
            return std::move(parsed).error();
        }
        return layered.start_on.has_value();
    };
    EnablementReport report;
    if (!override_text) {
        report.state = conf->start_on ? Enablement::Enabled : Enablement::Static;
        return report;
    }
    auto with_override = starts_on_events(*override_text);
    if (!with_override) {
        report.override_error = with_override.error().to_string();
        report.state = conf->start_on ? Enablement::Enabled : Enablement::Static;
        return report;
    }
    if (*with_override) {
        report.state = Enablement::Enabled;
        return report;
    }
    auto without_manual = remove_manual(*override_text, override_file);
    bool would_start = false;
    if (without_manual) {
        auto started = starts_on_events(*without_manual);
        would_start = started && *started;
    }
    report.state = would_start ? Enablement::Disabled : Enablement::Static;
    return report;
}

} // namespace config
