// Owns the pictures of the job graph drawn from a show-config reply: `startctl graph` (Graphviz
// DOT: jobs, events, and start on / stop on / emits edges styled apart) and
// `show-config -e` (Upstart's enumerated form, one event per line, which Upstart's initctl2dot
// reads unchanged).
// Not here: asking startd or running dot (explain_commands.cpp).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace cli {

// `jobs` is the show-config reply's "jobs" list (with its trees).
std::string graph_dot(const nlohmann::json& jobs);

// `initctl show-config -e`: "JOB", then "  emits EVENT" and, for each operand of its
// conditions, "  start on EVENT (job: JOB, env: ARGS)", JOB naming the job of a job event
// (starting, started, stopping, stopped) and empty otherwise.
std::string enumerate_config(const nlohmann::json& jobs);

} // namespace cli
