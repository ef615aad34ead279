// Tests config::Lexer: whitespace, comments, quotes, backslashes, continuations, exec text,
// script blocks, event-expression tokens and the positions it reports.
#include "config/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using config::Lexer;
using config::OnTokenKind;
using config::ParseErrorCode;

// The dequoted arguments of the first stanza line (after skip_to_stanza), until the line ends.
std::vector<std::string> args_of(std::string_view text) {
    Lexer lex(text, "test.conf");
    std::vector<std::string> out;
    EXPECT_TRUE(lex.skip_to_stanza());
    while (!lex.at_end_of_stanza()) {
        auto arg = lex.next_arg();
        EXPECT_TRUE(arg.has_value()) << (arg ? "" : arg.error().to_string());
        if (!arg) {
            break;
        }
        out.push_back(arg->text);
    }
    return out;
}

// The raw tokens (quotes and backslashes kept) of the first stanza line.
std::vector<std::string> raw_tokens_of(std::string_view text) {
    Lexer lex(text, "test.conf");
    std::vector<std::string> out;
    EXPECT_TRUE(lex.skip_to_stanza());
    while (!lex.at_end_of_stanza()) {
        auto tok = lex.next_token();
        EXPECT_TRUE(tok.has_value()) << (tok ? "" : tok.error().to_string());
        if (!tok) {
            break;
        }
        out.push_back(tok->text);
    }
    return out;
}

// The error reading the first argument after the keyword, as "line:column Upstart message".
std::string arg_error(std::string_view text) {
    Lexer lex(text, "test.conf");
    EXPECT_TRUE(lex.skip_to_stanza());
    EXPECT_TRUE(lex.next_token().has_value());
    auto arg = lex.next_arg();
    if (arg) {
        return "no error, got '" + arg->text + "'";
    }
    const config::Diagnostic& d = arg.error();
    return std::to_string(d.line) + ":" + std::to_string(d.column) + " " + std::string(config::upstart_message(d.code));
}

// The exec command text after the first word of the line.
config::ParseResult<config::Token> command_of(std::string_view text) {
    Lexer lex(text, "test.conf");
    EXPECT_TRUE(lex.skip_to_stanza());
    EXPECT_TRUE(lex.next_token().has_value());
    return lex.rest_as_command();
}

std::string command_text(std::string_view text) {
    auto cmd = command_of(text);
    EXPECT_TRUE(cmd.has_value()) << (cmd ? "" : cmd.error().to_string());
    return cmd ? cmd->text : std::string("<error>");
}

// The body of the script block opened by the first line (`script`).
config::ParseResult<std::string> script_of(std::string_view text) {
    Lexer lex(text, "test.conf");
    EXPECT_TRUE(lex.skip_to_stanza());
    auto keyword = lex.next_token();
    EXPECT_TRUE(keyword.has_value());
    return lex.script_block(keyword->pos);
}

std::string script_body(std::string_view text) {
    auto body = script_of(text);
    EXPECT_TRUE(body.has_value()) << (body ? "" : body.error().to_string());
    return body ? *body : std::string("<error>");
}

// ---- whitespace, blank lines and comments ---------------------------------------------------

TEST(LexerSkipToStanza, SkipsBlankLinesCommentLinesAndLeadingWhitespace) {
    Lexer lex("\n\n   # a comment\n\t  \n  \t exec /bin/true\n", "test.conf");
    ASSERT_TRUE(lex.skip_to_stanza());
    auto tok = lex.next_token();
    ASSERT_TRUE(tok.has_value());
    EXPECT_EQ(tok->text, "exec");
    EXPECT_EQ(tok->pos.line, 5);
    EXPECT_EQ(tok->pos.column, 5);
}

TEST(LexerSkipToStanza, ReturnsFalseWhenOnlyWhitespaceAndCommentsRemain) {
    Lexer lex("  \n# one\n\t# two\n\r\n   ", "test.conf");
    EXPECT_FALSE(lex.skip_to_stanza());
}

TEST(LexerSkipToStanza, ReturnsFalseOnEmptyInput) {
    Lexer lex("", "test.conf");
    EXPECT_FALSE(lex.skip_to_stanza());
}

