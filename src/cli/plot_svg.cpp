// Owns the SVG timeline of job state changes.
#include "cli/plot_svg.h"

#include "base/duration_text.h"
#include "cli/when_text.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <vector>

namespace cli {

using nlohmann::json;

namespace {

// The start-up goes on while jobs keep changing state: a job has come to rest once it reached
// running or waiting and made no change for this long (a crash loop goes on, a respawn after
// hours does not), and a job that starts later than this after every other came to rest is not
// part of it.
constexpr std::int64_t start_up_quiet_ms = 5000;

struct Bar {
    std::string state;
    std::int64_t from = 0;
    std::int64_t to = 0;
    bool failed = false;
};

struct Row {
    std::string job;
    std::string instance;
    std::vector<Bar> bars;
    std::int64_t first = 0;     // its first change
    std::int64_t settled = -1;  // when it came to rest (running or waiting) in its first burst of changes
    std::int64_t last_at = 0;   // its last change
    bool in_first_burst = true; // no pause of start_up_quiet_ms between its changes yet
    std::string open_state;     // the state it is in after its last change ("" once waiting)
    std::int64_t open_from = 0;
    bool open_failed = false;
    bool failed = false;
    int respawns = 0;
    bool changed_in_window = false;
};

struct StateStyle {
    const char* state;
    const char* color;
    const char* legend;
};

constexpr StateStyle styles[] = {
    {"starting", "#b8b8b8", "starting (its starting event)"},
    {"security", "#b8b8b8", nullptr},
    {"pre-start", "#e6c229", "pre-start"},
    {"spawned", "#f08a24", "spawned (waiting for readiness)"},
    {"post-start", "#9ccf6a", "post-start"},
    {"running", "#3a9a3a", "running"},
    {"pre-stop", "#d9a0a0", "stopping (pre-stop … post-stop)"},
    {"stopping", "#d9a0a0", nullptr},
    {"killed", "#d9a0a0", nullptr},
    {"post-stop", "#d9a0a0", nullptr},
};

const char* color_of(const std::string& state) {
    for (const StateStyle& s : styles) {
        if (state == s.state) {
            return s.color;
        }
    }
    return "#808080";
}

std::string escaped(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '&':
            out += "&amp;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            if (static_cast<unsigned char>(c) >= 0x20 || c == '\t') {
                out += c;
            }
        }
    }
    return out;
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

std::int64_t tick_step(std::int64_t span, double width_px) {
    std::int64_t want =
        std::max<std::int64_t>(1, static_cast<std::int64_t>(span / std::max(1.0, width_px / 90)));
    for (std::int64_t magnitude = 1;; magnitude *= 10) {
        for (std::int64_t m : {1, 2, 5}) {
            if (m * magnitude >= want) {
                return m * magnitude;
            }
        }
    }
}

std::string offset_text(std::int64_t ms) {
    if (ms == 0) {
        return "0";
    }
    if (ms % 1000 == 0) {
        return "+" + std::to_string(ms / 1000) + " s";
    }
    if (ms < 1000) {
        return "+" + std::to_string(ms) + " ms";
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "+%.1f s", static_cast<double>(ms) / 1000.0);
    return buf;
}

} // namespace

