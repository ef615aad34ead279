// Tests startctl's command table: every command in it is reached from the command line with the
// arguments its help line names and sends startd a request of its own name (one startd knows),
// an unknown command is refused as before without connecting, the help lines keep their
// columns, and the bash completion's command lists are the table's. startd is played by a
// thread answering on a real Unix socket.
#include "cli/commands.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "control/commands.h"
#include "control/framing.h"
#include "control/protocol.h"
#include "support/real_child.h"

namespace {

// Answers every request on `path` with ok and {"ok": true} (check-config's clean result, and
// nothing any other command prints a status from), and keeps what was asked.
class FakeStartd {
public:
    explicit FakeStartd(const std::string& path) {
        m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        path.copy(addr.sun_path, sizeof addr.sun_path - 1);
        EXPECT_EQ(::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        EXPECT_EQ(::listen(m_fd, 8), 0);
        m_thread = std::thread([this] { serve(); });
    }
    ~FakeStartd() {
        m_stop = true;
        m_thread.join();
        ::close(m_fd);
    }
    FakeStartd(const FakeStartd&) = delete;
    FakeStartd& operator=(const FakeStartd&) = delete;

    std::vector<control::Request> requests() {
        std::lock_guard lock(m_mutex);
        return m_requests;
    }

private:
    void serve() {
        while (!m_stop) {
            pollfd p{m_fd, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) {
                continue;
            }
            int conn = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (conn >= 0) {
                answer(conn);
                ::close(conn);
            }
        }
    }
    void answer(int conn) {
        control::FrameDecoder decoder(control::max_request_payload);
        char buf[4096];
        for (;;) {
            if (auto payload = decoder.next()) {
                auto request = control::decode_request(*payload);
                ASSERT_TRUE(request.has_value()) << *payload;
                control::Response response;
                response.id = request->id;
                response.result = {{"ok", true}};
                {
                    std::lock_guard lock(m_mutex); // kept before the reply lets startctl go on
                    m_requests.push_back(std::move(request).value());
                }
                std::string frame = control::encode_frame(control::encode_response(response));
                ASSERT_EQ(::write(conn, frame.data(), frame.size()), static_cast<ssize_t>(frame.size()));
                return;
            }
            ssize_t n = ::read(conn, buf, sizeof buf);
            if (n <= 0) {
                return;
            }
            decoder.feed(std::string_view(buf, static_cast<std::size_t>(n)));
        }
    }

    int m_fd = -1;
    std::atomic<bool> m_stop{false};
    std::mutex m_mutex;
    std::vector<control::Request> m_requests;
    std::thread m_thread;
};

struct Ran {
    int status;
    std::string out;
    std::string err;
};

Ran run_startctl(const std::string& socket, const std::string& command, std::vector<std::string> args) {
    cli::Options o;
    o.prog = "startctl";
    o.command = command;
    o.args = std::move(args);
    o.socket = socket;
    control::EnvLookup no_env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
    sys::Sys& sys = sys::real_sys();
    testing::internal::CaptureStdout();
    testing::internal::CaptureStderr();
    int status = cli::run(o, sys, no_env, sys.geteuid());
    std::string out = testing::internal::GetCapturedStdout();
    return {status, out, testing::internal::GetCapturedStderr()};
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

TEST(CliCommands, EveryCommandInTheTableReachesStartdWithTheArgumentsItsHelpLineNames) {
    test_support::TempDir dir;
    FakeStartd startd(dir / "control");
    const std::vector<std::string> known = control::command_names();
    std::size_t asked = 0;
    for (const cli::Command& command : cli::commands()) {
        SCOPED_TRACE(std::string(command.name));
        std::vector<std::string> args = required_arguments(command.synopsis);
        Ran ran = run_startctl(dir / "control", std::string(command.name), args);
        EXPECT_EQ(ran.status, 0) << ran.err;
        EXPECT_EQ(ran.err, "");
        auto requests = startd.requests();
        ASSERT_EQ(requests.size(), asked + 1) << ran.err;
        const control::Request& request = requests.back();
        EXPECT_EQ(request.command, command.name);
        EXPECT_NE(std::find(known.begin(), known.end(), request.command), known.end());
        if (command.operand == cli::Operand::Job && !args.empty()) {
            EXPECT_EQ(request.args.value("job", std::string()), args[0]) << request.args.dump();
        }
        asked = requests.size();
    }
    EXPECT_EQ(asked, known.size()); // and startd has no command startctl cannot send
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
    std::set<std::string> all, jobs, variables, programs;
    for (const cli::Command& command : cli::commands()) {
        std::string name(command.name);
        all.insert(name);
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
}

} // namespace
