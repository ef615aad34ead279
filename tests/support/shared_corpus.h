// Owns where the tests find the shared Upstart job corpus (../shared/conformance/upstart-jobs
// beside the repository, or $STARTD_CONFORMANCE_DIR) and what a test does without it: skip with a
// message saying where it looked, or fail when STARTD_REQUIRE_SHARED=1 (CI sets it, so the
// conformance tests can never silently stop running there). Not here: reading the files.
#pragma once

#include <filesystem>
#include <gtest/gtest.h>
#include <string>

namespace test_support {

// $STARTD_CONFORMANCE_DIR if set and not empty, else the directory compiled in by CMake.
std::filesystem::path conformance_dir();

// Whether STARTD_REQUIRE_SHARED is set to something other than "" or "0".
bool shared_corpus_required();

// Empty when the corpus directory exists; otherwise the message for the skip or the failure.
std::string missing_corpus_message();

// For tests that read the corpus: a fixture whose SetUp skips (or fails, when required) the test
// when the corpus is absent.
class SharedCorpusTest : public ::testing::Test {
  protected:
    void SetUp() override;
};

} // namespace test_support

// In a test body (or SetUp) that reads the corpus: skips, or fails when the corpus is required.
#define STARTD_SKIP_WITHOUT_SHARED_CORPUS()                                                                  \
    do {                                                                                                     \
        if (std::string missing_ = ::test_support::missing_corpus_message(); !missing_.empty()) {            \
            if (::test_support::shared_corpus_required()) {                                                  \
                FAIL() << missing_ << "; STARTD_REQUIRE_SHARED is set, so that is a failure";                \
            }                                                                                                \
            GTEST_SKIP() << missing_ << "; skipped (STARTD_REQUIRE_SHARED=1 makes it a failure)";            \
        }                                                                                                    \
    } while (false)
