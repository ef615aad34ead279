// Owns adding and removing `manual` in an override's text, by the parser's stanza positions.
#include "config/override_edit.h"

#include "config/parser.h"

#include <algorithm>
#include <vector>

namespace config {

namespace {

bool is_blank_char(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// True when, of the `manual` and `start on` stanzas, the last is a `manual`: the override then
// leaves the job without a start condition whatever its .conf says.
bool manual_is_last(const std::vector<StanzaSpan>& spans) {
    auto last = std::find_if(spans.rbegin(), spans.rend(), [](const StanzaSpan& s) {
        return s.keyword == "manual" || s.keyword == "start";
    });
    return last != spans.rend() && last->keyword == "manual";
}

std::string_view line_ending_of(std::string_view text) {
    auto nl = text.find('\n');
    return nl != std::string_view::npos && nl > 0 && text[nl - 1] == '\r' ? "\r\n" : "\n";
}

// Removes the `manual` at [begin, end) from `out`: its whole line when nothing else is on it.
void remove_one(std::string& out, std::size_t begin, std::size_t end) {
    std::size_t line_start = begin == 0 ? std::string::npos : out.rfind('\n', begin - 1);
    line_start = line_start == std::string::npos ? 0 : line_start + 1;
    bool alone_before = std::all_of(out.begin() + static_cast<std::ptrdiff_t>(line_start),
                                    out.begin() + static_cast<std::ptrdiff_t>(begin),
                                    [](char c) { return c == ' ' || c == '\t'; });
    std::size_t after = end;
    while (after < out.size() && (out[after] == ' ' || out[after] == '\t' || out[after] == '\r')) {
        ++after;
    }
    bool alone_after = after == out.size() || out[after] == '\n' || out[after] == '#';
    if (alone_before && alone_after) {
        std::size_t line_end = out.find('\n', after);
        out.erase(line_start, line_end == std::string::npos ? std::string::npos : line_end + 1 - line_start);
        return;
    }
    // Another stanza shares the line: drop the word and the blanks after it.
    std::size_t word_end = end;
    while (word_end < out.size() && (out[word_end] == ' ' || out[word_end] == '\t')) {
        ++word_end;
    }
    out.erase(begin, word_end - begin);
}

base::Error not_as_intended(std::string_view file, const std::string& detail) {
    return base::Error(std::string(file) + ": " + detail);
}

} // namespace

base::Result<std::string> add_manual(std::string_view text, std::string_view file) {
    auto spans = list_stanzas(text, file);
    if (!spans) {
        return base::Error(spans.error().to_string());
    }
    if (manual_is_last(*spans)) {
        return std::string(text);
    }
    std::string_view eol = line_ending_of(text);
    std::string out(text);
    if (!out.empty() && out.back() != '\n') {
        out += eol;
    }
    out += "manual";
    out += eol;
    auto check = list_stanzas(out, file);
    if (!check || !manual_is_last(*check)) {
        return not_as_intended(file,
                               "its last line is continued (ends with a backslash): add `manual` by hand");
    }
    return out;
}

base::Result<std::string> remove_manual(std::string_view text, std::string_view file) {
    auto spans = list_stanzas(text, file);
    if (!spans) {
        return base::Error(spans.error().to_string());
    }
    std::string out(text);
    for (auto it = spans->rbegin(); it != spans->rend(); ++it) {
        if (it->keyword == "manual") {
            remove_one(out, it->begin, it->end);
        }
    }
    auto check = list_stanzas(out, file);
    bool manual_left = check && std::any_of(check->begin(), check->end(),
                                            [](const StanzaSpan& s) { return s.keyword == "manual"; });
    if (!check || manual_left) {
        return not_as_intended(file, "a `manual` stanza is part of a continued line: remove it by hand");
    }
    return out;
}

bool is_blank(std::string_view text) {
    return std::all_of(text.begin(), text.end(), is_blank_char);
}

} // namespace config
