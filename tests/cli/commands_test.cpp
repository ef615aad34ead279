// Tests startctl's command table: every command in it that works through startd is reached from
// the command line with the arguments its help line names and sends startd a request of its own
// name (one startd knows), an unknown command is refused as before without connecting, the help
// lines keep their columns, and the bash completion's command lists are the table's. startd is
// played by a thread answering on a real Unix socket (support/fake_startd.h).
#include "cli/commands.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "control/commands.h"
#include "support/fake_startd.h"
#include "support/real_child.h"
#include "support/run_startctl.h"

namespace {

using test_support::FakeStartd;

using Ran = test_support::StartctlRun;

Ran run_startctl(const std::string& socket, const std::string& command, std::vector<std::string> args) {
    cli::Options o;
    o.socket = socket;
    return test_support::run_startctl(std::move(o), command, std::move(args));
}

// The arguments a help line says are needed: "emit EVENT [KEY=VALUE]..." → {"EVENT"},
// "set-env [-r] VAR[=VALUE]..." → {"VAR"}; bracketed words are optional and left out.
std::vector<std::string> required_arguments(std::string_view synopsis) {
    std::istringstream words{std::string(synopsis)};
    std::string word;
    words >> word; // the command's name
    std::vector<std::string> args;
    while (words >> word) {
        if (word.front() != '[') {
            args.push_back(word.substr(0, word.find_first_of("[.")));
        }
    }
    return args;
}

// The commands that show another request's result their own way, and the request they send.
const std::map<std::string, std::string> drawn_from = {
    {"show", "status"}, {"graph", "show-config"}, {"plot", "timeline"}};

TEST(CliCommands, EveryCommandInTheTableReachesStartdWithTheArgumentsItsHelpLineNames) {
    test_support::TempDir dir;
    // A timeline with one change, for plot to draw; {"ok": true} for the rest.
    FakeStartd startd(dir / "control", [](const control::Request& r) {
        if (r.command != "timeline") {
            return nlohmann::json{{"ok", true}};
        }
        return nlohmann::json{{"now_ms", 2000}, {"started_ms", 0}, {"from_ms", 0},
                              {"transitions", nlohmann::json::array({{{"t_ms", 10}, {"job", "web"}, {"instance", ""}, {"state", "starting"}, {"goal", "start"}}})}};
    });
    const std::vector<std::string> known = control::command_names();
    std::set<std::string> sent;
    std::size_t asked = 0;
    for (const cli::Command& command : cli::commands()) {
        SCOPED_TRACE(std::string(command.name));
        if (command.reach == cli::Reach::JobFiles) {
            continue; // they work on the job files, startd or not: enable_commands_test.cpp
        }
        if (command.reach == cli::Reach::Instances) {
            continue; // the instances' main configs and daemons: integration/multi_instance_test.cpp
        }
        std::vector<std::string> args = required_arguments(command.synopsis);
        Ran ran = run_startctl(dir / "control", std::string(command.name), args);
        EXPECT_EQ(ran.status, 0) << ran.err;
        EXPECT_EQ(ran.err, "");
        auto requests = startd.requests();
        ASSERT_EQ(requests.size(), asked + 1) << ran.err;
        const control::Request& request = requests.back();
        auto drawn = drawn_from.find(std::string(command.name));
        EXPECT_EQ(request.command, drawn == drawn_from.end() ? std::string(command.name) : drawn->second);
        sent.insert(request.command);
        EXPECT_NE(std::find(known.begin(), known.end(), request.command), known.end());
        if (command.operand == cli::Operand::Job && !args.empty()) {
            EXPECT_EQ(request.args.value("job", std::string()), args[0]) << request.args.dump();
        }
        asked = requests.size();
    }
    // `log-priority LEVEL` sends the one command no bare invocation does.
    Ran set = run_startctl(dir / "control", "log-priority", {"debug"});
    EXPECT_EQ(set.status, 0) << set.err;
    ASSERT_EQ(startd.requests().size(), asked + 1);
    EXPECT_EQ(startd.requests().back().command, "set-log-priority");
    EXPECT_EQ(startd.requests().back().args.value("priority", std::string()), "debug");
    sent.insert("set-log-priority");
    asked = startd.requests().size();
    // And `log --reopen`.
    cli::Options reopen;
    reopen.reopen = true;
    reopen.socket = dir / "control";
    Ran reopened = test_support::run_startctl(std::move(reopen), "log", {});
    EXPECT_EQ(reopened.status, 0) << reopened.err;
    ASSERT_EQ(startd.requests().size(), asked + 1);
    EXPECT_EQ(startd.requests().back().command, "log-reopen");
    sent.insert("log-reopen");
    EXPECT_EQ(sent, std::set<std::string>(known.begin(), known.end())); // and startd has no command startctl cannot send
}

TEST(CliCommands, FindCommandFindsEachRowByItsNameAndNothingElse) {
    for (const cli::Command& command : cli::commands()) {
        EXPECT_EQ(cli::find_command(command.name), &command);
    }
    EXPECT_EQ(cli::find_command("frobnicate"), nullptr);
    EXPECT_EQ(cli::find_command(""), nullptr);
    EXPECT_EQ(cli::find_command("star"), nullptr);
}

TEST(CliCommands, AnUnknownCommandIsRefusedWithoutAskingStartd) {
    test_support::TempDir dir;
    FakeStartd startd(dir / "control");
    Ran ran = run_startctl(dir / "control", "frobnicate", {"web"});
    EXPECT_EQ(ran.status, 1);
    EXPECT_EQ(ran.out, "");
    EXPECT_EQ(ran.err,
              "startctl: unknown command: frobnicate\nTry `startctl --help' for more information.\n");
    EXPECT_TRUE(startd.requests().empty());
}

TEST(CliCommands, HelpLinesKeepTheirColumns) {
    for (const cli::Command& command : cli::commands()) {
        EXPECT_EQ(command.synopsis.substr(0, command.name.size()), command.name);
        EXPECT_LT(command.synopsis.size(), 28u) << command.synopsis; // the summaries start in column 31
        EXPECT_FALSE(command.summary.empty()) << command.name;
    }
}

// The words of `variable="…"` (possibly over several lines) in the completion script.
std::set<std::string> completion_list(const std::string& script, const std::string& variable) {
    std::string start = "\n" + variable + "=\"";
    auto at = script.find(start);
    if (at == std::string::npos) {
        ADD_FAILURE() << variable << " is not set in the completion script";
        return {};
    }
    at += start.size();
    std::istringstream words(script.substr(at, script.find('"', at) - at));
    std::set<std::string> names;
    for (std::string word; words >> word;) {
        names.insert(word);
    }
    return names;
}

TEST(CliCommands, TheBashCompletionsListsAreTheTables) {
    std::ifstream in(std::filesystem::path(STARTD_SOURCE_DIR) / "completion" / "startctl.bash");
    ASSERT_TRUE(in.good());
    std::string script((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::set<std::string> all, jobs, variables, programs, files;
    for (const cli::Command& command : cli::commands()) {
        std::string name(command.name);
        all.insert(name);
        if (command.reach == cli::Reach::JobFiles) {
            files.insert(name);
        }
        if (command.operand == cli::Operand::Job) {
            jobs.insert(name);
        } else if (command.operand == cli::Operand::Variable) {
            variables.insert(name);
        }
        if (command.own_program) {
            programs.insert(name);
        }
    }
    EXPECT_EQ(completion_list(script, "_startctl_commands"), all);
    EXPECT_EQ(completion_list(script, "_startctl_job_commands"), jobs);
    EXPECT_EQ(completion_list(script, "_startctl_variable_commands"), variables);
    EXPECT_EQ(completion_list(script, "_startctl_programs"), programs);
    EXPECT_EQ(completion_list(script, "_startctl_file_commands"), files);
}

} // namespace
