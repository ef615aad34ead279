// Owns the read-only views of an EventExpr: show-config rendering and the list of event names.
#include "core/event_expr.h"

#include <algorithm>

namespace core {

namespace {

std::string render_match(const EventExprNode& node) {
    std::string out = node.name.str();
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
    // Depth-first with an explicit stack, writing into one string: no recursion and no copying of
    // subtrees, so a 200,000-operand chain renders in linear time.
    enum class Step : unsigned char { Enter, Middle, Leave };
    std::string out;
    std::vector<std::pair<std::uint32_t, Step>> stack{{expr.root(), Step::Enter}};
    while (!stack.empty()) {
        auto [index, step] = stack.back();
        stack.pop_back();
        const EventExprNode& node = expr.nodes[index];
        if (node.kind == EventExprKind::Match) {
            out += render_match(node);
            continue;
        }
        switch (step) {
        case Step::Enter:
            out += '(';
            stack.emplace_back(index, Step::Middle);
            stack.emplace_back(node.lhs, Step::Enter);
            break;
        case Step::Middle:
            out += node.kind == EventExprKind::And ? " and " : " or ";
            stack.emplace_back(index, Step::Leave);
            stack.emplace_back(node.rhs, Step::Enter);
            break;
        case Step::Leave:
            out += ')';
            break;
        }
    }
    return out;
}

std::vector<std::string> event_names(const EventExpr& expr) {
    std::vector<std::string> names;
    for (const EventExprNode& node : expr.nodes) {
        if (node.kind == EventExprKind::Match &&
            std::find(names.begin(), names.end(), node.name) == names.end()) {
            names.push_back(node.name.str());
        }
    }
    return names;
}

} // namespace core