TEST(LexerWhitespace, SpaceTabAndCarriageReturnSeparateArguments) {
    EXPECT_EQ(args_of("a b\tc\rd"), (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(LexerWhitespace, CrlfLineEndIsNotPartOfTheLastArgument) {
    Lexer lex("description hello\r\nauthor me\r\n", "test.conf");
    ASSERT_TRUE(lex.skip_to_stanza());
    ASSERT_TRUE(lex.next_token().has_value());
    auto arg = lex.next_arg();
    ASSERT_TRUE(arg.has_value());
    EXPECT_EQ(arg->text, "hello");
    EXPECT_TRUE(lex.at_end_of_stanza());
    ASSERT_TRUE(lex.end_stanza().has_value());
    ASSERT_TRUE(lex.skip_to_stanza());
    auto next = lex.next_token();
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->text, "author");
    EXPECT_EQ(next->pos.line, 2);
    EXPECT_EQ(next->pos.column, 1);
}

TEST(LexerComments, HashEndsTheLineOutsideQuotes) {
    EXPECT_EQ(args_of("env A=1 # the rest is ignored \"unclosed"), (std::vector<std::string>{"env", "A=1"}));
}

TEST(LexerComments, HashDirectlyAfterAWordEndsTheWord) {
    EXPECT_EQ(args_of("env A=1#comment"), (std::vector<std::string>{"env", "A=1"}));
}

TEST(LexerComments, HashInsideQuotesIsText) {
    EXPECT_EQ(args_of("description \"a # b\" 'c # d'"), (std::vector<std::string>{"description", "a # b", "c # d"}));
}

TEST(LexerComments, EscapedHashIsTextAndKeepsItsBackslash) {
    EXPECT_EQ(args_of("env A=x\\#y"), (std::vector<std::string>{"env", "A=x\\#y"}));
}

TEST(LexerEndStanza, AcceptsTrailingWhitespaceAndComment) {
    Lexer lex("task   # why\nexec x\n", "test.conf");
    ASSERT_TRUE(lex.skip_to_stanza());
    ASSERT_TRUE(lex.next_token().has_value());
    ASSERT_TRUE(lex.end_stanza().has_value());
    EXPECT_EQ(lex.position().line, 2);
    EXPECT_EQ(lex.position().column, 1);
}

TEST(LexerEndStanza, StrayTokenIsUnexpectedTokenAtItsPosition) {
    Lexer lex("task extra\n", "test.conf");
    ASSERT_TRUE(lex.skip_to_stanza());
    ASSERT_TRUE(lex.next_token().has_value());
    auto end = lex.end_stanza();
    ASSERT_FALSE(end.has_value());
    EXPECT_EQ(end.error().code, ParseErrorCode::UnexpectedToken);
    EXPECT_EQ(end.error().line, 1);
    EXPECT_EQ(end.error().column, 6);
    EXPECT_NE(end.error().detail.find("'extra'"), std::string::npos);
}

TEST(LexerEndStanza, SucceedsAtEndOfFileWithoutNewline) {
    Lexer lex("task", "test.conf");
    ASSERT_TRUE(lex.skip_to_stanza());
    ASSERT_TRUE(lex.next_token().has_value());
    EXPECT_TRUE(lex.end_stanza().has_value());
    EXPECT_FALSE(lex.skip_to_stanza());
}

TEST(LexerNextArg, MissingArgumentIsExpectedTokenAtTheLineEnd) {
    Lexer lex("env   \n", "test.conf");
    ASSERT_TRUE(lex.skip_to_stanza());
    ASSERT_TRUE(lex.next_token().has_value());
    auto arg = lex.next_arg();
    ASSERT_FALSE(arg.has_value());
    EXPECT_EQ(arg.error().code, ParseErrorCode::ExpectedToken);
    EXPECT_EQ(arg.error().line, 1);
    EXPECT_EQ(arg.error().column, 7);
}

TEST(LexerNextArg, CommentInsteadOfArgumentIsExpectedToken) {
    Lexer lex("env # nothing\n", "test.conf");
    ASSERT_TRUE(lex.skip_to_stanza());
    ASSERT_TRUE(lex.next_token().has_value());
    auto arg = lex.next_arg();
    ASSERT_FALSE(arg.has_value());
    EXPECT_EQ(arg.error().code, ParseErrorCode::ExpectedToken);
}

// ---- quotes ---------------------------------------------------------------------------------

TEST(LexerQuotes, DoubleAndSingleQuotesGroupWhitespaceAndAreRemoved) {
    EXPECT_EQ(args_of("x \"a b\" 'c\td'"), (std::vector<std::string>{"x", "a b", "c\td"}));
}

TEST(LexerQuotes, QuoteMayOpenAndCloseMidToken) {
    EXPECT_EQ(args_of("x a\"b c\"d"), (std::vector<std::string>{"x", "ab cd"}));
}

TEST(LexerQuotes, OtherQuoteCharacterInsideQuotesIsText) {
    EXPECT_EQ(args_of("x \"it's\" 'say \"hi\"'"), (std::vector<std::string>{"x", "it's", "say \"hi\""}));
}

TEST(LexerQuotes, EmptyQuotesAreAnEmptyArgument) {
    EXPECT_EQ(args_of("x \"\" b"), (std::vector<std::string>{"x", "", "b"}));
}

TEST(LexerQuotes, RawTokenKeepsTheQuotes) {
    EXPECT_EQ(raw_tokens_of("x a\"b c\"d 'e'"), (std::vector<std::string>{"x", "a\"b c\"d", "'e'"}));
}

TEST(LexerQuotes, NewlineInsideQuotesCollapsesWithSurroundingWhitespaceToOneSpace) {
    EXPECT_EQ(args_of("x \"first   \n      second\""), (std::vector<std::string>{"x", "first second"}));
}

TEST(LexerQuotes, CrlfInsideQuotesCollapsesToOneSpace) {
    EXPECT_EQ(args_of("x \"first\r\nsecond\""), (std::vector<std::string>{"x", "first second"}));
}

TEST(LexerQuotes, QuoteSpanningLinesAdvancesTheLineCount) {
    Lexer lex("description \"a\nb\nc\" \nauthor me\n", "test.conf");
    ASSERT_TRUE(lex.skip_to_stanza());
    ASSERT_TRUE(lex.next_token().has_value());
    auto arg = lex.next_arg();
    ASSERT_TRUE(arg.has_value());
    EXPECT_EQ(arg->text, "a b c");
    ASSERT_TRUE(lex.end_stanza().has_value());
    ASSERT_TRUE(lex.skip_to_stanza());
    auto next = lex.next_token();
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->text, "author");
    EXPECT_EQ(next->pos.line, 4);
}

TEST(LexerQuotes, UnterminatedQuoteIsReportedWhereTheQuoteOpened) {
    EXPECT_EQ(arg_error("x ab\"cd"), "1:5 Unterminated quoted string");
}

TEST(LexerQuotes, UnterminatedQuoteSwallowsTheRestOfTheFile) {
    EXPECT_EQ(arg_error("x 'abc\nexec /bin/true\nend\n"), "1:3 Unterminated quoted string");
}

// ---- backslashes and continuations ----------------------------------------------------------

TEST(LexerBackslash, BeforeSpaceIsDroppedAndTheSpaceJoinsTheArgument) {
    EXPECT_EQ(args_of("x a\\ b c"), (std::vector<std::string>{"x", "a b", "c"}));
}

TEST(LexerBackslash, BeforeTabIsDropped) { EXPECT_EQ(args_of("x a\\\tb"), (std::vector<std::string>{"x", "a\tb"})); }

TEST(LexerBackslash, DoubleBackslashBecomesOne) {
    EXPECT_EQ(args_of("x a\\\\b"), (std::vector<std::string>{"x", "a\\b"}));
}

TEST(LexerBackslash, BeforeAnyOtherCharacterIsKept) {
    EXPECT_EQ(args_of("x a\\nb \\$HOME"), (std::vector<std::string>{"x", "a\\nb", "\\$HOME"}));
}

TEST(LexerBackslash, EscapedQuoteDoesNotOpenAQuoteAndKeepsItsBackslash) {
    EXPECT_EQ(args_of("x a\\\"b c"), (std::vector<std::string>{"x", "a\\\"b", "c"}));
}

TEST(LexerBackslash, InsideQuotesFollowsTheSameRules) {
    EXPECT_EQ(args_of("x \"a\\ b\\\\c\\d\""), (std::vector<std::string>{"x", "a b\\c\\d"}));
}

TEST(LexerBackslash, EscapedQuoteInsideQuotesDoesNotCloseThem) {
    EXPECT_EQ(args_of("x \"a\\\"b\""), (std::vector<std::string>{"x", "a\\\"b"}));
}

TEST(LexerBackslash, RawTokenKeepsEveryBackslash) {
    EXPECT_EQ(raw_tokens_of("x a\\ b c\\\\d"), (std::vector<std::string>{"x", "a\\ b", "c\\\\d"}));
}

TEST(LexerBackslash, LastByteOfTheFileIsTrailingSlash) { EXPECT_EQ(arg_error("x abc\\"), "1:6 Trailing slash in file"); }

TEST(LexerBackslash, AloneAtTheEndOfTheFileIsTrailingSlash) {
    EXPECT_EQ(arg_error("x \\"), "1:3 Trailing slash in file");
}

TEST(LexerContinuation, BackslashNewlineContinuesTheStanzaOnTheNextLine) {
    EXPECT_EQ(args_of("x a \\\n   b\nc"), (std::vector<std::string>{"x", "a", "b"}));
}

TEST(LexerContinuation, BackslashNewlineSeparatesTwoWords) {
    EXPECT_EQ(args_of("x a\\\nb"), (std::vector<std::string>{"x", "a", "b"}));
}

TEST(LexerContinuation, InsideQuotesBecomesOneSpace) {
    EXPECT_EQ(args_of("x \"a  \\\n    b\""), (std::vector<std::string>{"x", "a b"}));
}

TEST(LexerContinuation, TokensAfterAContinuationCarryTheirRealLine) {
    Lexer lex("env \\\n  A=1\n", "test.conf");
    ASSERT_TRUE(lex.skip_to_stanza());
    ASSERT_TRUE(lex.next_token().has_value());
    auto arg = lex.next_arg();
    ASSERT_TRUE(arg.has_value());
    EXPECT_EQ(arg->text, "A=1");
    EXPECT_EQ(arg->pos.line, 2);
    EXPECT_EQ(arg->pos.column, 3);
}

TEST(LexerContinuation, ContinuationThenEndOfLineIsStillTheSameStanza) {
    Lexer lex("task \\\n\nexec x\n", "test.conf");
    ASSERT_TRUE(lex.skip_to_stanza());
    ASSERT_TRUE(lex.next_token().has_value());
    EXPECT_TRUE(lex.at_end_of_stanza());
    ASSERT_TRUE(lex.end_stanza().has_value());
    EXPECT_EQ(lex.position().line, 3);
}

// ---- exec command text ----------------------------------------------------------------------

TEST(LexerCommand, KeepsQuotesVerbatim) {
    EXPECT_EQ(command_text("exec /sbin/daemon -d \"foo\" 'bar baz'"), "/sbin/daemon -d \"foo\" 'bar baz'");
}

TEST(LexerCommand, KeepsBackslashesVerbatim) {
    EXPECT_EQ(command_text("exec echo a\\ b \\\\ \\$x"), "echo a\\ b \\\\ \\$x");
}

TEST(LexerCommand, UnquotedHashEndsTheCommand) {
    EXPECT_EQ(command_text("exec /bin/foo --bar # start foo"), "/bin/foo --bar");
}

TEST(LexerCommand, HashInsideQuotesOrEscapedIsPartOfTheCommand) {
    EXPECT_EQ(command_text("exec echo \"a # b\" '#c' \\#d # gone"), "echo \"a # b\" '#c' \\#d");
}

TEST(LexerCommand, TrailingWhitespaceAndCarriageReturnAreTrimmed) {
    EXPECT_EQ(command_text("exec /bin/true  \t \r\nnext"), "/bin/true");
}

TEST(LexerCommand, InnerWhitespaceIsKeptAsWritten) {
    EXPECT_EQ(command_text("exec a   b\tc"), "a   b\tc");
}

TEST(LexerCommand, ContinuationCollapsesToOneSpace) {
    EXPECT_EQ(command_text("exec /bin/foo   \\\n     --bar \\\n--baz\n"), "/bin/foo --bar --baz");
}

TEST(LexerCommand, NewlineInsideQuotesCollapsesToOneSpace) {
    EXPECT_EQ(command_text("exec echo \"a\n   b\""), "echo \"a b\"");
}

TEST(LexerCommand, NothingAfterTheKeywordIsExpectedToken) {
    auto cmd = command_of("exec    # just a comment\n");
    ASSERT_FALSE(cmd.has_value());
    EXPECT_EQ(cmd.error().code, ParseErrorCode::ExpectedToken);
    EXPECT_EQ(cmd.error().line, 1);
}

TEST(LexerCommand, UnterminatedQuoteIsReportedAtTheQuote) {
    auto cmd = command_of("exec echo \"abc\n");
    ASSERT_FALSE(cmd.has_value());
    EXPECT_EQ(cmd.error().code, ParseErrorCode::UnterminatedQuote);
    EXPECT_EQ(cmd.error().line, 1);
    EXPECT_EQ(cmd.error().column, 11);
}

TEST(LexerCommand, BackslashAsLastByteIsTrailingSlash) {
    auto cmd = command_of("exec echo \\");
    ASSERT_FALSE(cmd.has_value());
    EXPECT_EQ(cmd.error().code, ParseErrorCode::TrailingSlash);
}

TEST(LexerCommand, TokenPositionIsTheFirstByteOfTheCommand) {
    auto cmd = command_of("  exec   /bin/true");
    ASSERT_TRUE(cmd.has_value());
    EXPECT_EQ(cmd->pos.line, 1);
    EXPECT_EQ(cmd->pos.column, 10);
}

// ---- script blocks --------------------------------------------------------------------------

TEST(LexerScript, BodyRunsToEndScriptWithCommonIndentationRemoved) {
    EXPECT_EQ(script_body("script\n    echo a\n    if x; then\n        y\n    fi\nend script\n"),
              "echo a\nif x; then\n    y\nfi\n");
}

TEST(LexerScript, UnindentedBodyIsKeptAsIs) {
    EXPECT_EQ(script_body("script\necho a\n  echo b\nend script\n"), "echo a\n  echo b\n");
}

TEST(LexerScript, CommonIndentationIsMeasuredAgainstTheFirstLine) {
    EXPECT_EQ(script_body("script\n    a\n  b\n      c\nend script\n"), "  a\nb\n    c\n");
}

TEST(LexerScript, MixedTabsAndSpacesShareOnlyTheirIdenticalPrefix) {
    EXPECT_EQ(script_body("script\n\t  a\n\t b\nend script\n"), " a\nb\n");
}

TEST(LexerScript, BlankLineStopsIndentationStripping) {
    EXPECT_EQ(script_body("script\n  echo a\n\n  echo b\nend script\n"), "  echo a\n\n  echo b\n");
}

TEST(LexerScript, CommentLinesAndQuotesInTheBodyArePassedThrough) {
    EXPECT_EQ(script_body("script\n  # a comment\n  echo \"x # y\" 'z\n  \\\nend script\n"),
              "# a comment\necho \"x # y\" 'z\n\\\n");
}

TEST(LexerScript, EmptyBodyIsEmpty) { EXPECT_EQ(script_body("script\nend script\n"), ""); }

TEST(LexerScript, EndScriptMayBeIndentedSpacedAndCommented) {
    EXPECT_EQ(script_body("script\n  echo a\n   \t end \t  script   # done\n"), "echo a\n");
}

TEST(LexerScript, EndScriptMayEndTheFileWithoutNewline) {
    EXPECT_EQ(script_body("script\n  echo a\nend script"), "echo a\n");
}

TEST(LexerScript, EndScriptWithCrlfEndsTheBlock) {
    // The body is handed to the shell verbatim, as Upstart does, CRs included.
    EXPECT_EQ(script_body("script\r\n  echo a\r\nend script\r\n"), "echo a\r\n");
}

TEST(LexerScript, CarriageReturnBetweenEndAndScriptIsWhitespace) {
    EXPECT_EQ(script_body("script\n  echo a\nend\rscript\n"), "echo a\n");
}

TEST(LexerScript, LinesThatOnlyLookLikeEndScriptArePartOfTheBody) {
    EXPECT_EQ(script_body("script\n  endscript\n  end scripts\n  end script now\n  end\nend script\n"),
              "endscript\nend scripts\nend script now\nend\n");
}

TEST(LexerScript, CommentAfterTheKeywordIsAllowed) {
    EXPECT_EQ(script_body("script # the main process\n  true\nend script\n"), "true\n");
}

TEST(LexerScript, WordAfterTheKeywordIsUnexpectedToken) {
    auto body = script_of("script foo\n  true\nend script\n");
    ASSERT_FALSE(body.has_value());
    EXPECT_EQ(body.error().code, ParseErrorCode::UnexpectedToken);
    EXPECT_EQ(body.error().line, 1);
    EXPECT_EQ(body.error().column, 8);
}

TEST(LexerScript, MissingEndScriptIsUnterminatedBlockAtTheOpeningLine) {
    auto body = script_of("\n\nscript\n  echo a\n  echo b\n");
    ASSERT_FALSE(body.has_value());
    EXPECT_EQ(body.error().code, ParseErrorCode::UnterminatedBlock);
    EXPECT_EQ(body.error().line, 3);
    EXPECT_EQ(body.error().column, 1);
    EXPECT_NE(body.error().detail.find("line 3"), std::string::npos);
}

TEST(LexerScript, ScriptAsTheLastLineIsUnterminatedBlock) {
    auto body = script_of("script");
    ASSERT_FALSE(body.has_value());
    EXPECT_EQ(body.error().code, ParseErrorCode::UnterminatedBlock);
    EXPECT_EQ(body.error().line, 1);
}

TEST(LexerScript, LinesAfterTheBlockAreCountedFromTheRightLine) {
    Lexer lex("script\n  a\n  b\nend script\nexec x\n", "test.conf");
    ASSERT_TRUE(lex.skip_to_stanza());
    auto keyword = lex.next_token();
    ASSERT_TRUE(keyword.has_value());
    ASSERT_TRUE(lex.script_block(keyword->pos).has_value());
    ASSERT_TRUE(lex.skip_to_stanza());
    auto next = lex.next_token();
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->text, "exec");
    EXPECT_EQ(next->pos.line, 5);
}

