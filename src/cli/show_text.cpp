// Owns the text of `startctl show`.
#include "cli/show_text.h"

#include "cli/format_upstart.h"
#include "cli/when_text.h"
#include "control/job_status_json.h"

namespace cli {

using nlohmann::json;

namespace {

void line(std::string& out, const char* label, const std::string& text) {
    std::string padded = std::string("  ") + label + ":";
    padded.resize(std::max<std::size_t>(padded.size() + 1, 16), ' ');
    out += padded + text + "\n";
}

std::int64_t int_of(const json& v, const char* key) {
    auto it = v.find(key);
    return it != v.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

std::string str_of(const json& v, const char* key) {
    auto it = v.find(key);
    return it != v.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

std::string show_text(const json& status, std::int64_t now_ms) {
    std::string out;
    if (auto parsed = control::status_from_json(status)) {
        out = status_line(*parsed) + "\n";
    } else {
        out = "(unreadable status: " + parsed.error().message() + ")\n";
    }
    if (status.contains("since_ms")) {
        line(out, "since", when_text(int_of(status, "since_ms"), now_ms));
    }
    for (const json& p : status.value("processes", json::array())) {
        if (p.value("type", std::string()) == "main") {
            std::string text = std::to_string(p.value("pid", 0));
            if (status.contains("main_started_ms")) {
                text += ", started " + when_text(int_of(status, "main_started_ms"), now_ms);
            }
            line(out, "main process", text);
        }
    }
    if (auto r = str_of(status, "readiness"); !r.empty()) {
        line(out, "readiness", r == "ready" ? "ready" : "waiting for the daemon to say it is ready");
    }
    if (auto it = status.find("respawns"); it != status.end() && it->is_object()) {
        std::string text = std::to_string(int_of(*it, "count")) + " in the current " +
                           std::to_string(int_of(*it, "interval_s")) + " s window (limit " +
                           std::to_string(int_of(*it, "limit")) + ")";
        line(out, "respawns", text);
    }
    if (auto it = status.find("respawn"); it != status.end() && it->is_object()) {
        line(out, "respawn",
             "attempt " + std::to_string(int_of(*it, "attempt")) + ", due in " +
                 std::to_string(int_of(*it, "due_in_ms")) + " ms");
    }
    if (auto it = status.find("last_exit"); it != status.end() && it->is_object()) {
        line(out, "last exit", str_of(*it, "text") + ", " + ago_text(int_of(*it, "at_ms"), now_ms));
    }
    if (auto it = status.find("stopped"); it != status.end() && it->is_object()) {
        line(out, "stopped", str_of(*it, "text"));
    }
    if (auto f = str_of(status, "failure"); !f.empty()) {
        line(out, "failure", f);
    }
    if (auto it = status.find("log"); it != status.end() && it->is_object()) {
        std::string text = str_of(*it, "path");
        if (int_of(*it, "dropped_lines") != 0 || int_of(*it, "dropped_bytes") != 0) {
            text += " (dropped " + std::to_string(int_of(*it, "dropped_lines")) + " lines, " +
                    std::to_string(int_of(*it, "dropped_bytes")) + " bytes)";
        }
        line(out, "log", text);
    }
    if (auto c = str_of(status, "containment"); !c.empty()) {
        line(out, "contained", c);
    }
    if (status.contains("next_timer")) {
        line(out, "next timer", when_text(int_of(status, "next_timer") * 1000, now_ms));
    }
    return out;
}

} // namespace cli
