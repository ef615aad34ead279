// Tests where startd instances keep their config, jobs, socket and logs, and the refusal of a
// runtime dir another user could tamper with (over FakeSys).
#include "control/endpoint.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "build_config.h"
#include "fakes/fake_sys.h"
#include "support/real_child.h"

namespace {

using control::Mode;
using control::resolve_endpoint;

control::EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view key) -> std::optional<std::string> {
        auto it = vars.find(std::string(key));
        if (it == vars.end()) {
            return std::nullopt;
        }
        return it->second;
    };
}

TEST(Endpoint, SystemDefaultUsesUpstartJobsDirAndRunStartd) {
    auto ep = resolve_endpoint(Mode::System, std::nullopt, 0, env_of({}));
    // The configured defaults (cmake -DSTARTD_JOBS_DIR=…): /etc/startd, /etc/init, /run/startd
    // and /var/log/startd unless a packager chose others.
    EXPECT_EQ(ep.config_dir, STARTD_SYSTEM_CONFIG_DIR);
    EXPECT_EQ(ep.jobs_dir, STARTD_SYSTEM_JOBS_DIR);
    EXPECT_EQ(ep.socket, STARTD_SYSTEM_RUNTIME_DIR "/control");
    EXPECT_EQ(ep.log_dir, STARTD_SYSTEM_LOG_DIR);
}

TEST(Endpoint, UserDefaultFollowsXdgDirectories) {
    auto ep = resolve_endpoint(Mode::User, std::nullopt, 1000,
                               env_of({{"HOME", "/home/ann"}, {"XDG_RUNTIME_DIR", "/run/user/1000"}}));
    EXPECT_EQ(ep.config_dir, "/home/ann/.config/startd");
    EXPECT_EQ(ep.jobs_dir, "/home/ann/.config/startd/jobs");
    EXPECT_EQ(ep.socket, "/run/user/1000/startd/control");
    EXPECT_EQ(ep.log_dir, "/home/ann/.local/state/startd/log");
}

TEST(Endpoint, UserWithoutRuntimeDirFallsBackToAPrivateTmpDir) {
    auto ep = resolve_endpoint(Mode::User, std::nullopt, 1234, env_of({{"HOME", "/home/b"}}));
    EXPECT_EQ(ep.socket, "/tmp/startd-1234/control");
}

TEST(Endpoint, ExplicitDefaultConfigDirIsTheDefaultInstance) {
    auto a = resolve_endpoint(Mode::System, std::string(STARTD_SYSTEM_CONFIG_DIR "/"), 0, env_of({}));
    EXPECT_EQ(a.socket, STARTD_SYSTEM_RUNTIME_DIR "/control");
}

TEST(Endpoint, OtherConfigDirIsAnInstanceOfItsOwn) {
    auto ep = resolve_endpoint(Mode::System, std::string("/etc/startd-mail"), 0, env_of({}));
    EXPECT_EQ(ep.jobs_dir, "/etc/startd-mail/jobs");
    EXPECT_EQ(ep.socket, STARTD_SYSTEM_RUNTIME_DIR "/instances/etc-startd\\x2dmail/control");
}

TEST(EscapePath, KeepsSafeCharactersAndEscapesTheRest) {
    EXPECT_EQ(control::escape_path("/srv/mail b/"), "srv-mail\\x20b");
    EXPECT_EQ(control::escape_path("/"), "-");
}

// ---- the runtime dir must be private (issue 12, item 7) --------------------------------------

using control::RuntimeDirUse;
using control::secure_runtime_dir;

class RuntimeDir : public ::testing::Test {
protected:
    void SetUp() override {
        sys.set_euid(1000);
        sys.add_dir("/tmp", 01777);
        sys.add_dir("/home/ann");
    }
    control::Endpoint user_endpoint(std::optional<std::string> config = std::nullopt) {
        return resolve_endpoint(Mode::User, std::move(config), 1000, env_of({{"HOME", "/home/ann"}}));
    }
    // Another user was there first and made the directory for us, world-writable.
    void planted(const std::string& dir, uid_t owner, mode_t mode) {
        sys.add_dir(dir, mode);
        sys.set_owner(dir, owner);
    }
    static std::string message(const base::Result<void>& r) { return r ? std::string("ok") : r.error().message(); }

    fakes::FakeSys sys;
};