base::Result<std::string> plot_svg(const json& timeline, PlotWindow window) {
    const std::int64_t now = timeline.value("now_ms", std::int64_t{0});
    const json& conditions = timeline.contains("start_on") ? timeline["start_on"] : json::object();
    std::map<std::pair<std::string, std::string>, Row> rows;
    for (const json& t : timeline.value("transitions", json::array())) {
        std::string job = t.value("job", std::string());
        std::string instance = t.value("instance", std::string());
        std::string state = t.value("state", std::string());
        std::int64_t at = t.value("t_ms", std::int64_t{0});
        Row& row = rows[{job, instance}];
        if (row.job.empty()) {
            row.job = job;
            row.instance = instance;
            row.first = at;
            row.last_at = at;
        }
        if (!row.open_state.empty()) {
            row.bars.push_back(Bar{row.open_state, row.open_from, at, row.open_failed});
            if (state == "starting" && row.open_state == "post-stop") {
                ++row.respawns; // back round without resting: a respawn
            }
        }
        bool failed = t.value("failed", false);
        row.failed = row.failed || failed;
        row.in_first_burst = row.in_first_burst && at - row.last_at <= start_up_quiet_ms;
        if ((state == "running" || state == "waiting") && !row.bars.empty() &&
            (row.in_first_burst || row.settled < 0)) {
            row.settled = at;
        }
        row.last_at = at;
        row.open_state = state == "waiting" ? std::string() : state;
        row.open_from = at;
        row.open_failed = failed;
    }
    for (auto& [key, row] : rows) {
        if (!row.open_state.empty()) {
            row.bars.push_back(Bar{row.open_state, row.open_from, now, row.open_failed});
        }
    }

    std::int64_t t0 = 0;
    std::int64_t t1 = now;
    if (window == PlotWindow::Since) {
        t0 = timeline.value("from_ms", now);
    } else {
        // The start-up: jobs that started while others were still starting, or within
        // start_up_quiet_ms of the last coming to rest.
        t0 = timeline.value("started_ms", now);
        std::vector<const Row*> by_first;
        for (const auto& [key, row] : rows) {
            by_first.push_back(&row);
        }
        std::sort(by_first.begin(), by_first.end(),
                  [](const Row* a, const Row* b) { return a->first < b->first; });
        std::int64_t settle = t0;
        for (const Row* row : by_first) {
            if (row->first > settle + start_up_quiet_ms) {
                break;
            }
            settle = std::max(settle, row->settled >= 0 ? row->settled : row->first);
        }
        t1 = std::max(settle, t0 + 1);
    }
    std::vector<Row*> shown;
    for (auto& [key, row] : rows) {
        bool in = window == PlotWindow::Since
                      ? std::any_of(row.bars.begin(), row.bars.end(),
                                    [&](const Bar& b) { return b.from >= t0 || (b.to > t0 && b.to < now); })
                      : row.first <= t1;
        if (in && !row.bars.empty()) {
            shown.push_back(&row);
        }
    }
    if (shown.empty()) {
        return base::Error(window == PlotWindow::Since ? "no job changed state in that window"
                                                       : "no job changed state since startd started");
    }
    // A little room after the last change, so the last bar is seen to end.
    t1 += std::max<std::int64_t>((t1 - t0) / 50, 1);
    auto start_of = [&](const Row* r) { return std::max(r->bars.front().from, t0); };
    std::stable_sort(shown.begin(), shown.end(),
                     [&](const Row* a, const Row* b) { return start_of(a) < start_of(b); });

    const std::size_t n = shown.size();
    const double row_h = std::clamp(16.0 * 150.0 / static_cast<double>(n), 4.0, 16.0);
    const double font = std::clamp(row_h - 4.0, 4.0, 11.0);
    const double inset = row_h >= 8 ? 1.0 : 0.5; // the gap above and below a bar: thin rows stay solid
    std::size_t longest = 0;
    for (const Row* r : shown) {
        longest = std::max(longest, r->job.size() + (r->instance.empty() ? 0 : r->instance.size() + 3) + 5);
    }
    const double left = std::clamp(static_cast<double>(longest) * font * 0.62 + 10, 80.0, 320.0);
    const double chart_w = 1100;
    const double legend_h = 58;
    const double top = legend_h + 24;
    const double height = top + row_h * static_cast<double>(n) + 24;
    const double width = left + chart_w + 20;
    const double px = chart_w / static_cast<double>(t1 - t0);
    auto x_of = [&](std::int64_t t) { return left + static_cast<double>(t - t0) * px; };

    std::string svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(width) + "\" height=\"" + num(height) +
           "\" viewBox=\"0 0 " + num(width) + " " + num(height) +
           "\" font-family=\"sans-serif\" data-t0-ms=\"" + std::to_string(t0) + "\" data-left=\"" +
           num(left) + "\" data-px-per-ms=\"" + std::to_string(px) + "\">\n";
    svg += "<rect x=\"0\" y=\"0\" width=\"" + num(width) + "\" height=\"" + num(height) +
           "\" fill=\"#ffffff\"/>\n";
    std::string title = window == PlotWindow::Since ? "startd: job states since " : "startd start-up from ";
    title += when_text(t0, now).substr(0, 19) + ", " +
             base::duration_text(std::chrono::milliseconds(t1 - t0)) + " shown, " + std::to_string(n) +
             " job instance" + (n == 1 ? "" : "s");
    if (timeline.value("dropped", 0) > 0) {
        title += " (" + std::to_string(timeline.value("dropped", 0)) + " older changes were not kept)";
    }
    svg += "<text x=\"10\" y=\"18\" font-size=\"13\" font-weight=\"bold\">" + escaped(title) + "</text>\n";
    // Legend.
    double lx = 10;
    for (const StateStyle& s : styles) {
        if (s.legend == nullptr) {
            continue;
        }
        svg += "<rect x=\"" + num(lx) + "\" y=\"28\" width=\"12\" height=\"10\" fill=\"" + s.color + "\"/>";
        svg +=
            "<text x=\"" + num(lx + 16) + "\" y=\"37\" font-size=\"10\">" + escaped(s.legend) + "</text>\n";
        lx += 22 + static_cast<double>(std::string(s.legend).size()) * 5.6;
    }
    svg += "<rect x=\"10\" y=\"44\" width=\"12\" height=\"10\" fill=\"#ffffff\" stroke=\"#d00000\" "
           "stroke-width=\"2\"/>"
           "<text x=\"26\" y=\"53\" font-size=\"10\">failed (✗)</text>\n";
    svg += "<text x=\"100\" y=\"53\" font-size=\"10\">↻N: respawned N times</text>\n";
    svg += "<text x=\"230\" y=\"53\" font-size=\"10\" fill=\"#606060\">grey text: what the job starts on "
           "(hover a bar for its state and length)</text>\n";
    // Time axis and grid.
    std::int64_t step = tick_step(t1 - t0, chart_w);
    double bottom = top + row_h * static_cast<double>(n);
    for (std::int64_t off = 0; t0 + off <= t1; off += step) {
        double x = x_of(t0 + off);
        svg += "<line x1=\"" + num(x) + "\" y1=\"" + num(top - 4) + "\" x2=\"" + num(x) + "\" y2=\"" +
               num(bottom) + "\" stroke=\"#e4e4e4\" stroke-width=\"1\"/>";
        svg += "<text x=\"" + num(x) + "\" y=\"" + num(top - 7) +
               "\" font-size=\"9\" text-anchor=\"middle\" "
               "fill=\"#404040\">" +
               offset_text(off) + "</text>\n";
    }
    // Rows.
    for (std::size_t i = 0; i < n; ++i) {
        const Row& r = *shown[i];
        double y = top + row_h * static_cast<double>(i);
        if (i % 2 == 1) {
            svg += "<rect x=\"0\" y=\"" + num(y) + "\" width=\"" + num(width) + "\" height=\"" + num(row_h) +
                   "\" fill=\"#f6f6f6\"/>\n";
        }
        std::string label = r.job + (r.instance.empty() ? "" : " (" + r.instance + ")");
        std::string marks =
            std::string(r.failed ? " ✗" : "") + (r.respawns > 0 ? " ↻" + std::to_string(r.respawns) : "");
        std::string condition = conditions.contains(r.job) && conditions[r.job].is_string()
                                    ? conditions[r.job].get<std::string>()
                                    : std::string();
        svg += "<text x=\"" + num(left - 6) + "\" y=\"" + num(y + row_h * 0.5 + font * 0.35) +
               "\" font-size=\"" + num(font) + "\" text-anchor=\"end\"" +
               (r.failed ? " fill=\"#b00000\"" : "") + "><title>" +
               escaped(label + (condition.empty() ? "" : ": start on " + condition)) + "</title>" +
               escaped(label + marks) + "</text>\n";
        double end_x = left;
        double last_x = left; // the last bar drawn, where the condition goes when nothing fits after it
        double last_w = 0;
        for (const Bar& b : r.bars) {
            std::int64_t from = std::max(b.from, t0);
            std::int64_t to = std::min(b.to, t1);
            if (to < from || (to == from && b.to != b.from)) {
                continue; // outside the window
            }
            double x = x_of(from);
            double w = std::max(static_cast<double>(to - from) * px, 1.0);
            end_x = std::max(end_x, x + w);
            last_x = x;
            last_w = w;
            svg += "<rect x=\"" + num(x) + "\" y=\"" + num(y + inset) + "\" width=\"" + num(w) + "\" height=\"" +
                   num(row_h - 2 * inset) + "\" fill=\"" + color_of(b.state) + "\"" +
                   (b.failed ? " stroke=\"#d00000\" stroke-width=\"1.5\"" : "") + " data-job=\"" +
                   escaped(r.job) + "\" data-instance=\"" + escaped(r.instance) + "\" data-state=\"" +
                   escaped(b.state) + "\" data-from-ms=\"" + std::to_string(from) + "\" data-to-ms=\"" +
                   std::to_string(to) + "\"><title>" +
                   escaped(label + ": " + b.state + " " +
                           base::duration_text(std::chrono::milliseconds(b.to - b.from)) + ", from " +
                           offset_text(std::max<std::int64_t>(b.from - t0, 0))) +
                   "</title></rect>\n";
        }
        double text_w = static_cast<double>(condition.size() + 9) * (font - 1) * 0.55;
        // What the job starts on: after its last bar, or inside it (a job still running).
        bool after = end_x + 4 + text_w < width;
        if (!condition.empty() && row_h >= 10 && (after || last_w > text_w + 8)) {
            svg += "<text x=\"" + num(after ? end_x + 4 : last_x + 4) + "\" y=\"" +
                   num(y + row_h * 0.5 + font * 0.35) + "\" font-size=\"" + num(font - 1) + "\" fill=\"" +
                   (after ? "#707070" : "#ffffff") + "\">" + escaped("start on " + condition) + "</text>\n";
        }
    }
    svg += "</svg>\n";
    return svg;
}

} // namespace cli
