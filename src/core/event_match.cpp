// Owns operand matching and the per-tree match state (Upstart's event_operator_* semantics).
#include "core/event_match.h"

#include <fnmatch.h>

namespace core {

namespace {

// The value of the event's variable KEY=VALUE entry.
std::string_view value_of(const std::string& entry) {
    auto eq = entry.find('=');
    return eq == std::string::npos ? std::string_view() : std::string_view(entry).substr(eq + 1);
}

bool glob_matches(const std::string& pattern, std::string_view value) {
    // fnmatch needs NUL-terminated strings; values are short, one copy is fine.
    return fnmatch(pattern.c_str(), std::string(value).c_str(), 0) == 0;
}

} // namespace

bool event_matches(const EventExprNode& leaf, const Event& ev, const ExpandEnv& expand_env) {
    if (leaf.kind != EventExprKind::Match || leaf.name != ev.name) {
        return false;
    }
    std::size_t position = 0;
    for (const EventArg& arg : leaf.args) {
        std::string expanded;
        const std::string* pattern = &arg.value;
        if (arg.value.find('$') != std::string::npos) {
            const Environ* env = expand_env ? expand_env() : nullptr;
            if (env == nullptr) {
                return false;
            }
            auto result = env_expand(arg.value, *env);
            if (!result) {
                return false;
            }
            expanded = std::move(result).value();
            pattern = &expanded;
        }
        if (arg.positional()) {
            if (position >= ev.env.size() || !glob_matches(*pattern, value_of(ev.env[position]))) {
                return false;
            }
            ++position;
            continue;
        }
        auto value = env_get(ev.env, arg.key);
        if (!value || glob_matches(*pattern, *value) == arg.negated) {
            return false;
        }
    }
    return true;
}

bool ExprState::handle(const EventExpr& expr, Event& ev, EventQueue& queue, const ExpandEnv& expand_env) {
    bool changed = false;
    for (std::size_t i = 0; i < expr.nodes.size(); ++i) {
        const EventExprNode& node = expr.nodes[i];
        if (node.kind != EventExprKind::Match || (!m_matched.empty() && m_matched[i] != 0)) {
            continue; // the first event to match an operand keeps it until the tree resets
        }
        if (!event_matches(node, ev, expand_env)) {
            continue;
        }
        if (m_matched.empty()) {
            m_matched.assign(expr.nodes.size(), 0);
        }
        m_matched[i] = ev.id;
        queue.block(ev.id);
        changed = true;
    }
    if (!changed) {
        return false; // a tree only becomes true on a new match (a true tree is reset at once)
    }
    return evaluate(expr).back() != 0;
}

const std::vector<char>& ExprState::evaluate(const EventExpr& expr) const {
    // One scratch buffer for every tree: a state is held per job class and per instance, and
    // only one tree is evaluated at a time (per thread).
    thread_local std::vector<char> values;
    values.assign(expr.nodes.size(), 0);
    for (std::size_t i = 0; i < expr.nodes.size(); ++i) {
        const EventExprNode& node = expr.nodes[i];
        switch (node.kind) {
        case EventExprKind::Match:
            values[i] = m_matched.empty() ? 0 : static_cast<char>(m_matched[i] != 0);
            break;
        case EventExprKind::And:
            values[i] = static_cast<char>(values[node.lhs] != 0 && values[node.rhs] != 0);
            break;
        case EventExprKind::Or:
            values[i] = static_cast<char>(values[node.lhs] != 0 || values[node.rhs] != 0);
            break;
        }
    }
    return values;
}

std::vector<std::uint64_t> ExprState::collect(const EventExpr& expr, EventQueue& queue, Environ& env,
                                              std::string_view list_var) const {
    std::vector<std::uint64_t> seen;
    if (m_matched.empty() || expr.nodes.empty()) {
        return seen;
    }
    const std::vector<char>& values = evaluate(expr);
    // Top-down (the root is last): a node counts when it is true and every ancestor counts.
    std::vector<char> counts(expr.nodes.size(), 0);
    counts.back() = values.back();
    for (std::size_t i = expr.nodes.size(); i-- > 0;) {
        const EventExprNode& node = expr.nodes[i];
        if (node.kind != EventExprKind::Match && counts[i] != 0) {
            counts[node.lhs] = values[node.lhs];
            counts[node.rhs] = values[node.rhs];
        }
    }
    std::string names;
    for (std::size_t i = 0; i < expr.nodes.size(); ++i) {
        std::uint64_t id = m_matched[i];
        if (expr.nodes[i].kind != EventExprKind::Match || counts[i] == 0 || id == 0) {
            continue;
        }
        bool duplicate = false;
        for (std::uint64_t s : seen) {
            duplicate = duplicate || s == id;
        }
        Event* ev = queue.find(id);
        if (duplicate || ev == nullptr) {
            continue;
        }
        seen.push_back(id);
        env.insert(env.end(), ev->env.begin(), ev->env.end());
        if (!names.empty()) {
            names += ' ';
        }
        names += ev->name;
    }
    env.push_back(std::string(list_var) + "=" + names);
    return seen;
}

void ExprState::reset(EventQueue& queue) {
    for (std::uint64_t id : m_matched) {
        if (id != 0) {
            queue.unblock(id, false);
        }
    }
    m_matched.clear();
}

} // namespace core
