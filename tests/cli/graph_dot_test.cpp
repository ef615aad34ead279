// Tests the job graph: DOT nodes and styled edges (start on, stop on, emits, job events drawn
// from the job they name), and Upstart's enumerated show-config as initctl2dot reads it.
#include "cli/graph_dot.h"

#include <gtest/gtest.h>

namespace {

using nlohmann::json;

json leaf(const std::string& event, json args = json::array()) {
    return {{"event", event}, {"args", args}};
}

json jobs() {
    return json::array({{{"job", "db"},
                         {"emits", json::array({"db-ready"})},
                         {"start_on_tree", leaf("startup")},
                         {"stop_on_tree", nullptr}},
                        {{"job", "web"},
                         {"emits", json::array()},
                         {"start_on_tree",
                          {{"op", "and"},
                           {"operands", json::array({leaf("started", json::array({"db"})),
                                                     leaf("net-device-up", json::array({"IFACE!=lo"}))})}}},
                         {"stop_on_tree", leaf("runlevel", json::array({"[!2345]"}))}}});
}

TEST(GraphDot, DrawsJobsEventsAndStyledEdges) {
    std::string dot = cli::graph_dot(jobs());
    EXPECT_EQ(dot.rfind("digraph startd {", 0), 0u);
    EXPECT_NE(dot.find("\"job:db\" [label=\"db\", shape=box"), std::string::npos) << dot;
    EXPECT_NE(dot.find("\"event:startup\" -> \"job:db\" [color=\"#1f5fbf\"]"), std::string::npos);
    EXPECT_NE(dot.find("\"job:db\" -> \"event:db-ready\" [color=\"#2f8f2f\", style=dotted]"),
              std::string::npos);
    EXPECT_NE(dot.find("\"job:db\" -> \"job:web\" [color=\"#1f5fbf\", label=\"started\"]"),
              std::string::npos);
    EXPECT_NE(dot.find("\"event:net-device-up\" -> \"job:web\" [color=\"#1f5fbf\", label=\"IFACE!=lo\"]"),
              std::string::npos);
    EXPECT_NE(dot.find("\"event:runlevel\" -> \"job:web\" [color=\"#bf1f1f\", style=dashed, arrowhead=tee, "
                       "label=\"[!2345]\"]"),
              std::string::npos);
    EXPECT_EQ(dot.back(), '\n');
}

TEST(GraphDot, QuotesNamesDotWouldMisread) {
    json j = json::array({{{"job", "a\"b"}, {"emits", json::array({"x\\y"})}}});
    std::string dot = cli::graph_dot(j);
    EXPECT_NE(dot.find("\"job:a\\\"b\""), std::string::npos) << dot;
    EXPECT_NE(dot.find("\"event:x\\\\y\""), std::string::npos);
}

TEST(GraphDot, EnumeratesOneEventPerLineAsInitctlDid) {
    EXPECT_EQ(cli::enumerate_config(jobs()), "db\n"
                                             "  emits db-ready\n"
                                             "  start on startup (job:, env:)\n"
                                             "web\n"
                                             "  start on started (job: db, env:)\n"
                                             "  start on net-device-up (job:, env: IFACE!=lo)\n"
                                             "  stop on runlevel (job:, env: [!2345])\n");
}

} // namespace