// ---- event-expression tokens ----------------------------------------------------------------

struct OnTok {
    OnTokenKind kind;
    std::string text;
    bool operator==(const OnTok&) const = default;
};

std::ostream& operator<<(std::ostream& os, const OnTok& t) {
    static constexpr const char* names[] = {"Word", "Open", "Close", "End"};
    return os << names[static_cast<int>(t.kind)] << "'" << t.text << "'";
}

// Tokens of an expression read at a fixed depth until End.
std::vector<OnTok> on_tokens(std::string_view text, int depth) {
    Lexer lex(text, "test.conf");
    std::vector<OnTok> out;
    for (int guard = 0; guard < 100; ++guard) {
        auto tok = lex.next_on_token(depth);
        EXPECT_TRUE(tok.has_value()) << (tok ? "" : tok.error().to_string());
        if (!tok) {
            break;
        }
        out.push_back({tok->kind, tok->token.text});
        if (tok->kind == OnTokenKind::End) {
            break;
        }
    }
    return out;
}

TEST(LexerOnToken, ParenthesesAreTokensOfTheirOwnEvenWithoutSpaces) {
    EXPECT_EQ(on_tokens("(a)or(b c)", 0),
              (std::vector<OnTok>{{OnTokenKind::Open, "("},
                                  {OnTokenKind::Word, "a"},
                                  {OnTokenKind::Close, ")"},
                                  {OnTokenKind::Word, "or"},
                                  {OnTokenKind::Open, "("},
                                  {OnTokenKind::Word, "b"},
                                  {OnTokenKind::Word, "c"},
                                  {OnTokenKind::Close, ")"},
                                  {OnTokenKind::End, ""}}));
}

