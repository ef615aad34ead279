// Owns the event-expression grammar: a shunting-yard loop with and/or at one precedence level.
#include "config/event_expr_parser.h"

#include <vector>

namespace config {

namespace {

using core::EventArg;
using core::EventExpr;
using core::EventExprKind;
using core::EventExprNode;

enum class StackEntry : unsigned char { Open, And, Or };

struct OpenParen {
    StackEntry entry;
    Position pos;
};

class ExprBuilder {
public:
    explicit ExprBuilder(Lexer& lex) : m_lex(lex) {}

    ParseResult<EventExpr> run();

private:
    enum class Expect : unsigned char { Operand, InMatch, AfterGroup };

    ParseResult<void> on_word(Token& word, bool verbatim);
    ParseResult<void> on_open(const Token& tok);
    ParseResult<void> on_close(const Token& tok);
    ParseResult<void> on_operator(EventExprKind kind);
    ParseResult<void> add_argument(Token& word);
    void finish_match();
    void reduce_top();

    Lexer& m_lex;
    Expect m_expect = Expect::Operand;
    std::vector<OpenParen> m_ops;
    std::vector<std::uint32_t> m_values;
    EventExpr m_expr;
    EventExprNode m_match;
    bool m_seen_named = false;
    int m_depth = 0;
};

bool is_operator(const std::string& word, EventExprKind& kind) {
    if (word == "and") {
        kind = EventExprKind::And;
        return true;
    }
    if (word == "or") {
        kind = EventExprKind::Or;
        return true;
    }
    return false;
}

void ExprBuilder::reduce_top() {
    StackEntry op = m_ops.back().entry;
    m_ops.pop_back();
    std::uint32_t rhs = m_values.back();
    m_values.pop_back();
    std::uint32_t lhs = m_values.back();
    m_values.pop_back();
    EventExprNode node;
    node.kind = op == StackEntry::And ? EventExprKind::And : EventExprKind::Or;
    node.lhs = lhs;
    node.rhs = rhs;
    m_expr.nodes.push_back(std::move(node));
    m_values.push_back(static_cast<std::uint32_t>(m_expr.nodes.size() - 1));
}

void ExprBuilder::finish_match() {
    m_expr.nodes.push_back(std::move(m_match));
    m_match = EventExprNode{};
    m_values.push_back(static_cast<std::uint32_t>(m_expr.nodes.size() - 1));
}

ParseResult<void> ExprBuilder::on_operator(EventExprKind kind) {
    if (m_expect == Expect::InMatch) {
        finish_match();
    }
    // Equal precedence, left-associative: everything pending at this level reduces first.
    while (!m_ops.empty() && m_ops.back().entry != StackEntry::Open) {
        reduce_top();
    }
    m_ops.push_back({kind == EventExprKind::And ? StackEntry::And : StackEntry::Or, m_lex.position()});
    m_expect = Expect::Operand;
    return {};
}

ParseResult<void> ExprBuilder::add_argument(Token& word) {
    std::string& text = word.text;
    std::size_t eq = text.find('=');
    if (eq == std::string::npos) {
        if (m_seen_named) {
            return m_lex.error_at(word.pos, ParseErrorCode::ExpectedVariableName,
                                  "positional value '" + text + "' after a KEY=VALUE match; write it as KEY=" +
                                      text + " or move it before the named ones");
        }
        m_match.args.push_back(EventArg{{}, std::move(text), false});
        return {};
    }
    bool negated = eq > 0 && text[eq - 1] == '!';
    std::size_t key_end = negated ? eq - 1 : eq;
    if (key_end == 0) {
        return m_lex.error_at(word.pos, ParseErrorCode::ExpectedVariableName,
                              "'" + text + "' has no variable name before '='");
    }
    m_seen_named = true;
    m_match.args.push_back(EventArg{text.substr(0, key_end), text.substr(eq + 1), negated});
    return {};
}

ParseResult<void> ExprBuilder::on_word(Token& word, bool verbatim) {
    if (word.text.empty()) {
        // As Upstart: an event name or argument that dequotes to nothing (`""`) is a missing token.
        return m_lex.error_at(word.pos, ParseErrorCode::ExpectedToken, "an empty quoted word is not an event or value");
    }
    EventExprKind kind{};
    bool op = verbatim && is_operator(word.text, kind); // a quoted "and" is a word
    switch (m_expect) {
    case Expect::Operand:
        if (op) {
            return m_lex.error_at(word.pos, ParseErrorCode::ExpectedEvent,
                                  "'" + word.text + "' needs an event name before it");
        }
        m_match.kind = EventExprKind::Match;
        m_match.name = std::move(word.text);
        m_seen_named = false;
        m_expect = Expect::InMatch;
        return {};
    case Expect::InMatch:
        if (op) {
            return on_operator(kind);
        }
        return add_argument(word);
    case Expect::AfterGroup:
        if (op) {
            return on_operator(kind);
        }
        return m_lex.error_at(word.pos, ParseErrorCode::ExpectedOperator,
                              "expected 'and' or 'or' after ')', found '" + word.text + "'");
    }
    return {};
}

ParseResult<void> ExprBuilder::on_open(const Token& tok) {
    if (m_expect != Expect::Operand) {
        return m_lex.error_at(tok.pos, ParseErrorCode::ExpectedOperator,
                              "expected 'and' or 'or' before '('");
    }
    if (m_depth >= max_event_expr_depth) {
        return m_lex.error_at(tok.pos, ParseErrorCode::NestingTooDeep,
                              "more than " + std::to_string(max_event_expr_depth) + " levels of parentheses");
    }
    ++m_depth;
    m_ops.push_back({StackEntry::Open, tok.pos});
    return {};
}

ParseResult<void> ExprBuilder::on_close(const Token& tok) {
    if (m_expect == Expect::Operand) {
        return m_lex.error_at(tok.pos, ParseErrorCode::ExpectedEvent, "expected an event name before ')'");
    }
    if (m_expect == Expect::InMatch) {
        finish_match();
    }
    while (!m_ops.empty() && m_ops.back().entry != StackEntry::Open) {
        reduce_top();
    }
    if (m_ops.empty()) {
        return m_lex.error_at(tok.pos, ParseErrorCode::MismatchedParentheses, "')' without a matching '('");
    }
    m_ops.pop_back();
    --m_depth;
    m_expect = Expect::AfterGroup;
    return {};
}

ParseResult<EventExpr> ExprBuilder::run() {
    for (;;) {
        auto next = m_lex.next_on_token(m_depth);
        if (!next) {
            return std::move(next).error();
        }
        OnToken& tok = next.value();
        ParseResult<void> step;
        switch (tok.kind) {
        case OnTokenKind::Word:
            step = on_word(tok.token, tok.verbatim);
            break;
        case OnTokenKind::Open:
            step = on_open(tok.token);
            break;
        case OnTokenKind::Close:
            step = on_close(tok.token);
            break;
        case OnTokenKind::End:
            if (m_expect == Expect::Operand) {
                return m_lex.error_at(tok.token.pos, ParseErrorCode::ExpectedEvent,
                                      m_ops.empty() ? "expected an event name" : "expected an event name after an operator or '('");
            }
            if (m_expect == Expect::InMatch) {
                finish_match();
            }
            while (!m_ops.empty()) {
                if (m_ops.back().entry == StackEntry::Open) {
                    return m_lex.error_at(m_ops.back().pos, ParseErrorCode::MismatchedParentheses,
                                          "'(' opened here is never closed (expression ends at line " +
                                              std::to_string(tok.token.pos.line) + ")");
                }
                reduce_top();
            }
            return std::move(m_expr);
        }
        if (!step) {
            return std::move(step).error();
        }
    }
}

} // namespace

ParseResult<core::EventExpr> parse_event_expr(Lexer& lex) { return ExprBuilder(lex).run(); }

ParseResult<core::EventExpr> parse_event_expr(std::string_view text, std::string_view origin) {
    Lexer lex(text, origin);
    auto expr = parse_event_expr(lex);
    if (!expr) {
        return expr;
    }
    if (auto end = lex.end_stanza(); !end) {
        return std::move(end).error();
    }
    if (lex.skip_to_stanza()) {
        return lex.error_here(ParseErrorCode::UnexpectedToken, "the expression ended on an earlier line");
    }
    return expr;
}

} // namespace config
