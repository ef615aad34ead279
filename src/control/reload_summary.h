// Owns the words for what a configuration reload changed ("added db; changed web"): startd's log
// and startctl's reload-configuration say it with the same function, so they say it alike.
#pragma once

#include <string>
#include <vector>

namespace control {

// How the kinds of change are set out.
enum class ChangesLayout {
    OneLine,     // "added db web; removed old": startd's log line
    LinePerKind, // "added: db web\nremoved: old": startctl reload-configuration's output
};

// Which jobs a reload added, changed and removed, in that order and in the given order within
// each; kinds with no job are left out. Empty when no job changed. No newline at the end.
std::string describe_changes(const std::vector<std::string>& added, const std::vector<std::string>& changed,
                             const std::vector<std::string>& removed, ChangesLayout layout);

} // namespace control
