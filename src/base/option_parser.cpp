// Owns parse_command_line: getopt_long's conventions over a table of options.
#include "base/option_parser.h"

namespace base {

namespace {

// The spec `--NAME` means: the exact name, else the only option whose name starts with NAME.
Result<const OptionSpec*> find_long(std::span<const OptionSpec> specs, std::string_view name) {
    std::vector<const OptionSpec*> prefixed;
    for (const OptionSpec& spec : specs) {
        if (spec.long_name.empty()) {
            continue;
        }
        if (spec.long_name == name) {
            return &spec;
        }
        if (!name.empty() && spec.long_name.starts_with(name)) {
            prefixed.push_back(&spec);
        }
    }
    if (prefixed.size() == 1) {
        return prefixed.front();
    }
    if (prefixed.empty()) {
        return Error("invalid option: --" + std::string(name));
    }
    std::string candidates;
    for (const OptionSpec* spec : prefixed) {
        candidates += (candidates.empty() ? "--" : ", --") + std::string(spec->long_name);
    }
    return Error("option --" + std::string(name) + " is ambiguous (" + candidates + ")");
}

const OptionSpec* find_short(std::span<const OptionSpec> specs, char c) {
    for (const OptionSpec& spec : specs) {
        if (spec.short_name != '\0' && spec.short_name == c) {
            return &spec;
        }
    }
    return nullptr;
}

} // namespace

Result<CommandLine> parse_command_line(std::span<const OptionSpec> specs, int argc, const char* const* argv) {
    CommandLine out;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--") {
            for (++i; i < argc; ++i) {
                out.operands.emplace_back(argv[i]);
            }
            break;
        }
        if (arg.size() < 2 || arg.front() != '-') {
            out.operands.emplace_back(arg); // includes "-", which names standard input by convention
            continue;
        }
        if (arg.starts_with("--")) {
            std::string_view body = arg.substr(2);
            std::size_t eq = body.find('=');
            std::string_view name = body.substr(0, eq);
            auto spec = find_long(specs, name);
            if (!spec) {
                return std::move(spec).error();
            }
            ParsedOption parsed{(*spec)->id, "--" + std::string((*spec)->long_name), std::nullopt};
            if (!(*spec)->takes_value) {
                if (eq != std::string_view::npos) {
                    return Error("option " + parsed.spelling + " takes no value");
                }
            } else if (eq != std::string_view::npos) {
                parsed.value = std::string(body.substr(eq + 1));
            } else if (i + 1 < argc) {
                parsed.value = std::string(argv[++i]);
            } else {
                return Error("option " + parsed.spelling + " needs a value");
            }
            out.options.push_back(std::move(parsed));
            continue;
        }
        // A bundle of short options: flags, then at most one that takes the rest (or the next word).
        for (std::size_t j = 1; j < arg.size(); ++j) {
            const OptionSpec* spec = find_short(specs, arg[j]);
            std::string spelling = std::string("-") + arg[j];
            if (spec == nullptr) {
                return Error("invalid option: " + spelling);
            }
            ParsedOption parsed{spec->id, std::move(spelling), std::nullopt};
            if (spec->takes_value) {
                if (j + 1 < arg.size()) {
                    parsed.value = std::string(arg.substr(j + 1));
                } else if (i + 1 < argc) {
                    parsed.value = std::string(argv[++i]);
                } else {
                    return Error("option " + parsed.spelling + " needs a value");
                }
                out.options.push_back(std::move(parsed));
                break;
            }
            out.options.push_back(std::move(parsed));
        }
    }
    return out;
}

} // namespace base
