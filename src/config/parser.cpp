// Owns the stanza loop over one job file.
#include "config/parser.h"

#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

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

// `cgroup` stanzas are appended as they come (stanza_cgroup); a repeat of the same controller,
// group and key replaces the earlier value in the earlier one's place. Merging once per file with
// a hash map keeps that linear: searching the list at every stanza made a file of 65,000 cgroup
// lines (1 MiB) take 15 s to parse.
void merge_repeated_cgroups(std::vector<core::CgroupSetting>& groups) {
    if (groups.size() < 2) {
        return;
    }
    std::unordered_map<std::string, std::size_t> slot; // identity → index of its first occurrence
    slot.reserve(groups.size());
    std::size_t kept = 0;
    for (std::size_t i = 0; i < groups.size(); ++i) {
        core::CgroupSetting& g = groups[i];
        std::string identity = std::to_string(g.controller.size()) + ':' + g.controller +
                               std::to_string(g.name.size()) + ':' + g.name + g.key;
        auto [it, inserted] = slot.try_emplace(std::move(identity), kept);
        if (!inserted) {
            groups[it->second].value = std::move(g.value);
            continue;
        }
        if (kept != i) {
            groups[kept] = std::move(g);
        }
        ++kept;
    }
    groups.resize(kept);
}

ParseResult<void> parse_stanzas(std::string_view text, std::string_view file, core::JobClass& job,
                                std::vector<StanzaSpan>* spans) {
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
        if (spans != nullptr) {
            spans->push_back(StanzaSpan{keyword->text, keyword->pos.offset, lex.position().offset});
        }
    }
    return {};
}

// The checks every parse makes before the stanza loop: size and NUL bytes.
ParseResult<void> check_text(std::string_view text, std::string_view file) {
    if (text.size() > max_job_file_size) {
        return Diagnostic{std::string(file), 0, 0, ParseErrorCode::FileTooLarge,
                          std::to_string(text.size()) + " bytes; the limit is " + std::to_string(max_job_file_size)};
    }
    return reject_nul(text, file);
}

} // namespace

ParseResult<void> parse_job_text(std::string_view text, std::string_view file, core::JobClass& job) {
    if (auto checked = check_text(text, file); !checked) {
        return checked;
    }
    auto result = parse_stanzas(text, file, job, nullptr);
    if (!job.cgroups.empty()) {
        merge_repeated_cgroups(job.cgroups.edit());
    }
    return result;
}

ParseResult<std::vector<StanzaSpan>> list_stanzas(std::string_view text, std::string_view file) {
    if (auto checked = check_text(text, file); !checked) {
        return std::move(checked).error();
    }
    core::JobClass scratch;
    std::vector<StanzaSpan> spans;
    if (auto parsed = parse_stanzas(text, file, scratch, &spans); !parsed) {
        return std::move(parsed).error();
    }
    return spans;
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
