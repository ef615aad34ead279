// Owns the text of a reload's changes (see reload_summary.h).
#include "control/reload_summary.h"

#include <string_view>
#include <utility>

namespace control {

std::string describe_changes(const std::vector<std::string>& added, const std::vector<std::string>& changed,
                             const std::vector<std::string>& removed, ChangesLayout layout) {
    const bool one_line = layout == ChangesLayout::OneLine;
    std::string text;
    for (const auto& [what, names] :
         {std::pair{std::string_view("added"), &added}, std::pair{std::string_view("changed"), &changed},
          std::pair{std::string_view("removed"), &removed}}) {
        if (names->empty()) {
            continue;
        }
        if (!text.empty()) {
            text += one_line ? "; " : "\n";
        }
        text += what;
        if (!one_line) {
            text += ':';
        }
        for (const std::string& name : *names) {
            text += ' ';
            text += name;
        }
    }
    return text;
}

} // namespace control