TEST(LexerOnToken, WordsAreDequotedAndQuotedParenthesesAreText) {
    EXPECT_EQ(on_tokens("ev \"A=x (y)\" 'b c'", 0), (std::vector<OnTok>{{OnTokenKind::Word, "ev"},
                                                                        {OnTokenKind::Word, "A=x (y)"},
                                                                        {OnTokenKind::Word, "b c"},
                                                                        {OnTokenKind::End, ""}}));
}

TEST(LexerOnToken, OutsideParenthesesTheLineEndEndsTheExpression) {
    EXPECT_EQ(on_tokens("a\nb", 0), (std::vector<OnTok>{{OnTokenKind::Word, "a"}, {OnTokenKind::End, ""}}));
}

TEST(LexerOnToken, InsideParenthesesTheExpressionContinuesOnTheNextLine) {
    EXPECT_EQ(on_tokens("a\n  b # note\n c", 1), (std::vector<OnTok>{{OnTokenKind::Word, "a"},
                                                                     {OnTokenKind::Word, "b"},
                                                                     {OnTokenKind::Word, "c"},
                                                                     {OnTokenKind::End, ""}}));
}

TEST(LexerOnToken, InsideParenthesesABlankLineEndsTheExpression) {
    EXPECT_EQ(on_tokens("a\n   \nb", 1), (std::vector<OnTok>{{OnTokenKind::Word, "a"}, {OnTokenKind::End, ""}}));
}

