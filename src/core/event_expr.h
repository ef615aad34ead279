// Owns EventExpr: the parsed tree of a `start on` / `stop on` condition, stored flat.
// Not here: parsing (config/event_expr_parser.h) or matching events against it (later: core/event_match).
//
// Nodes are kept in post-order: both children of an operator come before it, and the root is the
// last node. Walking the vector front to back therefore evaluates the tree bottom-up without
// recursion, however deep a long `a or b or c …` chain makes it, and a copy (per-instance `stop on`)
// is one vector copy.
#pragma once

#include "base/compact_string.h"

#include <cstdint>
#include <string>
#include <vector>

namespace core {

// One argument of an event match: positional (`tty1`) or named (`TTY=tty1`, `RESULT!=ok`).
// Values are fnmatch globs and may hold `$VAR` references, expanded when matching.
struct EventArg {
    std::string key; // empty for a positional argument
    std::string value;
    bool negated = false; // `KEY!=VALUE`

    bool positional() const { return key.empty(); }
    bool operator==(const EventArg&) const = default;
};

enum class EventExprKind : std::uint8_t { Match, And, Or };

struct EventExprNode {
    EventExprKind kind = EventExprKind::Match;
    // Match only: event name and its arguments in the order written.
    base::CompactString name;
    std::vector<EventArg> args;
    // And/Or only: indexes of the children in EventExpr::nodes (both smaller than this node's).
    std::uint32_t lhs = 0;
    std::uint32_t rhs = 0;

    bool operator==(const EventExprNode&) const = default;
};

struct EventExpr {
    std::vector<EventExprNode> nodes; // post-order; root is nodes.back()

    bool empty() const { return nodes.empty(); }
    std::uint32_t root() const { return static_cast<std::uint32_t>(nodes.size() - 1); }
    bool operator==(const EventExpr&) const = default;
};

// Renders the expression as Upstart's show-config does: every binary operator fully parenthesised,
// `(a and (b or c))`, a single match without parentheses. Arguments are written as parsed
// (quoting is not restored). Iterative: safe for arbitrarily deep trees.
std::string to_string(const EventExpr& expr);

// The names of all events the expression mentions, in tree order, without duplicates.
std::vector<std::string> event_names(const EventExpr& expr);

} // namespace core
