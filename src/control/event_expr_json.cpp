// Owns the JSON form of event expression trees, with which operands have matched.
#include "control/event_expr_json.h"

#include "control/job_status_json.h"

namespace control {

using nlohmann::json;

std::string arg_text(const core::EventArg& arg) {
    if (arg.positional()) {
        return arg.value;
    }
    return arg.key + (arg.negated ? "!=" : "=") + arg.value;
}

json expr_to_json(const core::EventExpr& expr, const std::vector<core::MatchedOperand>* matched,
                  core::Clock::time_point taken) {
    if (expr.empty()) {
        return nullptr;
    }
    // Post-order: children come before their parent, so one pass builds every node.
    std::vector<json> built(expr.nodes.size());
    std::vector<char> value(expr.nodes.size(), 0);
    for (std::size_t i = 0; i < expr.nodes.size(); ++i) {
        const core::EventExprNode& node = expr.nodes[i];
        if (node.kind == core::EventExprKind::Match) {
            json args = json::array();
            for (const core::EventArg& arg : node.args) {
                args.push_back(arg_text(arg));
            }
            json leaf = {{"event", node.name.str()}, {"args", std::move(args)}};
            if (matched == nullptr) {
                built[i] = std::move(leaf);
                continue;
            }
            leaf["matched"] = false;
            for (const core::MatchedOperand& m : *matched) {
                if (m.node == i) {
                    leaf["matched"] = true;
                    leaf["by"] = {{"event", m.event}, {"env", m.env}, {"at_ms", wall_ms(m.at, taken)}};
                    value[i] = 1;
                }
            }
            built[i] = std::move(leaf);
            continue;
        }
        bool is_and = node.kind == core::EventExprKind::And;
        value[i] = static_cast<char>(is_and ? value[node.lhs] && value[node.rhs]
                                            : value[node.lhs] || value[node.rhs]);
        json operands = json::array();
        for (std::uint32_t child : {node.lhs, node.rhs}) {
            // `a or b or c` is one list of three, not a tree of twos.
            if (expr.nodes[child].kind == node.kind) {
                for (json& operand : built[child]["operands"]) {
                    operands.push_back(std::move(operand));
                }
            } else {
                operands.push_back(std::move(built[child]));
            }
        }
        built[i] = {{"op", is_and ? "and" : "or"}, {"operands", std::move(operands)}};
        if (matched != nullptr) {
            built[i]["matched"] = value[i] != 0;
        }
    }
    return std::move(built.back());
}

} // namespace control
