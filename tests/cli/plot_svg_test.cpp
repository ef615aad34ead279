// Tests `startctl plot`'s SVG: it parses as XML, has one row per instance sorted by start, bars
// whose positions and spans match the timeline's times, failed and respawning rows marked, the
// start-up window ending once the start-up jobs came to rest, and thin rows at 1,000 jobs.
#include "cli/plot_svg.h"

#include <gtest/gtest.h>
#include <regex>

namespace {

using nlohmann::json;

constexpr std::int64_t t0 = 1'800'000'000'000;

json change(std::int64_t t, const std::string& job, const std::string& state, bool failed = false) {
    json c = {{"t_ms", t0 + t}, {"job", job}, {"instance", ""}, {"state", state}, {"goal", "start"}};
    if (failed) {
        c["failed"] = true;
    }
    return c;
}

json timeline() {
    return {{"now_ms", t0 + 60'000},
            {"started_ms", t0},
            {"from_ms", t0},
            {"dropped", 0},
            {"start_on", {{"web", "(net-up and db-ready)"}, {"db", "startup"}}},
            {"transitions", json::array({change(10, "db", "starting"), change(20, "db", "spawned"),
                                         change(120, "db", "running"), change(150, "web", "starting"),
                                         change(160, "web", "pre-start"), change(400, "web", "spawned"),
                                         change(410, "web", "running"), change(30'000, "late", "starting"),
                                         change(30'010, "late", "running")})}};
}

// Every <rect> with a data-state, as attribute maps.
std::vector<std::map<std::string, std::string>> bars(const std::string& svg) {
    std::vector<std::map<std::string, std::string>> out;
    std::regex rect("<rect ([^>]*data-state[^>]*)>");
    std::regex attr("([a-z-]+)=\"([^\"]*)\"");
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), rect); it != std::sregex_iterator(); ++it) {
        std::string attrs = (*it)[1];
        std::map<std::string, std::string> m;
        for (auto a = std::sregex_iterator(attrs.begin(), attrs.end(), attr); a != std::sregex_iterator();
             ++a) {
            m[(*a)[1]] = (*a)[2];
        }
        out.push_back(m);
    }
    return out;
}

double root_attr(const std::string& svg, const std::string& name) {
    std::smatch m;
    EXPECT_TRUE(std::regex_search(svg, m, std::regex(name + "=\"([-0-9.]+)\"")));
    return std::stod(m[1]);
}

TEST(PlotSvg, BarsSitWhereTheTimelineSaysAndTheStartUpEndsWhenItsJobsRest) {
    auto svg = cli::plot_svg(timeline(), cli::PlotWindow::StartUp);
    ASSERT_TRUE(svg.has_value()) << svg.error().message();
    auto b = bars(*svg);
    // db: starting, spawned, running; web: starting, pre-start, spawned, running; `late` started
    // after the start-up had settled and is not part of it.
    ASSERT_EQ(b.size(), 7u);
    double left = root_attr(*svg, "data-left");
    double px = root_attr(*svg, "data-px-per-ms");
    EXPECT_EQ(static_cast<std::int64_t>(root_attr(*svg, "data-t0-ms")), t0);
    for (const auto& bar : b) {
        EXPECT_NE(bar.at("data-job"), "late");
        double from = std::stod(bar.at("data-from-ms"));
        double to = std::stod(bar.at("data-to-ms"));
        EXPECT_NEAR(std::stod(bar.at("x")), left + (from - static_cast<double>(t0)) * px, 0.01);
        EXPECT_NEAR(std::stod(bar.at("width")), std::max((to - from) * px, 1.0), 0.01);
    }
    EXPECT_EQ(b[0].at("data-job"), "db"); // rows sorted by start
    EXPECT_EQ(b[1].at("data-state"), "spawned");
    EXPECT_EQ(std::stoll(b[1].at("data-from-ms")), t0 + 20);
    EXPECT_EQ(std::stoll(b[1].at("data-to-ms")), t0 + 120);
    EXPECT_EQ(b[4].at("data-job"), "web");
    EXPECT_EQ(b[4].at("data-state"), "pre-start");
    EXPECT_NE(svg->find("start on (net-up and db-ready)"), std::string::npos);
    EXPECT_EQ(svg->find("<script"), std::string::npos);
}

TEST(PlotSvg, FailedAndRespawningRowsAreMarked) {
    json t = {{"now_ms", t0 + 1000},
              {"started_ms", t0},
              {"from_ms", t0},
              {"transitions",
               json::array({change(0, "crash", "starting"), change(5, "crash", "running"),
                            change(10, "crash", "stopping"), change(12, "crash", "post-stop"),
                            change(14, "crash", "starting"), change(16, "crash", "running"),
                            change(20, "crash", "stopping", true), change(22, "crash", "waiting", true)})}};
    auto svg = cli::plot_svg(t, cli::PlotWindow::StartUp);
    ASSERT_TRUE(svg.has_value());
    EXPECT_NE(svg->find("crash ✗ ↻1"), std::string::npos);
    // The start-up lasts as long as the crash loop, so its failed end is drawn, outlined.
    EXPECT_NE(svg->find("stroke=\"#d00000\" stroke-width=\"1.5\" data-job=\"crash\" data-instance=\"\" "
                        "data-state=\"stopping\""),
              std::string::npos)
        << *svg;
}

TEST(PlotSvg, AWindowShowsOnlyRowsThatChangedInIt) {
    json t = timeline();
    t["from_ms"] = t0 + 20'000;
    auto svg = cli::plot_svg(t, cli::PlotWindow::Since);
    ASSERT_TRUE(svg.has_value());
    auto b = bars(*svg);
    ASSERT_EQ(b.size(), 2u);
    EXPECT_EQ(b[0].at("data-job"), "late");
    t["from_ms"] = t0 + 59'000;
    auto none = cli::plot_svg(t, cli::PlotWindow::Since);
    ASSERT_FALSE(none.has_value());
    EXPECT_EQ(none.error().message(), "no job changed state in that window");
}

TEST(PlotSvg, AThousandJobsGetThinRowsInOnePicture) {
    json changes = json::array();
    for (int i = 0; i < 1000; ++i) {
        std::string job = "job" + std::to_string(i);
        changes.push_back(change(i, job, "starting"));
        changes.push_back(change(i + 50, job, "running"));
    }
    json t = {{"now_ms", t0 + 5000}, {"started_ms", t0}, {"from_ms", t0}, {"transitions", changes}};
    auto svg = cli::plot_svg(t, cli::PlotWindow::StartUp);
    ASSERT_TRUE(svg.has_value());
    EXPECT_EQ(bars(*svg).size(), 2000u);
    std::smatch m;
    ASSERT_TRUE(std::regex_search(*svg, m, std::regex("<svg [^>]*height=\"([0-9.]+)\"")));
    EXPECT_LT(std::stod(m[1]), 4200.0);
}

} // namespace
