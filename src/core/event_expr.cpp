// Owns the read-only views of an EventExpr: show-config rendering and the list of event names.
#include "core/event_expr.h"

#include <algorithm>

namespace core {

namespace {

std::string render_match(const EventExprNode& node) {
    std::string out = node.name;
    for (const EventArg& arg : node.args) {
        out += ' ';
        if (!arg.positional()) {
            out += arg.key;
            out += arg.negated ? "!=" : "=";
        }
        out += arg.value;
    }
    return out;
}

} // namespace

std::string to_string(const EventExpr& expr) {
    if (expr.empty()) {
        return {};
    }
    // Post-order storage means every child's text exists before its parent's is built.
    std::vector<std::string> text(expr.nodes.size());
    for (std::size_t i = 0; i < expr.nodes.size(); ++i) {
        const EventExprNode& node = expr.nodes[i];
        if (node.kind == EventExprKind::Match) {
            text[i] = render_match(node);
            continue;
        }
        std::string out = "(";
        out += std::move(text[node.lhs]);
        out += node.kind == EventExprKind::And ? " and " : " or ";
        out += std::move(text[node.rhs]);
        out += ')';
        text[i] = std::move(out);
    }
    return std::move(text.back());
}

std::vector<std::string> event_names(const EventExpr& expr) {
    std::vector<std::string> names;
    for (const EventExprNode& node : expr.nodes) {
        if (node.kind == EventExprKind::Match &&
            std::find(names.begin(), names.end(), node.name) == names.end()) {
            names.push_back(node.name);
        }
    }
    return names;
}

} // namespace core
