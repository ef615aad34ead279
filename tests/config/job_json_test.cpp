// Tests the JSON form of parsed jobs, event expressions and diagnostics.
#include "config/job_json.h"

#include <gtest/gtest.h>

#include <sys/resource.h>

#include "config/event_expr_parser.h"
#include "config/parser.h"

namespace {

using nlohmann::json;

core::JobClass parse_ok(std::string_view text) {
    auto job = config::parse_job(text, "/etc/init/web.conf");
    EXPECT_TRUE(job.has_value()) << (job ? "" : job.error().to_string());
    return job ? *job : core::JobClass{};
}

TEST(JobToJson, DefaultJobHasEveryFieldWithUpstartsDefaults) {
    json j = config::job_to_json(core::JobClass{});
    for (const char* key :
         {"name", "path", "description", "author", "version", "usage", "processes", "start_on", "stop_on", "manual",
          "env", "export", "emits", "instance", "task", "respawn", "respawn_limit", "normal_exit", "expect",
          "kill_timeout", "kill_signal", "reload_signal", "console", "umask", "nice", "oom_score", "limits", "chroot",
          "chdir", "setuid", "setgid", "apparmor_load", "apparmor_switch", "cgroups", "debug"}) {
        EXPECT_TRUE(j.contains(key)) << key;
    }
    EXPECT_EQ(j["kill_timeout"], 5);
    EXPECT_EQ(j["kill_signal"], "TERM");
    EXPECT_EQ(j["reload_signal"], "HUP");
    EXPECT_EQ(j["console"], "log");
    EXPECT_EQ(j["expect"], "none");
    EXPECT_EQ(j["umask"], 022);
    EXPECT_EQ(j["respawn_limit"], (json{{"count", 10}, {"interval", 5}}));
    EXPECT_TRUE(j["respawn_delay"].is_null());
    EXPECT_TRUE(j["respawn_healthy"].is_null());
    EXPECT_TRUE(j["start_on"].is_null());
    EXPECT_TRUE(j["nice"].is_null());
    EXPECT_TRUE(j["oom_score"].is_null());
    EXPECT_EQ(j["processes"], json::object());
    EXPECT_EQ(j["env"], json::array());
}

TEST(JobToJson, TimersAreTheirSchedulesAsWritten) {
    json j = config::job_to_json(parse_ok("timer every 5m\ntimer cron 0 3 * * sun\ntimer missed catch-up\nexec x\n"));
    EXPECT_EQ(j["timers"], (json{"every 5m", "cron 0 3 * * sun"}));
    EXPECT_EQ(j["timer_missed"], "catch-up");
    json plain = config::job_to_json(core::JobClass{});
    EXPECT_EQ(plain["timers"], json::array());
    EXPECT_EQ(plain["timer_missed"], "skip");
}

TEST(JobToJson, ParsedFieldsAppearWithUpstartSpellings) {
    core::JobClass job = parse_ok("description \"web server\"\n"
                                  "start on started network\n"
                                  "exec /usr/sbin/web -f\n"
                                  "pre-start script\n  mkdir -p /run/web\nend script\n"
                                  "env A=1\n"
                                  "normal exit 0 TERM\n"
                                  "expect fork\n"
                                  "kill signal INT\n"
                                  "console output\n"
                                  "nice -5\n"
                                  "oom score never\n"
                                  "limit nofile 1024 unlimited\n"
                                  "cgroup cpu grp cpu.shares 512\n"
                                  "respawn\nrespawn limit 3 60\n");
    job.name = "web";
    json j = config::job_to_json(job);
    EXPECT_EQ(j["name"], "web");
    EXPECT_EQ(j["path"], "/etc/init/web.conf");
    EXPECT_EQ(j["description"], "web server");
    EXPECT_EQ(j["processes"]["main"], (json{{"type", "exec"}, {"command", "/usr/sbin/web -f"}, {"line", 3}}));
    EXPECT_EQ(j["processes"]["pre-start"],
              (json{{"type", "script"}, {"command", "mkdir -p /run/web\n"}, {"line", 4}}));
    EXPECT_FALSE(j["processes"].contains("post-stop"));
    EXPECT_EQ(j["start_on"]["text"], "started network");
    EXPECT_EQ(j["env"], (json{"A=1"}));
    EXPECT_EQ(j["normal_exit"], (json{0, "TERM"}));
    EXPECT_EQ(j["expect"], "fork");
    EXPECT_EQ(j["kill_signal"], "INT");
    EXPECT_EQ(j["console"], "output");
    EXPECT_EQ(j["nice"], -5);
    EXPECT_EQ(j["oom_score"], -1000);
    EXPECT_EQ(j["limits"]["nofile"], (json{{"soft", 1024}, {"hard", "unlimited"}}));
    EXPECT_EQ(j["cgroups"][0], (json{{"controller", "cpu"}, {"name", "grp"}, {"key", "cpu.shares"}, {"value", "512"}}));
    EXPECT_EQ(j["respawn"], true);
    EXPECT_EQ(j["respawn_limit"], (json{{"count", 3}, {"interval", 60}}));
}

TEST(JobToJson, RespawnDelayAndHealthyAreInSeconds) {
    json j = config::job_to_json(parse_ok("respawn\nrespawn delay 0.5 60\nrespawn healthy 30\n"));
    EXPECT_EQ(j["respawn_delay"], (json{{"min", 0.5}, {"max", 60}}));
    EXPECT_EQ(j["respawn_healthy"], 30);
    EXPECT_TRUE(j["respawn_delay"]["max"].is_number_integer());
}

TEST(JobToJson, NonUtf8BytesDoNotThrowWhenDumpedWithReplace) {
    core::JobClass job = parse_ok("description \"caf\xe9\"\nenv X=\xff\xfe\nexec /bin/echo \x80\n");
    json j = config::job_to_json(job);
    std::string text;
    EXPECT_NO_THROW(text = j.dump(-1, ' ', false, json::error_handler_t::replace));
    EXPECT_NE(text.find("caf\xef\xbf\xbd"), std::string::npos); // U+FFFD in place of the bad byte
    EXPECT_THROW((void)j.dump(), json::type_error);
}

TEST(EventExprToJson, LeafListsEventAndArguments) {
    auto expr = config::parse_event_expr("stopped rc RUNLEVEL!=[06] X=1");
    ASSERT_TRUE(expr.has_value());
    EXPECT_EQ(config::event_expr_to_json(*expr),
              (json{{"event", "stopped"},
                    {"args", json::array({json{{"value", "rc"}},
                                          json{{"value", "[06]"}, {"key", "RUNLEVEL"}, {"op", "!="}},
                                          json{{"value", "1"}, {"key", "X"}, {"op", "="}}})}}));
}

TEST(EventExprToJson, OperatorsNestLeftAssociatively) {
    auto expr = config::parse_event_expr("a or b and c");
    ASSERT_TRUE(expr.has_value());
    json leaf_a = {{"event", "a"}, {"args", json::array()}};
    json leaf_b = {{"event", "b"}, {"args", json::array()}};
    json leaf_c = {{"event", "c"}, {"args", json::array()}};
    EXPECT_EQ(config::event_expr_to_json(*expr),
              (json{{"and", json::array({json{{"or", json::array({leaf_a, leaf_b})}}, leaf_c})}}));
}

TEST(EventExprToJson, EmptyExpressionIsNull) { EXPECT_TRUE(config::event_expr_to_json(core::EventExpr{}).is_null()); }

TEST(DiagnosticToJson, CarriesPositionCodeMessageAndText) {
    auto job = config::parse_job("task\nexex /bin/true\n", "x.conf");
    ASSERT_FALSE(job.has_value());
    json j = config::diagnostic_to_json(job.error());
    EXPECT_EQ(j["file"], "x.conf");
    EXPECT_EQ(j["line"], 2);
    EXPECT_EQ(j["column"], 1);
    EXPECT_EQ(j["code"], "unknown-stanza");
    EXPECT_EQ(j["message"], "Unknown stanza");
    EXPECT_EQ(j["text"], job.error().to_string());
    EXPECT_NE(j["detail"].get<std::string>().find("exec"), std::string::npos);
}

} // namespace
