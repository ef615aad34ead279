// Owns Diagnostic: one problem found in a job file, with where it is and what was expected.
// Not here: how diagnostics are printed by commands (daemon/check_command.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace config {

// The kinds of parse error. The first group mirrors Upstart's numbered parse errors, so that a file
// Upstart rejects is rejected here for the same reason; the rest are startd's own guards.
enum class ParseErrorCode : std::uint8_t {
    ExpectedToken,
    UnexpectedToken,
    UnknownStanza,
    UnterminatedQuote,
    UnterminatedBlock,
    TrailingSlash,
    IllegalInterval,
    IllegalExitStatus,
    IllegalSignal,
    IllegalUmask,
    IllegalNice,
    IllegalOom,
    IllegalOomScore,
    IllegalLimit,
    ExpectedEvent,
    ExpectedOperator,
    ExpectedVariableName,
    MismatchedParentheses,
    // startd's own:
    NestingTooDeep,
    NulByte,
    FileTooLarge,
    Unsupported,
    Io,
    IllegalSchedule,
};

// Upstart's message for the code ("Unknown stanza", "Expected token", …).
std::string_view upstart_message(ParseErrorCode code);
// A stable identifier for tooling and JSON ("unknown-stanza").
std::string_view code_name(ParseErrorCode code);

struct Diagnostic {
    std::string file;
    int line = 0;   // 1-based; 0 when the problem is not tied to a place (I/O errors)
    int column = 0; // 1-based byte column
    ParseErrorCode code = ParseErrorCode::ExpectedToken;
    std::string detail; // what was expected / found, in our words

    // "file:line:col: Upstart message: detail".
    std::string to_string() const;
};

} // namespace config