TEST_F(RuntimeDir, ListenCreatesTheMissingTmpFallbackPrivate) {
    auto ep = user_endpoint();
    EXPECT_EQ(ep.runtime_root, "/tmp/startd-1000");
    auto made = secure_runtime_dir(sys, ep, 1000, RuntimeDirUse::Listen);
    ASSERT_TRUE(made) << message(made);
    EXPECT_EQ(sys.file_mode("/tmp/startd-1000"), 0700);
}

TEST_F(RuntimeDir, ListenCreatesEveryInstanceDirectoryPrivate) {
    auto ep = user_endpoint("/srv/mail");
    EXPECT_EQ(ep.runtime_dir, "/tmp/startd-1000/instances/srv-mail");
    auto made = secure_runtime_dir(sys, ep, 1000, RuntimeDirUse::Listen);
    ASSERT_TRUE(made) << message(made);
    EXPECT_EQ(sys.file_mode("/tmp/startd-1000"), 0700);
    EXPECT_EQ(sys.file_mode("/tmp/startd-1000/instances"), 0700);
    EXPECT_EQ(sys.file_mode("/tmp/startd-1000/instances/srv-mail"), 0700);
}

TEST_F(RuntimeDir, TmpDirCreatedFirstByAnotherUserIsRefused) {
    planted("/tmp/startd-1000", 1001, 0777);
    auto ep = user_endpoint();
    for (RuntimeDirUse use : {RuntimeDirUse::Listen, RuntimeDirUse::Connect}) {
        auto r = secure_runtime_dir(sys, ep, 1000, use);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().message(),
                  "refusing to use runtime directory /tmp/startd-1000: it is owned by uid 1001, not by you (uid 1000) "
                  "(another user could replace the control socket in it); remove it or fix its owner and mode "
                  "(chmod 0700), or set XDG_RUNTIME_DIR");
    }
    EXPECT_EQ(sys.file_mode("/tmp/startd-1000"), 0777); // nothing changed
}

TEST_F(RuntimeDir, OwnDirectoryOpenToOthersIsRefused) {
    planted("/tmp/startd-1000", 1000, 0777);
    auto r = secure_runtime_dir(sys, user_endpoint(), 1000, RuntimeDirUse::Listen);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("/tmp/startd-1000: its mode is 0777, not 0700"), std::string::npos)
        << r.error().message();
}

TEST_F(RuntimeDir, EvenReadPermissionForOthersIsRefusedInUserMode) {
    planted("/tmp/startd-1000", 1000, 0755);
    auto r = secure_runtime_dir(sys, user_endpoint(), 1000, RuntimeDirUse::Connect);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("its mode is 0755, not 0700"), std::string::npos) << r.error().message();
}

TEST_F(RuntimeDir, AnUnsafeDirectoryInsideTheChainIsRefused) {
    planted("/tmp/startd-1000", 1000, 0700);
    planted("/tmp/startd-1000/instances", 1001, 0700);
    auto r = secure_runtime_dir(sys, user_endpoint("/srv/mail"), 1000, RuntimeDirUse::Listen);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("/tmp/startd-1000/instances: it is owned by uid 1001"), std::string::npos)
        << r.error().message();
    EXPECT_FALSE(sys.exists("/tmp/startd-1000/instances/srv-mail"));
}

TEST_F(RuntimeDir, AFileWhereTheDirectoryShouldBeIsRefused) {
    sys.add_file("/tmp/startd-1000", "");
    sys.set_owner("/tmp/startd-1000", 1000);
    auto r = secure_runtime_dir(sys, user_endpoint(), 1000, RuntimeDirUse::Listen);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("/tmp/startd-1000: it is not a directory"), std::string::npos)
        << r.error().message();
}

TEST_F(RuntimeDir, PrivateDirectoryOfTheUserIsAccepted) {
    planted("/tmp/startd-1000", 1000, 0700);
    EXPECT_TRUE(secure_runtime_dir(sys, user_endpoint(), 1000, RuntimeDirUse::Connect));
    EXPECT_TRUE(secure_runtime_dir(sys, user_endpoint(), 1000, RuntimeDirUse::Listen));
}

TEST_F(RuntimeDir, ConnectToAMissingDirectoryCreatesNothingAndLeavesTheErrorToConnect) {
    EXPECT_TRUE(secure_runtime_dir(sys, user_endpoint(), 1000, RuntimeDirUse::Connect));
    EXPECT_FALSE(sys.exists("/tmp/startd-1000"));
    EXPECT_EQ(sys.call_count("mkdir"), 0);
}

