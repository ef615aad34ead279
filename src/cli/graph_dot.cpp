// Owns the DOT graph of jobs and events, and Upstart's enumerated show-config.
#include "cli/graph_dot.h"

#include <set>
#include <vector>

namespace cli {

using nlohmann::json;

namespace {

struct Operand {
    std::string event;
    std::string job;               // the job a job event names, or ""
    std::vector<std::string> args; // the arguments left once the job is taken out
};

bool is_job_event(const std::string& name) {
    return name == "starting" || name == "started" || name == "stopping" || name == "stopped";
}

void collect(const json& node, std::vector<Operand>& out) {
    if (node.is_null()) {
        return;
    }
    if (node.contains("op")) {
        for (const json& child : node.value("operands", json::array())) {
            collect(child, out);
        }
        return;
    }
    Operand o{node.value("event", std::string()), {}, {}};
    bool first_positional = true;
    for (const json& a : node.value("args", json::array())) {
        std::string arg = a.is_string() ? a.get<std::string>() : std::string();
        bool positional = arg.find('=') == std::string::npos;
        if (is_job_event(o.event) && o.job.empty() &&
            ((positional && first_positional) || arg.rfind("JOB=", 0) == 0)) {
            o.job = positional ? arg : arg.substr(4);
        } else {
            o.args.push_back(arg);
        }
        first_positional = first_positional && !positional;
    }
    out.push_back(std::move(o));
}

std::vector<Operand> operands(const json& job, const char* key) {
    std::vector<Operand> out;
    if (auto it = job.find(key); it != job.end()) {
        collect(*it, out);
    }
    return out;
}

// A DOT quoted id.
std::string dot_id(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "\"";
}

std::string joined(const std::vector<std::string>& words) {
    std::string out;
    for (const std::string& w : words) {
        out += (out.empty() ? "" : " ") + w;
    }
    return out;
}

} // namespace

std::string graph_dot(const json& jobs) {
    std::string nodes;
    std::string edges;
    std::set<std::string> job_nodes;
    std::set<std::string> event_nodes;
    auto job_node = [&](const std::string& name) {
        if (job_nodes.insert(name).second) {
            nodes += "  " + dot_id("job:" + name) + " [label=" + dot_id(name) +
                     ", shape=box, style=\"rounded,filled\", fillcolor=\"#dce6f2\"];\n";
        }
        return dot_id("job:" + name);
    };
    auto event_node = [&](const std::string& name) {
        if (event_nodes.insert(name).second) {
            bool glob = name.find_first_of("*?[") != std::string::npos;
            nodes += "  " + dot_id("event:" + name) + " [label=" + dot_id(name) +
                     ", shape=ellipse, style=" + (glob ? "dotted" : "filled") + ", fillcolor=\"#f2e6dc\"];\n";
        }
        return dot_id("event:" + name);
    };
    for (const json& job : jobs) {
        std::string name = job.value("job", std::string());
        std::string self = job_node(name);
        for (const char* key : {"start_on_tree", "stop_on_tree"}) {
            bool start = key[2] == 'a';
            std::string style =
                start ? "color=\"#1f5fbf\"" : "color=\"#bf1f1f\", style=dashed, arrowhead=tee";
            for (const Operand& o : operands(job, key)) {
                std::string label = o.event + (o.args.empty() ? "" : " " + joined(o.args));
                if (!o.job.empty()) {
                    // A job event: drawn from the job it names.
                    edges += "  " + job_node(o.job) + " -> " + self + " [" + style +
                             ", label=" + dot_id(label) + "];\n";
                } else {
                    edges += "  " + event_node(o.event) + " -> " + self + " [" + style +
                             (o.args.empty() ? "" : ", label=" + dot_id(joined(o.args))) + "];\n";
                }
            }
        }
        for (const json& e : job.value("emits", json::array())) {
            if (e.is_string()) {
                edges += "  " + self + " -> " + event_node(e.get<std::string>()) +
                         " [color=\"#2f8f2f\", style=dotted];\n";
            }
        }
    }
    return "digraph startd {\n"
           "  rankdir=LR;\n"
           "  fontname=\"sans-serif\";\n"
           "  fontsize=10;\n"
           "  node [fontname=\"sans-serif\", fontsize=10];\n"
           "  edge [fontname=\"sans-serif\", fontsize=9];\n"
           "  label=\"boxes: jobs; ellipses: events (dotted: a glob); blue: start on; red dashed: stop on; "
           "green dotted: emits\";\n" +
           nodes + edges + "}\n";
}

std::string enumerate_config(const json& jobs) {
    std::string out;
    for (const json& job : jobs) {
        out += job.value("job", std::string()) + "\n";
        for (const json& e : job.value("emits", json::array())) {
            if (e.is_string()) {
                out += "  emits " + e.get<std::string>() + "\n";
            }
        }
        for (const char* key : {"start_on_tree", "stop_on_tree"}) {
            for (const Operand& o : operands(job, key)) {
                out += std::string("  ") + (key[2] == 'a' ? "start on " : "stop on ") + o.event +
                       " (job:" + (o.job.empty() ? "" : " " + o.job) +
                       ", env:" + (o.args.empty() ? "" : " " + joined(o.args)) + ")\n";
            }
        }
    }
    return out;
}

} // namespace cli
