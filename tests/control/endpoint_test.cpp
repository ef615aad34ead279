// Tests where startd instances keep their config, jobs, socket and logs.
#include "control/endpoint.h"

#include <gtest/gtest.h>

#include <map>

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
    EXPECT_EQ(ep.config_dir, "/etc/startd");
    EXPECT_EQ(ep.jobs_dir, "/etc/init");
    EXPECT_EQ(ep.socket, "/run/startd/control");
    EXPECT_EQ(ep.log_dir, "/var/log/startd");
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
    auto a = resolve_endpoint(Mode::System, std::string("/etc/startd/"), 0, env_of({}));
    EXPECT_EQ(a.socket, "/run/startd/control");
}

TEST(Endpoint, OtherConfigDirIsAnInstanceOfItsOwn) {
    auto ep = resolve_endpoint(Mode::System, std::string("/etc/startd-mail"), 0, env_of({}));
    EXPECT_EQ(ep.jobs_dir, "/etc/startd-mail/jobs");
    EXPECT_EQ(ep.socket, "/run/startd/instances/etc-startd\\x2dmail/control");
}

TEST(EscapePath, KeepsSafeCharactersAndEscapesTheRest) {
    EXPECT_EQ(control::escape_path("/srv/mail b/"), "srv-mail\\x20b");
    EXPECT_EQ(control::escape_path("/"), "-");
}

} // namespace
