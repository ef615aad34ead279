// Owns environment tables ("KEY=VALUE" lists in order) and Upstart's `$VAR` expansion.
// Not here: which tables a job's processes get (core/engine.cpp instance_env for an instance's
// table, proc/spawn_plan.h process_environment for what each process is given).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace core {

using Environ = std::vector<std::string>;

// "KEY=VALUE" with a non-empty KEY.
bool is_env_assignment(std::string_view entry);
// The key of "KEY=VALUE" (or the whole of a bare "KEY").
std::string_view env_key(std::string_view entry);

std::optional<std::string_view> env_get(const Environ& env, std::string_view key);
// Sets KEY=VALUE, replacing an existing KEY in place (keeps the order of first appearance).
void env_set(Environ& env, std::string_view assignment);
// Removes KEY; returns whether it was there.
bool env_unset(Environ& env, std::string_view key);

// Applies one `env` stanza entry: "KEY=VALUE" sets; a bare "KEY" copies KEY from `outer`
// (startd's own environment) or, when outer has none, removes any earlier KEY — Upstart's rule.
void env_apply_stanza(Environ& env, std::string_view entry, const Environ& outer);

// Expands $NAME, ${NAME}, ${NAME-word}, ${NAME:-word}, ${NAME+word}, ${NAME:+word} and ${} (a
// literal '$') against env, as Upstart's instance names and `stop on` values are expanded. A '$'
// not followed by a name or brace stays literal. Errors (as text): "Unknown parameter: NAME",
// "Expected operator", "Mismatched braces".
base::Result<std::string> env_expand(std::string_view text, const Environ& env);

} // namespace core
