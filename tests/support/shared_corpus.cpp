// Owns the lookup of the shared Upstart job corpus for the conformance tests.
#include "support/shared_corpus.h"

#include <cstdlib>
#include <system_error>

namespace test_support {

std::filesystem::path conformance_dir() {
    if (const char* dir = std::getenv("STARTD_CONFORMANCE_DIR"); dir != nullptr && *dir != '\0') {
        return dir;
    }
    return STARTD_CONFORMANCE_DIR;
}

bool shared_corpus_required() {
    const char* v = std::getenv("STARTD_REQUIRE_SHARED");
    return v != nullptr && *v != '\0' && std::string(v) != "0";
}

std::string missing_corpus_message() {
    std::error_code ec;
    const std::filesystem::path dir = conformance_dir();
    if (std::filesystem::is_directory(dir, ec)) {
        return {};
    }
    return "the shared Upstart job corpus is not at " + dir.string() +
           " (shared/conformance/upstart-jobs beside the repository, or STARTD_CONFORMANCE_DIR=DIR)";
}

void SharedCorpusTest::SetUp() {
    STARTD_SKIP_WITHOUT_SHARED_CORPUS();
}

} // namespace test_support