TEST(LexerOnToken, InsideParenthesesACommentOnlyLineEndsTheExpression) {
    EXPECT_EQ(on_tokens("a\n  # note\nb", 1), (std::vector<OnTok>{{OnTokenKind::Word, "a"}, {OnTokenKind::End, ""}}));
}

TEST(LexerOnToken, BackslashContinuationWorksOutsideParentheses) {
    EXPECT_EQ(on_tokens("a \\\n or b", 0), (std::vector<OnTok>{{OnTokenKind::Word, "a"},
                                                               {OnTokenKind::Word, "or"},
                                                               {OnTokenKind::Word, "b"},
                                                               {OnTokenKind::End, ""}}));
}

TEST(LexerOnToken, EndDoesNotConsumeTheLineEnd) {
    Lexer lex("a\nexec x\n", "test.conf");
    ASSERT_TRUE(lex.next_on_token(0).has_value());
    auto end = lex.next_on_token(0);
    ASSERT_TRUE(end.has_value());
    EXPECT_EQ(end->kind, OnTokenKind::End);
    EXPECT_EQ(end->token.pos.line, 1);
    EXPECT_EQ(end->token.pos.column, 2);
    ASSERT_TRUE(lex.end_stanza().has_value());
    EXPECT_EQ(lex.position().line, 2);
}

