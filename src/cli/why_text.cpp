// Owns the text of `startctl why`.
#include "cli/why_text.h"

#include "cli/show_text.h"
#include "cli/when_text.h"

namespace cli {

using nlohmann::json;

namespace {

std::string operand_text(const json& leaf) {
    std::string text = leaf.value("event", std::string());
    for (const json& a : leaf.value("args", json::array())) {
        if (a.is_string()) {
            text += " " + a.get<std::string>();
        }
    }
    return text;
}

// One line per node, indented by depth; operands say matched or waiting.
void tree_lines(std::string& out, const json& node, int depth, std::int64_t now_ms) {
    std::string indent(static_cast<std::size_t>(2 + 2 * depth), ' ');
    if (node.contains("op")) {
        bool all = node.value("op", std::string()) == "and";
        out +=
            indent + (node.value("matched", false) ? "[x] " : "[ ] ") + (all ? "all of:" : "any of:") + "\n";
        for (const json& child : node.value("operands", json::array())) {
            tree_lines(out, child, depth + 1, now_ms);
        }
        return;
    }
    std::string text = indent + (node.value("matched", false) ? "[x] " : "[ ] ") + operand_text(node);
    if (auto by = node.find("by"); by != node.end() && by->is_object()) {
        text += "  <- matched by " + by->value("event", std::string());
        for (const json& kv : by->value("env", json::array())) {
            if (kv.is_string()) {
                text += " " + kv.get<std::string>();
            }
        }
        text += ", " + ago_text(by->value("at_ms", std::int64_t{0}), now_ms);
    } else {
        text += "  (waiting)";
    }
    out += text + "\n";
}

} // namespace

std::string tree_line(const json& node) {
    if (!node.contains("op")) {
        return operand_text(node);
    }
    std::string sep = " " + node.value("op", std::string("and")) + " ";
    std::string text = "(";
    bool first = true;
    for (const json& child : node.value("operands", json::array())) {
        text += (first ? "" : sep) + tree_line(child);
        first = false;
    }
    return text + ")";
}

std::string why_text(const json& why, std::int64_t now_ms) {
    std::string out = show_text(why.value("status", json::object()), now_ms);
    for (const char* key : {"start_on", "stop_on"}) {
        auto it = why.find(key);
        if (it == why.end() || it->is_null()) {
            out += std::string(key[2] == 'a' ? "start on" : "stop on") + ": (none)\n";
            continue;
        }
        out += std::string(key[2] == 'a' ? "start on" : "stop on") + ": " + tree_line(*it) + "\n";
        tree_lines(out, *it, 0, now_ms);
    }
    const json events = why.value("events", json::array());
    if (!events.empty()) {
        out += "events:\n";
        for (const json& e : events) {
            std::string name = e.value("name", std::string());
            auto last = e.find("last_emitted_ms");
            if (last == e.end() || !last->is_number_integer()) {
                out += "  " + name + ": never emitted since startd started\n";
                continue;
            }
            out += "  " + name + ": last emitted " + ago_text(last->get<std::int64_t>(), now_ms) + " (" +
                   std::to_string(e.value("count", 0)) + " times)" +
                   (e.value("before_load", false) ? ", before this job was added" : "") + "\n";
        }
    }
    const json notes = why.value("notes", json::array());
    if (!notes.empty()) {
        out += "why:\n";
        for (const json& n : notes) {
            if (n.is_string()) {
                out += "  - " + n.get<std::string>() + "\n";
            }
        }
    }
    return out;
}

} // namespace cli
