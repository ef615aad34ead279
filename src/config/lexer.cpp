// Owns the job-file tokenizer: whitespace, comments, quotes, continuations and script blocks.
#include "config/lexer.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace config {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Upstart drops a backslash before whitespace or a backslash when dequoting, and keeps it before
// anything else.
bool backslash_dropped_before(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\\'; }

// Bytes with no special meaning inside a token (outside quotes): copied as they are.
bool plain_in_token(char c, std::string_view delims) {
    return c != '\\' && !is_space(c) && c != '\n' && c != '#' && c != '"' && c != '\'' &&
           delims.find(c) == std::string_view::npos;
}

// Bytes with no special meaning in an exec command line, outside quotes or inside `quote`.
bool plain_in_command(char c, char quote) {
    if (c == '\\' || c == '\n') {
        return false;
    }
    return quote ? c != quote : c != '#' && c != '"' && c != '\'';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (is_space(s.front()) || s.front() == '\n')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (is_space(s.back()) || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

// `end script`, with any amount of blank between the words and an optional trailing comment.
bool is_end_script(std::string_view line) {
    std::size_t hash = line.find('#');
    line = trim(line.substr(0, hash));
    if (line.substr(0, 3) != "end") {
        return false;
    }
    line.remove_prefix(3);
    // Any of Upstart's whitespace (space, tab, CR) may separate the words.
    if (line.empty() || !is_space(line.front())) {
        return false;
    }
    while (!line.empty() && is_space(line.front())) {
        line.remove_prefix(1);
    }
    return line == "script";
}

} // namespace

Diagnostic Lexer::error_at(const Position& pos, ParseErrorCode code, std::string detail) const {
    return Diagnostic{std::string(m_file), pos.line, pos.column, code, std::move(detail)};
}

Diagnostic Lexer::error_here(ParseErrorCode code, std::string detail) const {
    return error_at(position(), code, std::move(detail));
}

void Lexer::skip_whitespace() {
    while (!at_eof()) {
        char c = peek();
        if (is_space(c)) {
            ++m_pos;
        } else if (c == '\\' && peek(1) == '\n') {
            m_pos += 2;
            newline_consumed();
        } else {
            return;
        }
    }
}

void Lexer::skip_comment() {
    // memchr rather than a byte loop: comment headers are often half of a job file's bytes.
    if (at_eof()) {
        return;
    }
    const void* nl = std::memchr(m_text.data() + m_pos, '\n', m_text.size() - m_pos);
    m_pos = nl != nullptr ? static_cast<std::size_t>(static_cast<const char*>(nl) - m_text.data()) : m_text.size();
}

bool Lexer::skip_to_stanza() {
    for (;;) {
        skip_whitespace();
        if (at_eof()) {
            return false;
        }
        char c = peek();
        if (c == '#') {
            skip_comment();
        } else if (c == '\n') {
            ++m_pos;
            newline_consumed();
        } else {
            return true;
        }
    }
}

bool Lexer::at_end_of_stanza() {
    skip_whitespace();
    return at_eof() || peek() == '\n' || peek() == '#';
}

ParseResult<void> Lexer::end_stanza() {
    if (!at_end_of_stanza()) {
        Position pos = position();
        auto stray = read_token(false, {});
        std::string detail = "nothing more was expected on this line";
        if (stray) {
            detail += ", found '" + stray->text + "'";
        }
        return error_at(pos, ParseErrorCode::UnexpectedToken, std::move(detail));
    }
    skip_comment();
    if (!at_eof()) {
        ++m_pos; // the newline
        newline_consumed();
    }
    return {};
}

void Lexer::collapse_quoted_newline(std::string& out) {
    while (!out.empty() && is_space(out.back())) {
        out.pop_back();
    }
    ++m_pos; // the newline
    newline_consumed();
    while (!at_eof() && is_space(peek())) {
        ++m_pos;
    }
    out += ' ';
}

ParseResult<Token> Lexer::read_token(bool dequote, std::string_view delims) {
    Token token;
    token.pos = position();
    Position quote_pos;
    char quote = 0;
    std::string& out = token.text;
    while (!at_eof()) {
        char c = peek();
        if (c == '\\') {
            if (m_pos + 1 >= m_text.size()) {
                return error_here(ParseErrorCode::TrailingSlash, "a backslash is the last byte of the file");
            }
            char next = peek(1);
            if (next == '\n') {
                if (!quote) {
                    break; // a continuation separates tokens; skip_whitespace() consumes it
                }
                ++m_pos;
                collapse_quoted_newline(out);
                continue;
            }
            if (!dequote || !backslash_dropped_before(next)) {
                out += '\\';
            }
            out += next;
            m_pos += 2;
            continue;
        }
        if (quote) {
            if (c == quote) {
                quote = 0;
                if (!dequote) {
                    out += c;
                }
                ++m_pos;
            } else if (c == '\n') {
                collapse_quoted_newline(out);
            } else {
                append_run(out, [quote](char b) { return b != quote && b != '\n' && b != '\\'; });
            }
            continue;
        }
        if (is_space(c) || c == '\n' || c == '#' || delims.find(c) != std::string_view::npos) {
            break;
        }
        if (c == '"' || c == '\'') {
            quote = c;
            quote_pos = position();
            if (!dequote) {
                out += c;
            }
            ++m_pos;
            continue;
        }
        append_run(out, [delims](char b) { return plain_in_token(b, delims); });
    }
    if (quote) {
        return error_at(quote_pos, ParseErrorCode::UnterminatedQuote,
                        std::string("the ") + quote + " opened here is never closed");
    }
    return token;
}

ParseResult<Token> Lexer::next_token() {
    if (at_end_of_stanza()) {
        return error_here(ParseErrorCode::ExpectedToken);
    }
    return read_token(false, {});
}

ParseResult<Token> Lexer::next_arg() {
    if (at_end_of_stanza()) {
        return error_here(ParseErrorCode::ExpectedToken);
    }
    return read_token(true, {});
}

ParseResult<Token> Lexer::rest_as_command() {
    if (at_end_of_stanza()) {
        return error_here(ParseErrorCode::ExpectedToken, "expected a command");
    }
    Token token;
    token.pos = position();
    std::string& out = token.text;
    Position quote_pos;
    char quote = 0;
    while (!at_eof()) {
        char c = peek();
        if (c == '\\') {
            if (m_pos + 1 >= m_text.size()) {
                return error_here(ParseErrorCode::TrailingSlash, "a backslash is the last byte of the file");
            }
            if (peek(1) == '\n') {
                m_pos += 2;
                newline_consumed();
                while (!out.empty() && is_space(out.back())) {
                    out.pop_back();
                }
                skip_whitespace();
                out += ' ';
                continue;
            }
            out += c;
            out += peek(1);
            m_pos += 2;
            continue;
        }
        if (quote) {
            if (c == '\n') {
                collapse_quoted_newline(out);
                continue;
            }
            if (c == quote) {
                quote = 0;
            }
        } else if (c == '\n' || c == '#') {
            break;
        } else if (c == '"' || c == '\'') {
            quote = c;
            quote_pos = position();
        }
        out += c;
        ++m_pos;
        append_run(out, [quote](char b) { return plain_in_command(b, quote); });
    }
    if (quote) {
        return error_at(quote_pos, ParseErrorCode::UnterminatedQuote,
                        std::string("the ") + quote + " opened here is never closed");
    }
    while (!out.empty() && is_space(out.back())) {
        out.pop_back();
    }
    return token;
}

ParseResult<std::string> Lexer::script_block(Position opened_at) {
    if (auto end = end_stanza(); !end) {
        Diagnostic d = std::move(end).error();
        d.detail = "'script' must be alone on its line (the body starts on the next line)";
        return d;
    }
    std::vector<std::string_view> lines;
    for (;;) {
        if (at_eof()) {
            return error_at(opened_at, ParseErrorCode::UnterminatedBlock,
                            "no 'end script' for the script opened at line " + std::to_string(opened_at.line));
        }
        std::size_t eol = m_text.find('\n', m_pos);
        std::size_t next = eol == std::string_view::npos ? m_text.size() : eol + 1;
        std::string_view line = m_text.substr(m_pos, next - m_pos);
        m_pos = next;
        if (eol != std::string_view::npos) {
            newline_consumed();
        }
        if (is_end_script(line)) {
            break;
        }
        lines.push_back(line);
    }

    // Strip the whitespace prefix common to every line, measured against the first line's.
    std::size_t common = 0;
    if (!lines.empty()) {
        std::string_view first = lines.front();
        while (common < first.size() && is_blank(first[common])) {
            ++common;
        }
        for (std::string_view line : lines) {
            std::size_t n = 0;
            while (n < common && n < line.size() && line[n] == first[n]) {
                ++n;
            }
            common = n;
        }
    }
    std::string body;
    for (std::string_view line : lines) {
        body.append(line.substr(std::min(common, line.size())));
        if (body.empty() || body.back() != '\n') {
            body += '\n';
        }
    }
    return body;
}

bool Lexer::line_is_blank(std::size_t offset) const {
    while (offset < m_text.size() && is_space(m_text[offset])) {
        ++offset;
    }
    return offset >= m_text.size() || m_text[offset] == '\n' || m_text[offset] == '#';
}

ParseResult<OnToken> Lexer::next_on_token(int depth) {
    for (;;) {
        skip_whitespace();
        if (!at_eof() && peek() == '#') {
            skip_comment();
        }
        if (at_eof()) {
            return OnToken{OnTokenKind::End, Token{{}, position()}};
        }
        char c = peek();
        if (c == '\n') {
            // Outside parentheses the line end ends the expression. Inside, the expression goes on,
            // unless the next line is blank or only a comment (Upstart ends it there).
            if (depth == 0 || line_is_blank(m_pos + 1)) {
                return OnToken{OnTokenKind::End, Token{{}, position()}};
            }
            ++m_pos;
            newline_consumed();
            continue;
        }
        if (c == '(' || c == ')') {
            OnToken tok{c == '(' ? OnTokenKind::Open : OnTokenKind::Close, Token{std::string(1, c), position()}};
            ++m_pos;
            return tok;
        }
        const std::size_t start = m_pos;
        auto word = read_token(true, "()");
        if (!word) {
            return std::move(word).error();
        }
        const bool verbatim = m_text.substr(start, m_pos - start) == word->text;
        return OnToken{OnTokenKind::Word, std::move(word).value(), verbatim};
    }
}

} // namespace config
