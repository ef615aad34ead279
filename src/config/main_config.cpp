// Owns the reading and rewriting of startd.conf (Postfix main.cf rules; main_config.h).
#include "config/main_config.h"

#include <algorithm>

namespace config {

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_blank(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_blank(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
}

} // namespace

base::Result<MainConfig> MainConfig::parse(std::string_view text, const std::string& path) {
    MainConfig cfg;
    int number = 0;
    bool continuable = false; // the entry before is a parameter that an indented line may continue
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end == std::string_view::npos ? text.size() : end + 1);
        text.remove_prefix(line.size());
        ++number;
        auto where = [&] { return path + ":" + std::to_string(number) + ": "; };
        std::string_view content = trim(line);
        if (content.empty() || content.front() == '#') {
            cfg.m_entries.push_back({std::string(line), "", ""});
            continuable = false;
            continue;
        }
        if (is_blank(line.front())) {
            if (!continuable) {
                return base::Error(where() +
                                   "indented line continues no parameter (a parameter line starts in "
                                   "the first column; a blank or comment line ends it)");
            }
            Entry& last = cfg.m_entries.back();
            last.text += line;
            last.value += last.value.empty() ? std::string(content) : " " + std::string(content);
            continue;
        }
        std::size_t eq = content.find('=');
        if (eq == std::string_view::npos) {
            return base::Error(where() + "expected `name = value', got '" + std::string(content) + "'");
        }
        std::string_view name = trim(content.substr(0, eq));
        if (name.empty()) {
            return base::Error(where() + "missing parameter name before '='");
        }
        if (!std::all_of(name.begin(), name.end(), is_name_char)) {
            return base::Error(where() + "bad parameter name '" + std::string(name) +
                               "' (letters, digits, '_', '-' and '.' only)");
        }
        cfg.m_entries.push_back(
            {std::string(line), std::string(name), std::string(trim(content.substr(eq + 1)))});
        continuable = true;
    }
    return cfg;
}

std::optional<std::string> MainConfig::get(std::string_view name) const {
    for (auto it = m_entries.rbegin(); it != m_entries.rend(); ++it) {
        if (it->name == name) {
            return it->value;
        }
    }
    return std::nullopt;
}

void MainConfig::set(std::string_view name, std::string_view value) {
    std::string text = std::string(name) + (value.empty() ? " =" : " = ") + std::string(value) + "\n";
    auto last =
        std::find_if(m_entries.rbegin(), m_entries.rend(), [&](const Entry& e) { return e.name == name; });
    if (last == m_entries.rend()) {
        if (!m_entries.empty() && !m_entries.back().text.empty() && m_entries.back().text.back() != '\n') {
            m_entries.back().text += '\n'; // a last line without its newline
        }
        m_entries.push_back({std::move(text), std::string(name), std::string(value)});
        return;
    }
    Entry& kept = *last;
    if (!kept.text.empty() && kept.text.back() != '\n') {
        text.pop_back(); // it was the last line, without a newline: keep it so
    }
    kept.text = std::move(text);
    kept.value = std::string(value);
    Entry* keep = &kept;
    std::erase_if(m_entries, [&](const Entry& e) { return e.name == name && &e != keep; });
}

void MainConfig::erase(std::string_view name) {
    std::erase_if(m_entries, [&](const Entry& e) { return e.name == name; });
}

std::string MainConfig::render() const {
    std::string out;
    for (const Entry& e : m_entries) {
        out += e.text;
    }
    return out;
}

base::Result<bool> parse_yes_no(std::string_view value, std::string_view what) {
    std::string lower(value);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    if (lower == "yes") {
        return true;
    }
    if (lower == "no") {
        return false;
    }
    return base::Error(std::string(what) + ": expected yes or no, got '" + std::string(value) + "'");
}

std::vector<std::string> split_list(std::string_view value) {
    std::vector<std::string> items;
    std::string item;
    for (char c : value) {
        if (c == ',' || is_blank(c)) {
            if (!item.empty()) {
                items.push_back(std::move(item));
                item.clear();
            }
        } else {
            item += c;
        }
    }
    if (!item.empty()) {
        items.push_back(std::move(item));
    }
    return items;
}

} // namespace config
