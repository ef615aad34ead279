// Owns the exec-through-shell rule.
#include "proc/command.h"

namespace proc {

namespace {

constexpr std::string_view shell_chars = "~`!$^&*()=|\\{}[];\"'<>?";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

} // namespace

bool needs_shell(std::string_view command_line) {
    return command_line.find_first_of(shell_chars) != std::string_view::npos;
}

Command command_for(const core::Process& process) {
    Command cmd;
    if (process.script) {
        cmd.file = shell;
        cmd.argv = {std::string(shell), "-e", "-c", process.command.str(), std::string(shell)};
        return cmd;
    }
    if (needs_shell(process.command)) {
        cmd.file = shell;
        cmd.argv = {std::string(shell), "-e", "-c", "exec " + process.command, std::string(shell)};
        return cmd;
    }
    std::string_view rest = process.command;
    while (!rest.empty()) {
        std::size_t start = 0;
        while (start < rest.size() && is_space(rest[start])) {
            ++start;
        }
        std::size_t end = start;
        while (end < rest.size() && !is_space(rest[end])) {
            ++end;
        }
        if (end > start) {
            cmd.argv.emplace_back(rest.substr(start, end - start));
        }
        rest.remove_prefix(end);
    }
    if (!cmd.argv.empty()) {
        cmd.file = cmd.argv.front();
    }
    return cmd;
}

} // namespace proc
