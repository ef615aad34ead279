// Tests startctl enable, disable and is-enabled on a temporary jobs dir: offline (no startd on
// the socket) they edit JOB.override keeping every other line, answer is-enabled with its words
// and exit statuses, refuse bad names, unknown jobs, static jobs and overrides that do not parse
// with clear errors and no change; with a fake startd on the socket they reload only one that
// says it serves this very jobs dir, and --now stops or starts the job through it.
#include "build_config.h"
#include "cli/commands.h"
#include "control/endpoint.h"
#include "support/fake_startd.h"
#include "support/real_child.h"
#include "support/run_startctl.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using nlohmann::json;
using test_support::FakeStartd;

using Ran = test_support::StartctlRun;

void write(const std::string& path, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

std::optional<std::string> read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class EnableCommands : public ::testing::Test {
  protected:
    EnableCommands() { std::filesystem::create_directories(jobs); }

    Ran run(const std::string& command, std::vector<std::string> args, cli::Options o = {}) {
        if (!o.root && !o.jobs_dir && !socket_only) {
            o.jobs_dir = jobs;
        }
        o.socket = socket;
        return test_support::run_startctl(std::move(o), command, std::move(args));
    }

    std::string conf(const std::string& name) const { return jobs + "/" + name + ".conf"; }
    std::string override_of(const std::string& name) const { return jobs + "/" + name + ".override"; }

    test_support::TempDir dir;
    std::string jobs = dir / "jobs";
    std::string socket = dir / "control"; // nothing listens here unless a test starts a FakeStartd
    bool socket_only = false; // run() as `startctl --socket PATH …` without --jobs-dir
};

constexpr const char* service = "start on startup\nexec sleep 100\n";

TEST_F(EnableCommands, DisableWritesManualAndEnableRemovesTheOverrideItCreated) {
    write(conf("web"), service);
    Ran is = run("is-enabled", {"web"});
    EXPECT_EQ(is.status, 0);
    EXPECT_EQ(is.out, "enabled\n");

    Ran off = run("disable", {"web"});
    EXPECT_EQ(off.status, 0) << off.err;
    EXPECT_EQ(off.err, "");
    EXPECT_EQ(off.out, "web disabled (manual in " + override_of("web") + ")\n");
    EXPECT_EQ(read(override_of("web")), "manual\n");
    is = run("is-enabled", {"web"});
    EXPECT_EQ(is.status, 1);
    EXPECT_EQ(is.out, "disabled\n");

    Ran again = run("disable", {"web"});
    EXPECT_EQ(again.status, 0);
    EXPECT_EQ(again.out, "web is already disabled (manual in " + override_of("web") + ")\n");

    Ran on = run("enable", {"web"});
    EXPECT_EQ(on.status, 0) << on.err;
    EXPECT_EQ(on.out, "web enabled (removed " + override_of("web") + ", which held only `manual')\n");
    EXPECT_FALSE(std::filesystem::exists(override_of("web")));
    EXPECT_EQ(run("is-enabled", {"web"}).status, 0);
    EXPECT_EQ(run("enable", {"web"}).out, "web is already enabled\n");
}

TEST_F(EnableCommands, AnOverrideWithOtherStanzasKeepsThemByteForByte) {
    write(conf("web"), service);
    std::string mine = "# local settings\nenv X=1\r\nstart on runlevel [2345]\n\nlimit nofile 4096 4096";
    write(override_of("web"), mine);
    ::chmod(override_of("web").c_str(), 0640);
    ASSERT_EQ(run("disable", {"web"}).status, 0);
    EXPECT_EQ(read(override_of("web")), mine + "\nmanual\n");
    struct stat st {};
    ASSERT_EQ(::stat(override_of("web").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
    EXPECT_EQ(run("is-enabled", {"web"}).out, "disabled\n");

    ASSERT_EQ(run("enable", {"web"}).status, 0);
    EXPECT_EQ(read(override_of("web")), mine + "\n");
    EXPECT_EQ(run("is-enabled", {"web"}).out, "enabled\n");
}

TEST_F(EnableCommands, EnableKeepsAnOverrideThatHoldsACommentAndRemovesEveryManual) {
    write(conf("web"), service);
    write(override_of("web"), "manual # off for the migration\n# ticket 42\nmanual\n");
    Ran on = run("enable", {"web"});
    EXPECT_EQ(on.status, 0) << on.err;
    EXPECT_EQ(on.out, "web enabled (manual removed from " + override_of("web") + ")\n");
    EXPECT_EQ(read(override_of("web")), "# ticket 42\n");
}

TEST_F(EnableCommands, JobNamesWithSlashesNameFilesInSubdirectories) {
    write(conf("net/apache"), service);
    ASSERT_EQ(run("disable", {"net/apache"}).status, 0);
    EXPECT_EQ(read(jobs + "/net/apache.override"), "manual\n");
    EXPECT_EQ(run("is-enabled", {"net/apache"}).out, "disabled\n");
}

TEST_F(EnableCommands, BadNamesAndUnknownJobsAreClearErrorsAndChangeNothing) {
    write(conf("web"), service);
    write(dir / "secret.conf", service); // outside the jobs dir
    struct Case {
        std::string name;
        std::string says;
    };
    for (const Case& c :
         {Case{"../secret", "'../secret' is not a job name: it has an empty, '.' or '..' component"},
          Case{"/etc/passwd", "'/etc/passwd' is a path"}, Case{"net//web", "'net//web' is not a job name"},
          Case{".web", "startd skips '.web'"}, Case{"db", "Unknown job: db (no db.conf in " + jobs + ")"}}) {
        SCOPED_TRACE(c.name);
        for (const char* command : {"disable", "enable", "is-enabled"}) {
            SCOPED_TRACE(command);
            Ran ran = run(command, {c.name});
            bool unknown = c.name == "db";
            EXPECT_EQ(ran.status, unknown && std::string(command) == "is-enabled" ? 4 : 1);
            EXPECT_EQ(ran.out, "");
            EXPECT_NE(ran.err.find(c.says), std::string::npos) << ran.err;
        }
    }
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(jobs), {}), 1); // web.conf alone
    EXPECT_FALSE(std::filesystem::exists(dir / "secret.override"));
    Ran none = run("disable", {});
    EXPECT_EQ(none.status, 1);
    EXPECT_NE(none.err.find("disable takes one job name"), std::string::npos) << none.err;
}

TEST_F(EnableCommands, AStaticJobIsSaidSoAndCannotBeEnabledByTheOverride) {
    write(conf("tool"), "exec true\n");
    write(conf("off"), "start on startup\nmanual\nexec true\n");
    for (const char* name : {"tool", "off"}) {
        SCOPED_TRACE(name);
        Ran is = run("is-enabled", {name});
        EXPECT_EQ(is.status, 0);
        EXPECT_EQ(is.out, "static\n");
        Ran on = run("enable", {name});
        EXPECT_EQ(on.status, 1);
        EXPECT_NE(on.err.find("cannot enable " + std::string(name) + ": " + conf(name) +
                              " says `manual' or has no `start on'"),
                  std::string::npos)
            << on.err;
        Ran off = run("disable", {name});
        EXPECT_EQ(off.status, 0);
        EXPECT_NE(off.out.find("is static"), std::string::npos) << off.out;
        EXPECT_FALSE(std::filesystem::exists(override_of(name)));
    }
}

TEST_F(EnableCommands, AnOverrideThatDoesNotParseIsNotEditedAndIsEnabledWarnsThatStartdIgnoresIt) {
    write(conf("web"), service);
    write(override_of("web"), "manual\nfrobnicate\n");
    Ran off = run("disable", {"web"});
    EXPECT_EQ(off.status, 1);
    EXPECT_NE(off.err.find(override_of("web") + ":2:1: Unknown stanza"), std::string::npos) << off.err;
    EXPECT_NE(off.err.find("fix it first"), std::string::npos) << off.err;
    EXPECT_EQ(read(override_of("web")), "manual\nfrobnicate\n");
    Ran is = run("is-enabled", {"web"});
    EXPECT_EQ(is.status, 0);
    EXPECT_EQ(is.out, "enabled\n");
    EXPECT_NE(is.err.find("warning: startd ignores " + override_of("web")), std::string::npos) << is.err;
}

TEST_F(EnableCommands, AConfThatDoesNotParseIsAnError) {
    write(conf("web"), "start on\n");
    Ran is = run("is-enabled", {"web"});
    EXPECT_EQ(is.status, 1);
    EXPECT_EQ(is.out, "");
    EXPECT_NE(is.err.find("web.conf has errors, so startd does not load the job"), std::string::npos)
        << is.err;
}

TEST_F(EnableCommands, ASymlinkedOverrideIsRefusedAndKept) {
    write(conf("web"), service);
    write(dir / "shared.override", "env X=1\n");
    std::filesystem::create_symlink(dir / "shared.override", override_of("web"));
    Ran off = run("disable", {"web"});
    EXPECT_EQ(off.status, 1);
    EXPECT_NE(off.err.find("is a symbolic link"), std::string::npos) << off.err;
    EXPECT_TRUE(std::filesystem::is_symlink(override_of("web")));
    EXPECT_EQ(read(dir / "shared.override"), "env X=1\n");
}

TEST_F(EnableCommands, RootActsOnTheSystemJobsDirUnderItAndNeverOnAStartd) {
    std::string root = dir / "image";
    write(root + STARTD_SYSTEM_JOBS_DIR + "/web.conf", service);
    FakeStartd startd(socket);
    cli::Options o;
    o.root = root;
    Ran off = run("disable", {"web"}, o);
    EXPECT_EQ(off.status, 0) << off.err;
    EXPECT_EQ(read(root + STARTD_SYSTEM_JOBS_DIR + "/web.override"), "manual\n");
    EXPECT_EQ(run("is-enabled", {"web"}, o).out, "disabled\n");
    EXPECT_TRUE(startd.requests().empty());
    o.now = true;
    Ran now = run("enable", {"web"}, o);
    EXPECT_EQ(now.status, 1);
    EXPECT_NE(now.err.find("--root never asks one"), std::string::npos) << now.err;
    EXPECT_EQ(read(root + STARTD_SYSTEM_JOBS_DIR + "/web.override"), "manual\n");
}

TEST_F(EnableCommands, IsEnabledSpeaksJson) {
    write(conf("web"), service);
    write(override_of("web"), "manual\n");
    cli::Options o;
    o.json = true;
    Ran is = run("is-enabled", {"web"}, o);
    EXPECT_EQ(is.status, 1);
    json j = json::parse(is.out);
    EXPECT_EQ(
        j,
        (json{
            {"job", "web"}, {"state", "disabled"}, {"conf", conf("web")}, {"override", override_of("web")}}));
}

// ---- with a startd on the socket --------------------------------------------------------------

// A fake startd that serves the directory `served`, and says so as startd does.
FakeStartd::Answer serving(const std::string& served, json list = json{{"jobs", json::array()}}) {
    auto id = control::dir_identity(sys::real_sys(), served);
    return [served, id, list](const control::Request& r) -> json {
        if (r.command == "version") {
            json v = {{"version", "0.1.0"}, {"protocol", 1}, {"jobs_dir", served}};
            if (id) {
                v["jobs_dir_id"] = *id;
            }
            return v;
        }
        if (r.command == "list") {
            return list;
        }
        if (r.command == "stop" || r.command == "start") {
            return {{"status",
                     {{"job", "web"},
                      {"instance", ""},
                      {"goal", r.command},
                      {"state", "waiting"},
                      {"processes", json::array()}}}};
        }
        return json{{"added", json::array()},
                    {"changed", {"web"}},
                    {"removed", json::array()},
                    {"errors", json::array()}};
    };
}

std::vector<std::string> commands_of(FakeStartd& startd) {
    std::vector<std::string> out;
    for (const control::Request& r : startd.requests()) {
        out.push_back(r.command);
    }
    return out;
}

TEST_F(EnableCommands, TheStartdServingTheJobsDirIsToldToReloadAndTheJobKeepsRunning) {
    write(conf("web"), service);
    FakeStartd startd(socket, serving(jobs));
    Ran off = run("disable", {"web"});
    EXPECT_EQ(off.status, 0) << off.err;
    EXPECT_EQ(off.err, "");
    EXPECT_EQ(commands_of(startd), (std::vector<std::string>{"version", "reload-configuration"}));
}

TEST_F(EnableCommands, NowStopsEveryRunningInstanceAndStartsTheJob) {
    write(conf("web"), service);
    json list = {{"jobs",
                  {{{"job", "web"},
                    {"statuses",
                     {{{"job", "web"},
                       {"instance", ""},
                       {"goal", "start"},
                       {"state", "running"},
                       {"processes", json::array()}}}}}}}};
    FakeStartd startd(socket, serving(jobs, list));
    cli::Options o;
    o.now = true;
    Ran off = run("disable", {"web"}, o);
    EXPECT_EQ(off.status, 0) << off.err;
    EXPECT_EQ(commands_of(startd),
              (std::vector<std::string>{"version", "reload-configuration", "list", "stop"}));
    EXPECT_EQ(startd.requests().back().args.value("wait", false), true);
    EXPECT_NE(off.out.find("web stop/waiting"), std::string::npos) << off.out;

    Ran on = run("enable", {"web"}, o);
    EXPECT_EQ(on.status, 0) << on.err;
    EXPECT_EQ(startd.requests().back().command, "start");
    EXPECT_EQ(startd.requests().back().args.value("job", ""), "web");
}

TEST_F(EnableCommands, AStartdServingAnotherJobsDirIsToldNothingAndNowIsRefusedBeforeAnyChange) {
    write(conf("web"), service);
    std::string other = dir / "other-jobs";
    std::filesystem::create_directories(other);
    FakeStartd startd(socket, serving(other));
    cli::Options o;
    o.now = true;
    Ran now = run("disable", {"web"}, o);
    EXPECT_EQ(now.status, 1);
    EXPECT_NE(now.err.find("--now needs the startd that serves " + jobs + ": the startd at " + socket +
                           " serves " + other + ", not " + jobs),
              std::string::npos)
        << now.err;
    EXPECT_FALSE(std::filesystem::exists(override_of("web")));

    Ran off = run("disable", {"web"});
    EXPECT_EQ(off.status, 0) << off.err;
    EXPECT_EQ(read(override_of("web")), "manual\n");
    EXPECT_NE(off.err.find("note: the startd at " + socket + " serves " + other), std::string::npos)
        << off.err;
    for (const std::string& command : commands_of(startd)) {
        EXPECT_EQ(command, "version"); // never reload-configuration, stop or start
    }
}

TEST_F(EnableCommands, AnOlderStartdThatDoesNotSayItsJobsDirIsNotReloaded) {
    write(conf("web"), service);
    FakeStartd startd(socket, [](const control::Request&) {
        return json{{"version", "0.0.9"}, {"protocol", 1}};
    });
    Ran off = run("disable", {"web"});
    EXPECT_EQ(off.status, 0) << off.err;
    EXPECT_NE(off.err.find("does not say which jobs dir it serves"), std::string::npos) << off.err;
    EXPECT_EQ(commands_of(startd), (std::vector<std::string>{"version"}));
}

TEST_F(EnableCommands, NowWithoutAnyStartdIsRefusedBeforeAnyChange) {
    write(conf("web"), service);
    cli::Options o;
    o.now = true;
    Ran now = run("disable", {"web"}, o);
    EXPECT_EQ(now.status, 1);
    EXPECT_NE(now.err.find("none runs at " + socket + "; nothing changed"), std::string::npos) << now.err;
    EXPECT_FALSE(std::filesystem::exists(override_of("web")));
}

TEST_F(EnableCommands, GivenOnlyASocketTheyActOnTheJobsDirOfTheStartdThere) {
    write(conf("web"), service);
    socket_only = true;
    Ran none = run("disable", {"web"});
    EXPECT_EQ(none.status, 1);
    EXPECT_NE(none.err.find("no startd answers at " + socket + " to say which jobs dir it serves: give --jobs-dir DIR"),
              std::string::npos)
        << none.err;
    EXPECT_FALSE(std::filesystem::exists(override_of("web"))) << "nothing changed";
    {
        FakeStartd startd(socket, serving(jobs));
        Ran off = run("disable", {"web"});
        EXPECT_EQ(off.status, 0) << off.err;
        EXPECT_EQ(read(override_of("web")), "manual\n");
        EXPECT_EQ(commands_of(startd), (std::vector<std::string>{"version", "version", "reload-configuration"}));
    }
    {
        socket = dir / "control2"; // the first fake's socket file stays behind it
        FakeStartd relative(socket, serving("jobs"));
        Ran on = run("enable", {"web"});
        EXPECT_EQ(on.status, 1);
        EXPECT_NE(on.err.find("was given the relative jobs dir jobs, which says nothing here: give --jobs-dir DIR"),
                  std::string::npos)
            << on.err;
        EXPECT_EQ(read(override_of("web")), "manual\n") << "nothing changed";
    }
}

} // namespace
