// Regression inputs from fuzzing (fuzz/): every file in tests/config/fuzz_regressions/ goes through
// what fuzz/job_parser_fuzz.cpp does with it (parse; split at the first 0xFF byte, the rest layered
// on top as an override; render as text and as startd --check --json does). None may crash, and
// each must give the outcome listed in `expected` below, so a new reproducer needs its verdict.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/event_expr_parser.h"
#include "config/job_json.h"
#include "config/parser.h"
#include "core/event_expr.h"

namespace {

namespace fs = std::filesystem;

const fs::path regressions_dir = fs::path(STARTD_SOURCE_DIR) / "tests" / "config" / "fuzz_regressions";

struct Expected {
    std::string_view file;
    std::optional<config::ParseErrorCode> error; // nullopt: the file parses
};

// One row per file in the directory.
constexpr Expected expected[] = {
    {"deep-or-chain.conf", std::nullopt},
    {"many-cgroup-lines.conf", std::nullopt},
};

struct Outcome {
    std::optional<config::Diagnostic> error;
    std::optional<core::JobClass> job;
    std::string pretty_json; // as startd --check --json prints a job
};

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Outcome run_like_the_fuzzer(std::string_view input, std::string_view file) {
    std::string_view conf = input;
    std::optional<std::string_view> override_text;
    if (std::size_t split = input.find('\xff'); split != std::string_view::npos) {
        conf = input.substr(0, split);
        override_text = input.substr(split + 1);
    }
    Outcome out;
    auto parsed = config::parse_job(conf, file);
    if (!parsed) {
        out.error = parsed.error();
        (void)out.error->to_string();
        return out;
    }
    core::JobClass job = *parsed;
    if (override_text) {
        core::JobClass layered = job;
        if (auto result = config::parse_job_text(*override_text, "override", layered); result) {
            job = std::move(layered);
        } else {
            out.error = result.error();
        }
    }
    for (const auto* expr : {&job.start_on, &job.stop_on}) {
        if (*expr) {
            (void)core::to_string(**expr);
        }
    }
    out.pretty_json = config::job_to_json(job).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    out.job = std::move(job);
    return out;
}

Outcome run_file(std::string_view name) {
    fs::path path = regressions_dir / name;
    return run_like_the_fuzzer(read_file(path), path.string());
}

TEST(FuzzRegressions, EveryFileHasAnExpectedOutcomeAndGetsIt) {
    ASSERT_TRUE(fs::is_directory(regressions_dir)) << regressions_dir;
    std::size_t seen = 0;
    for (const fs::directory_entry& entry : fs::directory_iterator(regressions_dir)) {
        std::string name = entry.path().filename().string();
        auto row = std::find_if(std::begin(expected), std::end(expected),
                                [&](const Expected& e) { return e.file == name; });
        ASSERT_NE(row, std::end(expected)) << name << " has no row in `expected`";
        ++seen;
        Outcome out = run_file(name);
        if (row->error) {
            ASSERT_TRUE(out.error.has_value()) << name << " parsed but should fail";
            EXPECT_EQ(out.error->code, *row->error) << out.error->to_string();
            EXPECT_GE(out.error->line, 1) << out.error->to_string();
        } else {
            EXPECT_FALSE(out.error.has_value()) << name << ": " << out.error->to_string();
        }
    }
    EXPECT_EQ(seen, std::size(expected)) << "a listed reproducer is missing from " << regressions_dir;
}

// A 7,325-operand `or` chain: fine to parse and to render as text, but its JSON tree was 14,650
// levels deep, which overflowed the stack in nlohmann's recursive dump() (ASan build) and
// pretty-printed as 860 MB in a release build. The tree is now left out past
// max_event_expr_json_depth levels; the text stays.
TEST(FuzzRegressions, DeepOrChainRendersWithoutItsJsonTree) {
    Outcome out = run_file("deep-or-chain.conf");
    ASSERT_TRUE(out.job.has_value());
    ASSERT_TRUE(out.job->start_on.has_value());
    EXPECT_EQ(out.job->start_on->nodes.size(), 2u * 7325 - 1);
    EXPECT_TRUE(config::event_expr_to_json(*out.job->start_on).is_null());

    nlohmann::json doc = config::job_to_json(*out.job);
    EXPECT_TRUE(doc["start_on"]["tree"].is_null());
    std::string text = doc["start_on"]["text"].get<std::string>();
    EXPECT_EQ(text.substr(0, 12), "((((((((((((");
    EXPECT_LT(out.pretty_json.size(), 1'000'000u);
}

TEST(FuzzRegressions, JsonTreeIsKeptUpToTheDepthLimitAndDroppedPastIt) {
    auto chain = [](std::size_t operators) {
        std::string text = "e0";
        for (std::size_t i = 1; i <= operators; ++i) {
            text += (i % 2 ? " and e" : " or e") + std::to_string(i);
        }
        auto expr = config::parse_event_expr(text);
        EXPECT_TRUE(expr.has_value());
        return expr ? *expr : core::EventExpr{};
    };
    nlohmann::json at_limit = config::event_expr_to_json(chain(config::max_event_expr_json_depth));
    ASSERT_FALSE(at_limit.is_null());
    EXPECT_FALSE(at_limit.dump(2).empty());
    EXPECT_TRUE(config::event_expr_to_json(chain(config::max_event_expr_json_depth + 1)).is_null());
}

// cgroup repeats were merged by searching the list at every stanza: quadratic, so 65,536 lines
// (1 MiB) took 15 s in a release build. Each group here is set twice; the second value wins, in
// the first one's place, as before.
TEST(FuzzRegressions, ManyCgroupLinesMergeRepeatsInPlace) {
    Outcome out = run_file("many-cgroup-lines.conf");
    ASSERT_TRUE(out.job.has_value());
    const auto& groups = out.job->cgroups;
    ASSERT_EQ(groups.size(), 1200u);
    for (std::size_t i = 0; i < groups.size(); ++i) {
        EXPECT_EQ(groups[i].name, "g" + std::to_string(i));
        EXPECT_EQ(groups[i].key, "shares");
        EXPECT_EQ(groups[i].value, std::to_string(200000 + i));
    }
}

TEST(FuzzRegressions, OverrideRepeatingACgroupReplacesTheConfValue) {
    Outcome out = run_like_the_fuzzer("cgroup cpu a shares 1\ncgroup cpu b\n\xff"
                                      "cgroup cpu a shares 2\ncgroup memory\n",
                                      "inline.conf");
    ASSERT_TRUE(out.job.has_value());
    EXPECT_EQ(out.job->cgroups, (std::vector<core::CgroupSetting>{{"cpu", "a", "shares", "2"},
                                                                  {"cpu", "b", "", ""},
                                                                  {"memory", "", "", ""}}));
}

// The same at full size. Linear now (well under a second in a debug build); the old search took
// far longer than this generous bound, which only guards against the quadratic coming back.
TEST(FuzzRegressions, OneMebibyteOfDistinctCgroupLinesParsesInLinearTime) {
    std::string text;
    for (int i = 0; i < 65536; ++i) {
        text += "cgroup cpu g" + std::to_string(i) + "\n";
    }
    auto start = std::chrono::steady_clock::now();
    auto job = config::parse_job(text, "cgroups.conf");
    auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(job.has_value());
    EXPECT_EQ(job->cgroups.size(), 65536u);
    EXPECT_LT(elapsed, std::chrono::seconds(30));
}

} // namespace
