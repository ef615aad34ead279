// Integration: `startctl show`, `why`, `graph` and `plot` against a real startd with real
// processes — why on a job waiting for half of an `and`, on a job installed after its event,
// on a job stopped by its respawn limit; the graph parses with Graphviz's dot; the plot is
// well-formed SVG whose bars match the timeline's times.
#include "support/daemon_harness.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

using nlohmann::json;
using test_support::DaemonHarness;
using namespace std::chrono_literals;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Runs a shell command; its exit status.
int shell(const std::string& command) {
    return std::system(command.c_str());
}

TEST(IntegrationExplain, WhyOnAJobWaitingForHalfOfAnAnd) {
    DaemonHarness h;
    h.write_job("web", "start on (net-up and db-ready)\nexec sleep 300\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    ASSERT_EQ(h.ctl({"emit", "-n", "net-up", "IFACE=eth0"}).status, 0);
    ASSERT_TRUE(DaemonHarness::wait_for([&] { return contains(h.ctl({"why", "web"}).out, "[x] net-up"); }));
    auto why = h.ctl({"why", "web"});
    EXPECT_EQ(why.status, 0) << why.err;
    EXPECT_TRUE(contains(why.out, "web stop/waiting\n")) << why.out;
    EXPECT_TRUE(contains(why.out, "[x] net-up  <- matched by net-up IFACE=eth0")) << why.out;
    EXPECT_TRUE(contains(why.out, "[ ] db-ready  (waiting)")) << why.out;
    EXPECT_TRUE(contains(why.out, "waits for `db-ready`, not emitted since startd started")) << why.out;
    json j = json::parse(h.ctl({"why", "--json", "web"}).out);
    EXPECT_EQ(j["start_on"]["operands"][0]["matched"], true);
    EXPECT_EQ(j["start_on"]["operands"][1]["matched"], false);
}

TEST(IntegrationExplain, WhyOnAJobInstalledAfterItsEvent) {
    DaemonHarness h;
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    ASSERT_EQ(h.ctl({"emit", "boot-done"}).status, 0);
    h.write_job("late", "start on boot-done\nexec sleep 300\n");
    ASSERT_EQ(h.ctl({"reload-configuration"}).status, 0);
    auto why = h.ctl({"why", "late"});
    EXPECT_EQ(why.status, 0) << why.err;
    EXPECT_TRUE(contains(why.out, "late stop/waiting\n")) << why.out;
    EXPECT_TRUE(contains(why.out, "before this job was added: run `startctl start late`")) << why.out;
}

TEST(IntegrationExplain, WhyAndShowOnAJobStoppedByItsRespawnLimit) {
    DaemonHarness h;
    h.write_job("crash", "respawn\nrespawn limit 2 10\nexec sh -c 'exit 3'\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    h.ctl({"start", "crash"});
    ASSERT_TRUE(DaemonHarness::wait_for([&] {
        return h.ctl({"status", "crash"}).out == "crash stop/waiting\n";
    }));
    auto show = h.ctl({"show", "crash"});
    EXPECT_EQ(show.status, 0) << show.err;
    EXPECT_TRUE(contains(show.out, "crash stop/waiting\n")) << show.out;
    EXPECT_TRUE(contains(show.out, "terminated with status 3")) << show.out;
    EXPECT_TRUE(contains(show.out, "stopped:      failed: crash main process respawning too fast"))
        << show.out;
    auto why = h.ctl({"why", "crash"});
    EXPECT_TRUE(contains(why.out, "respawned more than 2 times within 10 s (`respawn limit`)")) << why.out;
    json status = json::parse(h.ctl({"status", "--json", "crash"}).out)["statuses"][0];
    EXPECT_EQ(status["stopped"]["cause"], "failed");
    EXPECT_EQ(status["last_exit"]["status"], 3);
    EXPECT_EQ(h.ctl({"status", "crash"}).out, "crash stop/waiting\n"); // the one-line form is Upstart's
}

TEST(IntegrationExplain, TheGraphParsesWithDotAndShowConfigEnumerates) {
    if (shell("command -v dot >/dev/null 2>&1") != 0) {
        GTEST_SKIP() << "Graphviz's dot is not installed (scripts/install-deps installs it)";
    }
    DaemonHarness h;
    h.write_job("db", "start on startup\nemits db-ready\nexec sleep 300\n");
    h.write_job("web", "start on started db and db-ready\nstop on runlevel [!2345]\nexec sleep 300\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    auto graph = h.ctl({"graph"});
    ASSERT_EQ(graph.status, 0) << graph.err;
    std::string dot_file = h.dir() + "/g.dot";
    std::ofstream(dot_file) << graph.out;
    EXPECT_EQ(shell("dot -Tsvg " + dot_file + " -o " + h.dir() + "/g.svg"), 0) << graph.out;
    auto svg = h.ctl({"graph", "--svg"});
    EXPECT_EQ(svg.status, 0) << svg.err;
    EXPECT_TRUE(contains(svg.out, "<svg")) << svg.out.substr(0, 200);
    auto e = h.ctl({"show-config", "-e", "web"});
    EXPECT_EQ(e.out, "web\n"
                     "  start on started (job: db, env:)\n"
                     "  start on db-ready (job:, env:)\n"
                     "  stop on runlevel (job:, env: [!2345])\n");
}

TEST(IntegrationExplain, ThePlotIsValidSvgWhoseBarsMatchTheTimeline) {
    if (shell("command -v python3 >/dev/null 2>&1") != 0) {
        GTEST_SKIP() << "python3 is not installed";
    }
    DaemonHarness h;
    h.write_job("setup", "task\npre-start exec sleep 0.2\nexec sleep 0.3\n");
    h.write_job("web", "start on stopped setup\nexec sleep 300\n");
    ASSERT_TRUE(h.start_daemon()) << h.daemon_output();
    ASSERT_EQ(h.ctl({"start", "setup"}).status, 0);
    ASSERT_TRUE(DaemonHarness::wait_for([&] {
        return contains(h.ctl({"status", "web"}).out, "start/running");
    }));
    auto plot = h.ctl({"plot"});
    ASSERT_EQ(plot.status, 0) << plot.err;
    auto timeline = h.ctl({"plot", "--json"});
    ASSERT_EQ(timeline.status, 0) << timeline.err;
    std::ofstream(h.dir() + "/plot.svg") << plot.out;
    std::ofstream(h.dir() + "/timeline.json") << timeline.out;
    // Every bar's x and width come from its times; each bar starts at a change of the timeline.
    std::string check = h.dir() + "/check.py";
    std::ofstream(check) << R"(import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
tl = json.load(open(sys.argv[2]))
t0 = float(root.get('data-t0-ms')); left = float(root.get('data-left')); px = float(root.get('data-px-per-ms'))
changes = [(c['job'], c['state'], c['t_ms']) for c in tl['transitions']]
# Two replies turn startd's monotonic clock into wall clock time each at its own instant: a
# change's time may differ by a millisecond between them.
def is_change(job, state, t):
    return any(j == job and s == state and abs(ct - t) <= 2 for j, s, ct in changes)
bars = [r for r in root.iter('{http://www.w3.org/2000/svg}rect') if r.get('data-state')]
assert len(bars) >= 6, len(bars)
for b in bars:
    f = float(b.get('data-from-ms')); t = float(b.get('data-to-ms'))
    assert abs(float(b.get('x')) - (left + (f - t0) * px)) < 0.01, b.attrib
    assert abs(float(b.get('width')) - max((t - f) * px, 1.0)) < 0.01, b.attrib
    assert is_change(b.get('data-job'), b.get('data-state'), f) or f == t0, b.attrib
states = [b.get('data-state') for b in bars if b.get('data-job') == 'setup']
assert states[:4] == ['starting', 'security', 'pre-start', 'spawned'], states
pre = [b for b in bars if b.get('data-job') == 'setup' and b.get('data-state') == 'pre-start'][0]
assert float(pre.get('data-to-ms')) - float(pre.get('data-from-ms')) >= 150, pre.attrib
)";
    EXPECT_EQ(shell("python3 " + check + " " + h.dir() + "/plot.svg " + h.dir() + "/timeline.json"), 0)
        << plot.out;
}

} // namespace
