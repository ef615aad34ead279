// Owns matching events against `start on` / `stop on` trees: whether one operand matches an
// event, and ExprState — the per-tree memory of which operands have matched (and the events they
// hold) until the tree becomes true and is reset, as Upstart's event operators do.
// Not here: which trees an event is offered to (the engine's index) or what a true tree does.
#pragma once

#include "core/environ.h"
#include "core/event_expr.h"
#include "core/event_queue.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace core {

// Gives the environment `$VAR` in operand values expands against, or nullptr for none. Called
// only when a value holds a `$`, so callers can build it lazily.
using ExpandEnv = std::function<const Environ*()>;

// Whether the match operand `leaf` matches `ev`: equal names; the i-th positional argument is
// an fnmatch glob against the value of the event's i-th variable; KEY=GLOB against KEY's value
// (KEY must exist; `!=` negates the glob). Values holding `$` are expanded first; with no
// environment, or when expansion fails (unknown variable), the operand does not match.
bool event_matches(const EventExprNode& leaf, const Event& ev, const ExpandEnv& expand_env);

// The state of one tree. Each operand remembers the first event that matched it and holds a
// block on that event until reset() (or until collect() hands the hold on to a job).
class ExprState {
  public:
    // Offers `ev` to every unmatched operand of `expr` naming it. Returns true when the tree is
    // now true. `expand_env` is as for event_matches().
    bool handle(const EventExpr& expr, Event& ev, EventQueue& queue, const ExpandEnv& expand_env);

    // For a true tree: appends the environment of every event that made it true (operands under
    // a false branch do not count), in tree order, then `LIST_VAR=name1 name2 …`. Returns those
    // events' ids (each once); the caller decides who holds them.
    std::vector<std::uint64_t> collect(const EventExpr& expr, EventQueue& queue, Environ& env,
                                       std::string_view list_var) const;

    // Forgets every match and releases the events they held.
    void reset(EventQueue& queue);

    bool any_matched() const { return !m_matched.empty(); }
    // The event that matched operand `node`, or 0 (read-only, for `startctl why`).
    std::uint64_t matched(std::size_t node) const { return node < m_matched.size() ? m_matched[node] : 0; }

  private:
    // Node values bottom-up (post-order), in a scratch buffer valid until the next call.
    const std::vector<char>& evaluate(const EventExpr& expr) const;

    std::vector<std::uint64_t> m_matched; // per node: the event that matched a leaf, 0 if none
                                          // (empty until the first match: most trees idle)
};

} // namespace core
