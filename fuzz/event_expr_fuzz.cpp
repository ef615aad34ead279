// libFuzzer target: config::parse_event_expr on arbitrary text, then every renderer of the result.
//
// Invariants checked (a violation traps, so libFuzzer records the input as a crash):
//   - an error carries the origin name and a 1-based line:column inside the text;
//   - a parsed expression is non-empty and a proper post-order tree: every operator's children
//     have smaller indexes, each node is reached exactly once from the root, and the root is last;
//   - rendering (show-config text and JSON) does not throw, and the JSON tree is present exactly
//     when its nesting is within max_event_expr_json_depth;
//   - when every word is plain (no quoting needed) and the nesting fits the parser's depth limit,
//     the show-config text parses back to the same tree.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/event_expr_parser.h"
#include "config/job_json.h"
#include "core/event_expr.h"

namespace {

constexpr std::string_view origin = "<fuzz>";

void check(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

// Where a diagnostic may point: a line that exists, a column at most one past that line's end.
void check_position(std::string_view text, const config::Diagnostic& diag) {
    check(diag.file == origin);
    check(diag.line >= 1 && diag.column >= 1);
    std::size_t start = 0;
    for (int line = 1; line < diag.line; ++line) {
        std::size_t nl = text.find('\n', start);
        check(nl != std::string_view::npos);
        start = nl + 1;
    }
    std::size_t end = text.find('\n', start);
    std::size_t length = (end == std::string_view::npos ? text.size() : end) - start;
    check(static_cast<std::size_t>(diag.column) <= length + 1);
}

// The post-order tree shape; returns the nesting depth of operators.
std::size_t check_tree(const core::EventExpr& expr) {
    check(!expr.empty());
    const std::size_t n = expr.nodes.size();
    std::vector<unsigned char> seen(n, 0);
    std::vector<std::pair<std::uint32_t, std::size_t>> stack{{expr.root(), 0}};
    std::size_t visited = 0;
    std::size_t max_depth = 0;
    while (!stack.empty()) {
        auto [index, depth] = stack.back();
        stack.pop_back();
        check(index < n && !seen[index]);
        seen[index] = 1;
        ++visited;
        const core::EventExprNode& node = expr.nodes[index];
        if (node.kind == core::EventExprKind::Match) {
            continue;
        }
        check(node.kind == core::EventExprKind::And || node.kind == core::EventExprKind::Or);
        check(node.lhs < index && node.rhs < index && node.lhs != node.rhs);
        check(node.name.empty() && node.args.empty());
        max_depth = std::max(max_depth, depth + 1);
        stack.emplace_back(node.lhs, depth + 1);
        stack.emplace_back(node.rhs, depth + 1);
    }
    check(visited == n);
    return max_depth;
}

bool plain_word(std::string_view word, bool allow_equals) {
    if (word.empty() || word == "and" || word == "or") {
        return false;
    }
    for (char c : word) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  std::string_view("_-./*?[]:$!").find(c) != std::string_view::npos || (allow_equals && c == '=');
        if (!ok) {
            return false;
        }
    }
    return true;
}

// True when to_string's output needs no quoting to mean the same tree again.
bool renders_plainly(const core::EventExpr& expr) {
    for (const core::EventExprNode& node : expr.nodes) {
        if (node.kind != core::EventExprKind::Match) {
            continue;
        }
        if (!plain_word(node.name, false)) {
            return false;
        }
        for (const core::EventArg& arg : node.args) {
            if (arg.positional() ? !plain_word(arg.value, false)
                                 : !plain_word(arg.key, false) || (!arg.value.empty() && !plain_word(arg.value, true))) {
                return false;
            }
        }
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = config::parse_event_expr(text, origin);
    if (!parsed) {
        const config::Diagnostic& diag = parsed.error();
        check_position(text, diag);
        check(!diag.to_string().empty());
        (void)config::diagnostic_to_json(diag).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return 0;
    }
    const core::EventExpr& expr = *parsed;
    std::size_t depth = check_tree(expr);
    std::string rendered = core::to_string(expr);
    nlohmann::json tree = config::event_expr_to_json(expr);
    // Too deep a tree is not rendered (dump() would recurse once per level); anything else is.
    check(tree.is_null() == (depth > config::max_event_expr_json_depth));
    std::string json = tree.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    check(!json.empty());
    (void)core::event_names(expr);

    if (depth <= static_cast<std::size_t>(config::max_event_expr_depth) && renders_plainly(expr)) {
        auto again = config::parse_event_expr(rendered, origin);
        check(again.has_value());
        check(*again == expr);
    }
    return 0;
}
