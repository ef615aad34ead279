// Owns Lexer: the job-file tokenizer (Upstart/libnih lexical rules) with line:column positions.
// Not here: what the stanzas mean (config/stanzas.cpp) or the event grammar (config/event_expr_parser).
//
// The rules, from Upstart 1.x: a stanza is one logical line; space, tab and CR are whitespace;
// `#` starts a comment outside quotes; backslash-newline continues a line; "…" and '…' group text
// (quotes may open mid-token and may span lines, the newline collapsing to one space); when an
// argument is dequoted, `\` before whitespace or `\` is dropped and kept before anything else.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"
#include "config/diagnostics.h"

namespace config {

struct Position {
    std::size_t offset = 0;
    int line = 1;
    int column = 1;
};

struct Token {
    std::string text;
    Position pos;
};

template <typename T> using ParseResult = base::Result<T, Diagnostic>;

// What next_on_token() found in a `start on` / `stop on` expression.
enum class OnTokenKind : unsigned char { Word, Open, Close, End };

struct OnToken {
    OnTokenKind kind = OnTokenKind::End;
    Token token;
    // Word only: written without quotes or backslashes. Upstart recognises `and`/`or` only when
    // written so; a quoted "and" is an ordinary word.
    bool verbatim = true;
};

class Lexer {
public:
    Lexer(std::string_view text, std::string_view file) : m_text(text), m_file(file) {}

    // Skips blank lines, comment-only lines and leading whitespace up to the next stanza keyword.
    // Returns false at end of input.
    bool skip_to_stanza();

    // True when only whitespace and perhaps a comment remain on the logical line (or at EOF).
    bool at_end_of_stanza();

    // Requires the logical line to be over (else "Unexpected token" at the stray token) and consumes
    // the rest of it, newline included.
    ParseResult<void> end_stanza();

    // The next token exactly as written (quotes and backslashes kept): stanza keywords and
    // sub-keywords that Upstart does not dequote. "Expected token" when the line is over.
    ParseResult<Token> next_token();

    // The next argument, dequoted. "Expected token" when the line is over.
    ParseResult<Token> next_arg();

    // The rest of the logical line as raw command text (for `exec`): quotes and backslashes kept,
    // stops at an unquoted `#` or newline, trailing whitespace removed, continuations collapse to
    // one space. "Expected token" when nothing is there.
    ParseResult<Token> rest_as_command();

    // After a `script` keyword: the rest of the line must be empty (else "Unexpected token"); then
    // the body up to a line reading `end script`, with common indentation removed.
    // "Unterminated block" (at the opening line) if the file ends first.
    ParseResult<std::string> script_block(Position opened_at);

    // The next token of an event expression at parenthesis depth `depth`: words are dequoted, `(`
    // and `)` are tokens of their own, and inside parentheses the expression continues over line
    // ends (a blank or comment-only line ends it). Returns End at the end of the expression, without
    // consuming the line end.
    ParseResult<OnToken> next_on_token(int depth);

    Position position() const { return Position{m_pos, m_line, column_of(m_pos)}; }
    std::string_view file() const { return m_file; }

    // A diagnostic at pos (or at the current position).
    Diagnostic error_at(const Position& pos, ParseErrorCode code, std::string detail = {}) const;
    Diagnostic error_here(ParseErrorCode code, std::string detail = {}) const;

private:
    bool at_eof() const { return m_pos >= m_text.size(); }
    char peek(std::size_t ahead = 0) const {
        return m_pos + ahead < m_text.size() ? m_text[m_pos + ahead] : '\0';
    }
    int column_of(std::size_t offset) const { return static_cast<int>(offset - m_line_start) + 1; }
    void newline_consumed() {
        ++m_line;
        m_line_start = m_pos;
    }

    // Skips spaces, tabs, CRs and backslash-newline continuations, never a plain newline.
    void skip_whitespace();
    void skip_comment();
    // Reads one token; `delims` are extra characters that end an unquoted token.
    ParseResult<Token> read_token(bool dequote, std::string_view delims);
    // Appends the bytes from the current position for which plain(byte) holds, and moves past
    // them: the loops above copy runs of ordinary bytes in one go instead of byte by byte.
    template <typename Plain> void append_run(std::string& out, Plain plain) {
        std::size_t end = m_pos;
        while (end < m_text.size() && plain(m_text[end])) {
            ++end;
        }
        out.append(m_text, m_pos, end - m_pos);
        m_pos = end;
    }
    // Inside quotes a newline and the whitespace around it become one space.
    void collapse_quoted_newline(std::string& out);
    // True if the line starting at offset is blank or only a comment.
    bool line_is_blank(std::size_t offset) const;

    std::string_view m_text;
    std::string_view m_file;
    std::size_t m_pos = 0;
    std::size_t m_line_start = 0;
    int m_line = 1;
};

} // namespace config
