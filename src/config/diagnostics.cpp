// Owns the text of parse diagnostics: Upstart's messages and the one-line rendering.
#include "config/diagnostics.h"

#include <array>

namespace config {

namespace {

struct CodeText {
    std::string_view name;
    std::string_view message;
};

constexpr std::array<CodeText, 24> code_texts = {{
    {"expected-token", "Expected token"},
    {"unexpected-token", "Unexpected token"},
    {"unknown-stanza", "Unknown stanza"},
    {"unterminated-quote", "Unterminated quoted string"},
    {"unterminated-block", "Unterminated block"},
    {"trailing-slash", "Trailing slash in file"},
    {"illegal-interval", "Illegal interval, expected number of seconds"},
    {"illegal-exit-status", "Illegal exit status, expected integer"},
    {"illegal-signal", "Illegal signal status, expected integer"},
    {"illegal-umask", "Illegal file creation mask, expected octal integer"},
    {"illegal-nice", "Illegal nice value, expected -20 to 19"},
    {"illegal-oom", "Illegal oom adjustment, expected -16 to 15 or 'never'"},
    {"illegal-oom-score", "Illegal oom score adjustment, expected -999 to 1000 or 'never'"},
    {"illegal-limit", "Illegal limit, expected 'unlimited' or integer"},
    {"expected-event", "Expected event"},
    {"expected-operator", "Expected operator"},
    {"expected-variable-name", "Expected variable name before value"},
    {"mismatched-parentheses", "Mismatched parentheses"},
    {"nesting-too-deep", "Parentheses nested too deeply"},
    {"nul-byte", "NUL byte in job file"},
    {"file-too-large", "Job file too large"},
    {"unsupported", "Unsupported on this system"},
    {"io-error", "Error while loading configuration file"},
    {"illegal-schedule", "Illegal timer schedule"},
}};

} // namespace

std::string_view upstart_message(ParseErrorCode code) {
    return code_texts[static_cast<std::size_t>(code)].message;
}

std::string_view code_name(ParseErrorCode code) { return code_texts[static_cast<std::size_t>(code)].name; }

std::string Diagnostic::to_string() const {
    std::string out = file;
    if (line > 0) {
        out += ':' + std::to_string(line);
        if (column > 0) {
            out += ':' + std::to_string(column);
        }
    }
    out += ": ";
    out += upstart_message(code);
    if (!detail.empty()) {
        out += ": ";
        out += detail;
    }
    return out;
}

} // namespace config
