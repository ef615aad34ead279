// Owns `startctl plot`'s picture: an SVG timeline drawn from a timeline reply — one row per job
// instance, sorted by when it started, with bars for starting, pre-start, spawned (waiting for
// readiness), post-start, running and stopping; failed and respawning rows marked; what each
// job starts on beside its row and in its tooltip. Self-contained: no script, no external font
// or style sheet. Rows get thinner past 150 of them, so 1,000 still fit one picture.
// Not here: asking startd (explain_commands.cpp).
#pragma once

#include "base/result.h"

#include <nlohmann/json.hpp>
#include <string>

namespace cli {

// The window drawn: the start-up (from startd's start until every job that started with it
// first came to rest), or the timeline's from_ms until now (`--since`).
enum class PlotWindow { StartUp, Since };

// The SVG, or why there is nothing to draw. Each bar is a <rect> with data-job, data-instance,
// data-state, data-from-ms and data-to-ms (its wall clock span, clipped to the window); the
// root element carries data-t0-ms, data-left and data-px-per-ms, so x = left + (from - t0) * px.
base::Result<std::string> plot_svg(const nlohmann::json& timeline, PlotWindow window);

} // namespace cli
