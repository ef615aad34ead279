// Owns environment-table operations and Upstart-compatible `$VAR` expansion.
#include "core/environ.h"

#include <algorithm>

namespace core {

namespace {

bool is_name_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

constexpr int max_brace_depth = 32;

using Expanded = base::Result<std::string>;

Expanded fail(std::string message) { return base::Error(std::move(message)); }

Expanded expand(std::string_view text, const Environ& env, int depth);

// The offset of the '}' closing the '{' just before `text`, honouring nested braces.
std::optional<std::size_t> closing_brace(std::string_view text) {
    int open = 1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '{') {
            ++open;
        } else if (text[i] == '}' && --open == 0) {
            return i;
        }
    }
    return std::nullopt;
}

// Expands the inside of ${…}: NAME, then optionally an operator and a word.
Expanded expand_braced(std::string_view inner, const Environ& env, int depth) {
    if (inner.empty()) {
        return Expanded(std::string("$"));
    }
    // The name may itself contain references (${${A}}), so expand up to the operator first.
    std::size_t op = 0;
    while (op < inner.size() && inner[op] != '-' && inner[op] != '+' && inner[op] != ':') {
        if (inner[op] == '$' && op + 1 < inner.size() && inner[op + 1] == '{') {
            auto close = closing_brace(inner.substr(op + 2));
            if (!close) {
                return fail("Mismatched braces");
            }
            op += *close + 3;
            continue;
        }
        ++op;
    }
    auto name = expand(inner.substr(0, op), env, depth + 1);
    if (!name) {
        return name;
    }
    auto value = env_get(env, *name);
    if (op == inner.size()) {
        if (!value) {
            return fail("Unknown parameter: " + *name);
        }
        return Expanded(std::string(*value));
    }
    bool colon = inner[op] == ':';
    std::size_t kind_at = colon ? op + 1 : op;
    if (kind_at >= inner.size() || (inner[kind_at] != '-' && inner[kind_at] != '+')) {
        return fail("Expected operator");
    }
    char kind = inner[kind_at];
    std::string_view word = inner.substr(kind_at + 1);
    bool set = value.has_value() && (!colon || !value->empty());
    if (kind == '-') {
        return set ? Expanded(std::string(*value)) : expand(word, env, depth + 1);
    }
    return set ? expand(word, env, depth + 1) : Expanded(std::string());
}

Expanded expand(std::string_view text, const Environ& env, int depth) {
    if (depth > max_brace_depth) {
        return fail("Mismatched braces");
    }
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c != '$' || i + 1 >= text.size()) {
            out += c;
            continue;
        }
        char next = text[i + 1];
        if (next == '{') {
            auto close = closing_brace(text.substr(i + 2));
            if (!close) {
                return fail("Mismatched braces");
            }
            auto part = expand_braced(text.substr(i + 2, *close), env, depth);
            if (!part) {
                return part;
            }
            out += *part;
            i += *close + 2;
        } else if (is_name_char(next)) {
            std::size_t end = i + 1;
            while (end < text.size() && is_name_char(text[end])) {
                ++end;
            }
            std::string_view name = text.substr(i + 1, end - i - 1);
            auto value = env_get(env, name);
            if (!value) {
                return fail("Unknown parameter: " + std::string(name));
            }
            out += *value;
            i = end - 1;
        } else {
            out += c;
        }
    }
    return Expanded(std::move(out));
}

} // namespace

bool is_env_assignment(std::string_view entry) {
    std::size_t eq = entry.find('=');
    return eq != std::string_view::npos && eq > 0;
}

std::string_view env_key(std::string_view entry) { return entry.substr(0, entry.find('=')); }

std::optional<std::string_view> env_get(const Environ& env, std::string_view key) {
    for (const std::string& entry : env) {
        if (entry.size() > key.size() && entry[key.size()] == '=' && entry.compare(0, key.size(), key) == 0) {
            return std::string_view(entry).substr(key.size() + 1);
        }
    }
    return std::nullopt;
}

void env_set(Environ& env, std::string_view assignment) {
    std::string_view key = env_key(assignment);
    for (std::string& entry : env) {
        if (env_key(entry) == key) {
            entry.assign(assignment);
            return;
        }
    }
    env.emplace_back(assignment);
}

bool env_unset(Environ& env, std::string_view key) {
    auto it = std::find_if(env.begin(), env.end(), [&](const std::string& e) { return env_key(e) == key; });
    if (it == env.end()) {
        return false;
    }
    env.erase(it);
    return true;
}

void env_apply_stanza(Environ& env, std::string_view entry, const Environ& outer) {
    if (entry.find('=') != std::string_view::npos) {
        env_set(env, entry);
        return;
    }
    if (auto value = env_get(outer, entry)) {
        env_set(env, std::string(entry) + "=" + std::string(*value));
    } else {
        env_unset(env, entry);
    }
}

base::Result<std::string> env_expand(std::string_view text, const Environ& env) {
    return expand(text, env, 0);
}

} // namespace core
