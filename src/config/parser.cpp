// Owns the stanza loop over one job file.
#include "config/parser.h"

#include <cstring>

#include "config/stanzas.h"

namespace config {

namespace {

// The position of the first NUL byte, which no job file may contain (a NUL would silently cut
// an exec line or an env value short when handed to the kernel).
ParseResult<void> reject_nul(std::string_view text, std::string_view file) {
    const void* nul = std::memchr(text.data(), '\0', text.size());
    if (nul == nullptr) {
        return {};
    }
    std::size_t offset = static_cast<const char*>(nul) - text.data();
    int line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++line;
            line_start = i + 1;
        }
    }
    return Diagnostic{std::string(file), line, static_cast<int>(offset - line_start) + 1, ParseErrorCode::NulByte,
                      "job files are text; remove the NUL byte"};
}

} // namespace

ParseResult<void> parse_job_text(std::string_view text, std::string_view file, core::JobClass& job) {
    if (text.size() > max_job_file_size) {
        return Diagnostic{std::string(file), 0, 0, ParseErrorCode::FileTooLarge,
                          std::to_string(text.size()) + " bytes; the limit is " + std::to_string(max_job_file_size)};
    }
    if (auto nul = reject_nul(text, file); !nul) {
        return nul;
    }
    Lexer lex(text, file);
    while (lex.skip_to_stanza()) {
        auto keyword = lex.next_token();
        if (!keyword) {
            return std::move(keyword).error();
        }
        const Stanza* stanza = find_stanza(keyword->text);
        if (stanza == nullptr) {
            std::string detail = "'" + keyword->text + "' is not a job-file stanza";
            if (std::string_view near = closest_stanza(keyword->text); !near.empty()) {
                detail += " (did you mean '" + std::string(near) + "'?)";
            }
            return lex.error_at(keyword->pos, ParseErrorCode::UnknownStanza, std::move(detail));
        }
        StanzaContext ctx{lex, job, *keyword};
        if (auto result = stanza->handler(ctx); !result) {
            return result;
        }
    }
    return {};
}

ParseResult<core::JobClass> parse_job(std::string_view text, std::string_view file) {
    core::JobClass job;
    job.path = std::string(file);
    if (auto result = parse_job_text(text, file, job); !result) {
        return std::move(result).error();
    }
    return job;
}

} // namespace config
