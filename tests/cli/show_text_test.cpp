// Tests `startctl show`'s text: the status line first, then one labelled line per detail.
#include "cli/show_text.h"

#include <gtest/gtest.h>

namespace {

using nlohmann::json;

constexpr std::int64_t now = 1'800'000'000'000;

TEST(ShowText, ARunningJobShowsSinceWhenItsMainProcessRespawnsAndLog) {
    json s = {{"job", "web"},
              {"instance", ""},
              {"goal", "start"},
              {"state", "running"},
              {"processes", json::array({{{"type", "main"}, {"pid", 42}}})},
              {"since_ms", now - 180'000},
              {"main_started_ms", now - 180'000},
              {"readiness", "ready"},
              {"respawns", {{"count", 2}, {"limit", 10}, {"interval_s", 5}}},
              {"log", {{"path", "/var/log/startd/web.log"}, {"dropped_bytes", 10}, {"dropped_lines", 1}}},
              {"containment", "cgroup /sys/fs/cgroup/startd/web"}};
    std::string text = cli::show_text(s, now);
    EXPECT_EQ(text.substr(0, text.find('\n')), "web start/running, process 42");
    EXPECT_NE(text.find("  since:        "), std::string::npos) << text;
    EXPECT_NE(text.find("(3 min ago)"), std::string::npos);
    EXPECT_NE(text.find("  main process: 42, started "), std::string::npos);
    EXPECT_NE(text.find("  readiness:    ready\n"), std::string::npos);
    EXPECT_NE(text.find("  respawns:     2 in the current 5 s window (limit 10)\n"), std::string::npos);
    EXPECT_NE(text.find("  log:          /var/log/startd/web.log (dropped 1 lines, 10 bytes)\n"),
              std::string::npos);
    EXPECT_NE(text.find("  contained:    cgroup /sys/fs/cgroup/startd/web\n"), std::string::npos);
}

TEST(ShowText, AStoppedJobShowsItsLastExitAndWhyItStopped) {
    json s = {{"job", "crash"},
              {"instance", ""},
              {"goal", "stop"},
              {"state", "waiting"},
              {"processes", json::array()},
              {"last_exit", {{"text", "main process (7) terminated with status 1"}, {"at_ms", now - 5000}}},
              {"stopped", {{"cause", "failed"}, {"text", "failed: crash main process respawning too fast"}}},
              {"failure", "crash main process respawning too fast"}};
    std::string text = cli::show_text(s, now);
    EXPECT_EQ(text, "crash stop/waiting\n"
                    "  last exit:    main process (7) terminated with status 1, 5 s ago\n"
                    "  stopped:      failed: crash main process respawning too fast\n"
                    "  failure:      crash main process respawning too fast\n");
}

} // namespace
