// Owns an instance's main config file (startd.conf) as text: Postfix's main.cf rules for reading
// `name = value` parameters, and changing one parameter while every other line (comments, blank
// lines, unknown parameters, their spacing) stays byte for byte. Not here: what the parameters
// mean (cli/instance_set.h) or how the file is replaced on disk (sys/replace_file.h).
//
// The rules (postconf(5)): a logical line starts at a line whose first character is not
// whitespace and is `name = value` (whitespace around `=` and at either end of the value is
// ignored); a following line that starts with whitespace continues it (joined with one space);
// blank lines and lines whose first non-blank character is `#` are ignored (a `#` later in a line
// is part of the value). The last definition of a name wins. `$name` is not expanded: values are
// taken as written.
#pragma once

#include "base/result.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace config {

class MainConfig {
  public:
    // Parses `text`; `path` names the file in errors ("PATH:LINE: …").
    static base::Result<MainConfig> parse(std::string_view text, const std::string& path);

    // The value of the last definition of `name`, or nullopt.
    std::optional<std::string> get(std::string_view name) const;
    // Gives `name` the value `value`: its last definition's lines become `name = value` (earlier
    // definitions are removed), or the line is appended.
    void set(std::string_view name, std::string_view value);
    // Removes every definition of `name`.
    void erase(std::string_view name);
    // The file's text: what was read, less and plus the changes.
    std::string render() const;

  private:
    struct Entry {
        std::string text;  // the lines as read (newlines included)
        std::string name;  // empty for a blank or comment line
        std::string value; // continuation lines joined
    };
    std::vector<Entry> m_entries;
};

// A Postfix boolean: yes or no (any case). The error names `what` and the bad value.
base::Result<bool> parse_yes_no(std::string_view value, std::string_view what);

// A Postfix list: items separated by whitespace or commas, empty items dropped.
std::vector<std::string> split_list(std::string_view value);

} // namespace config
