// Tests Upstart's exec-through-shell rule.
#include "proc/command.h"

#include <gtest/gtest.h>

namespace {

using proc::command_for;
using Args = std::vector<std::string>;

core::Process exec(std::string line) { return core::Process{std::move(line), 1, false}; }

TEST(CommandFor, PlainExecLineIsSplitOnWhitespaceAndExecutedDirectly) {
    auto cmd = command_for(exec("/usr/sbin/sshd  -D\t-p 2222"));
    EXPECT_EQ(cmd.file, "/usr/sbin/sshd");
    EXPECT_EQ(cmd.argv, (Args{"/usr/sbin/sshd", "-D", "-p", "2222"}));
}

TEST(CommandFor, ExecLineWithShellCharactersRunsUnderShDashE) {
    auto cmd = command_for(exec("web --port=$PORT"));
    EXPECT_EQ(cmd.file, "/bin/sh");
    EXPECT_EQ(cmd.argv, (Args{"/bin/sh", "-e", "-c", "exec web --port=$PORT", "/bin/sh"}));
}

TEST(CommandFor, EqualsSignAndTildeAlsoSelectTheShell) {
    EXPECT_TRUE(proc::needs_shell("foo --opt=1"));
    EXPECT_TRUE(proc::needs_shell("foo ~/x"));
    EXPECT_TRUE(proc::needs_shell("foo \"quoted\""));
    EXPECT_FALSE(proc::needs_shell("/bin/sleep 10"));
}

TEST(CommandFor, ScriptsAlwaysRunUnderShDashE) {
    auto cmd = command_for(core::Process{"echo one\necho two\n", 1, true});
    EXPECT_EQ(cmd.argv, (Args{"/bin/sh", "-e", "-c", "echo one\necho two\n", "/bin/sh"}));
}

TEST(CommandFor, BareProgramNameIsLeftForPathSearch) {
    auto cmd = command_for(exec("sleep 5"));
    EXPECT_EQ(cmd.file, "sleep");
}

} // namespace
