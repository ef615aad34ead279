// Owns the command-line conventions startd and startctl share, getopt_long's: options anywhere
// among the operands, `--` ending them, long options as `--name VALUE` or `--name=VALUE` (and any
// unambiguous prefix of the name), short options bundled (`-nq`) with a value attached or next
// (`-cDIR`, `-c DIR`). Not here: what an option means (each program's own table and code).
#pragma once

#include "base/result.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace base {

struct OptionSpec {
    int id;                     // the caller's name for the option
    char short_name;            // '\0' when it has none
    std::string_view long_name; // without the dashes; empty when it has none
    bool takes_value = false;
};

struct ParsedOption {
    int id;
    std::string spelling;             // as it should be named in a message: "-c" or "--config"
    std::optional<std::string> value; // set exactly when the spec takes a value
};

struct CommandLine {
    std::vector<ParsedOption> options; // in command-line order
    std::vector<std::string> operands; // everything else, in order (after `--` too)
};

// Parses argv[1..argc). Errors, for the caller to print after its name:
// "invalid option: --frobnicate", "invalid option: -x", "option --socket needs a value",
// "option --json takes no value", "option --s is ambiguous (--socket, --system)".
Result<CommandLine> parse_command_line(std::span<const OptionSpec> specs, int argc, const char* const* argv);

} // namespace base
