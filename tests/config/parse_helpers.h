// Owns the small helpers the parser test files share: parse a job that must parse, and render a
// parse error as "line:column Upstart message".
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "config/parser.h"

namespace config_test {

inline core::JobClass parse_ok(std::string_view text) {
    auto job = config::parse_job(text, "test.conf");
    EXPECT_TRUE(job.has_value()) << (job ? "" : job.error().to_string());
    return job ? *job : core::JobClass{};
}

// The error as "line:column Upstart message", or "parsed" when there is none.
inline std::string error_of(std::string_view text) {
    auto job = config::parse_job(text, "test.conf");
    if (job) {
        return "parsed";
    }
    const config::Diagnostic& d = job.error();
    return std::to_string(d.line) + ":" + std::to_string(d.column) + " " + std::string(config::upstart_message(d.code));
}

} // namespace config_test