TEST(LexerOnToken, UnterminatedQuoteIsAnError) {
    Lexer lex("ev \"abc", "test.conf");
    ASSERT_TRUE(lex.next_on_token(0).has_value());
    auto tok = lex.next_on_token(0);
    ASSERT_FALSE(tok.has_value());
    EXPECT_EQ(tok.error().code, ParseErrorCode::UnterminatedQuote);
}

// ---- positions and diagnostics --------------------------------------------------------------

TEST(LexerPosition, LinesAndByteColumnsAreOneBased) {
    Lexer lex("a\n\tbb  ccc\n", "test.conf");
    ASSERT_TRUE(lex.skip_to_stanza());
    auto a = lex.next_token();
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->pos.line, 1);
    EXPECT_EQ(a->pos.column, 1);
    ASSERT_TRUE(lex.end_stanza().has_value());
    ASSERT_TRUE(lex.skip_to_stanza());
    auto bb = lex.next_token();
    ASSERT_TRUE(bb.has_value());
    EXPECT_EQ(bb->pos.line, 2);
    EXPECT_EQ(bb->pos.column, 2);
    EXPECT_EQ(bb->pos.offset, 3u);
    auto ccc = lex.next_token();
    ASSERT_TRUE(ccc.has_value());
    EXPECT_EQ(ccc->pos.column, 6);
}

TEST(LexerDiagnostic, CarriesTheFileNameAndRendersFileLineColumnMessageDetail) {
    Lexer lex("x", "/etc/init/foo.conf");
    config::Diagnostic d =
        lex.error_at(config::Position{0, 3, 7}, ParseErrorCode::UnknownStanza, "'exex' is not a job-file stanza");
    EXPECT_EQ(d.file, "/etc/init/foo.conf");
    EXPECT_EQ(d.to_string(), "/etc/init/foo.conf:3:7: Unknown stanza: 'exex' is not a job-file stanza");
}

TEST(LexerDiagnostic, WithoutDetailEndsAtTheMessage) {
    Lexer lex("x", "f.conf");
    EXPECT_EQ(lex.error_at(config::Position{0, 2, 1}, ParseErrorCode::ExpectedToken).to_string(),
              "f.conf:2:1: Expected token");
}

} // namespace