TEST_F(RuntimeDir, XdgRuntimeDirGetsAPrivateStartdDirectory) {
    planted("/run/user/1000", 1000, 0700);
    auto ep = resolve_endpoint(Mode::User, std::nullopt, 1000,
                               env_of({{"HOME", "/home/ann"}, {"XDG_RUNTIME_DIR", "/run/user/1000"}}));
    EXPECT_EQ(ep.runtime_root, "/run/user/1000/startd");
    EXPECT_TRUE(secure_runtime_dir(sys, ep, 1000, RuntimeDirUse::Listen));
    EXPECT_EQ(sys.file_mode("/run/user/1000/startd"), 0700);
}

TEST_F(RuntimeDir, SystemModeWantsRootsDirectoryThatOnlyRootWrites) {
    auto ep = resolve_endpoint(Mode::System, std::nullopt, 0, env_of({}));
    EXPECT_EQ(ep.runtime_root, "/run/startd");
    sys.set_euid(0);
    ASSERT_TRUE(secure_runtime_dir(sys, ep, 0, RuntimeDirUse::Listen));
    EXPECT_EQ(sys.file_mode("/run/startd"), 0755);
    // An unprivileged startctl accepts root's 0755 directory...
    EXPECT_TRUE(secure_runtime_dir(sys, ep, 1000, RuntimeDirUse::Connect));
    // ...but not one others may write to, nor one a user owns.
    (void)sys.chmod("/run/startd", 0777);
    auto open_dir = secure_runtime_dir(sys, ep, 1000, RuntimeDirUse::Connect);
    ASSERT_FALSE(open_dir);
    EXPECT_NE(open_dir.error().message().find("its mode is 0777: group or others may write to it"), std::string::npos);
    (void)sys.chmod("/run/startd", 0755);
    sys.set_owner("/run/startd", 1000);
    auto users = secure_runtime_dir(sys, ep, 1000, RuntimeDirUse::Connect);
    ASSERT_FALSE(users);
    EXPECT_NE(users.error().message().find("it is owned by uid 1000, not by root"), std::string::npos);
}

TEST_F(RuntimeDir, FailureToCreateIsAnError) {
    sys.fail_next("mkdir", EACCES, 1); // /tmp exists; creating startd-1000 in it fails
    auto r = secure_runtime_dir(sys, user_endpoint(), 1000, RuntimeDirUse::Listen);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find("cannot create runtime directory /tmp/startd-1000"), std::string::npos);
}

TEST(DirIdentity, IsTheDirectorysDeviceAndInodeAndNothingForAFileOrAMissingPath) {
    fakes::FakeSys sys;
    sys.add_dir("/etc/init");
    sys.add_file("/etc/init/web.conf", "exec true\n");
    auto st = sys.fstatat(AT_FDCWD, "/etc/init", 0);
    ASSERT_TRUE(st.has_value());
    EXPECT_EQ(control::dir_identity(sys, "/etc/init"),
              std::to_string(st->st_dev) + ":" + std::to_string(st->st_ino));
    EXPECT_EQ(control::dir_identity(sys, "/etc/init/"), control::dir_identity(sys, "/etc/init"));
    EXPECT_EQ(control::dir_identity(sys, "/etc/init/web.conf"), std::nullopt);
    EXPECT_EQ(control::dir_identity(sys, "/etc/nope"), std::nullopt);
}

TEST(DirIdentity, OnRealDirectoriesTwoSpellingsOfOneMatchAndTwoDirectoriesDoNot) {
    test_support::TempDir dir;
    std::filesystem::create_directories(dir / "jobs");
    std::filesystem::create_directories(dir / "other");
    std::filesystem::create_directory_symlink(dir / "jobs", dir / "link");
    sys::Sys& sys = sys::real_sys();
    auto jobs = control::dir_identity(sys, dir / "jobs");
    ASSERT_TRUE(jobs.has_value());
    EXPECT_EQ(control::dir_identity(sys, dir / "link"), jobs);
    EXPECT_EQ(control::dir_identity(sys, dir / "other/../jobs"), jobs);
    EXPECT_NE(control::dir_identity(sys, dir / "other"), jobs);
}

} // namespace
