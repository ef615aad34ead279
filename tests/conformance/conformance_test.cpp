// Conformance: every real-world job file in the shared corpus parses as Upstart 1.13 parses it.
// Files Upstart itself rejects are listed in expected_failures.tsv with Upstart's message; each of
// those must fail here with exactly that message, and every other .conf must parse.
#include "config/diagnostics.h"
#include "config/parser.h"
#include "support/shared_corpus.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const fs::path corpus_dir = test_support::conformance_dir();
const fs::path expected_failures_path =
    fs::path{STARTD_SOURCE_DIR} / "tests/conformance/expected_failures.tsv";

// The file's bytes; nullopt if it cannot be opened (an empty file is a valid, empty job).
std::optional<std::string> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// The corpus's .conf files by name, sorted; empty if the directory is missing (CorpusIsPresent
// then skips, or fails under STARTD_REQUIRE_SHARED=1).
std::vector<std::string> corpus_files() {
    std::vector<std::string> names;
    std::error_code ec;
    if (!fs::is_directory(corpus_dir, ec)) {
        return names;
    }
    for (const fs::directory_entry& entry : fs::directory_iterator(corpus_dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && name.size() > 5 && name.ends_with(".conf")) {
            names.push_back(name);
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

struct ExpectedFailure {
    std::string message;
    std::string reason;
    int line = 0; // in the .tsv, for messages
};

struct ExpectedFailures {
    std::map<std::string, ExpectedFailure> by_file;
    std::vector<std::string> problems; // malformed lines, duplicates, a wrong header
};

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (;;) {
        std::size_t tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos) {
            return fields;
        }
        start = tab + 1;
    }
}

// Reads expected_failures.tsv: '#' lines and blank lines are comments, the first other line is the
// header, then one tab-separated row per file.
ExpectedFailures load_expected_failures() {
    ExpectedFailures out;
    std::ifstream in(expected_failures_path);
    if (!in) {
        out.problems.push_back("cannot read " + expected_failures_path.string());
        return out;
    }
    std::string line;
    int number = 0;
    bool header_seen = false;
    while (std::getline(in, line)) {
        ++number;
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (line.empty() || line.front() == '#') {
            continue;
        }
        std::vector<std::string> fields = split_tabs(line);
        std::string where = "expected_failures.tsv:" + std::to_string(number) + ": ";
        if (!header_seen) {
            header_seen = true;
            if (fields != std::vector<std::string>{"file", "upstart_message", "reason"}) {
                out.problems.push_back(where + "the header must be file<TAB>upstart_message<TAB>reason");
            }
            continue;
        }
        if (fields.size() != 3 || fields[0].empty() || fields[1].empty() || fields[2].empty()) {
            out.problems.push_back(where + "expected three non-empty tab-separated fields");
            continue;
        }
        if (!out.by_file.emplace(fields[0], ExpectedFailure{fields[1], fields[2], number}).second) {
            out.problems.push_back(where + fields[0] + " is listed twice");
        }
    }
    if (!header_seen) {
        out.problems.push_back("expected_failures.tsv has no header line");
    }
    return out;
}

const ExpectedFailures& expected_failures() {
    static const ExpectedFailures loaded = load_expected_failures();
    return loaded;
}

// Every message Upstart can give for a parse error, to catch typos in the .tsv.
std::set<std::string, std::less<>> upstart_messages() {
    std::set<std::string, std::less<>> messages;
    for (int code = 0; code <= static_cast<int>(config::ParseErrorCode::MismatchedParentheses); ++code) {
        messages.emplace(config::upstart_message(static_cast<config::ParseErrorCode>(code)));
    }
    return messages;
}

TEST(ConformanceCorpus, CorpusIsPresent) {
    STARTD_SKIP_WITHOUT_SHARED_CORPUS();
    // The corpus holds 99 job files; far fewer means it was truncated or the wrong directory.
    EXPECT_GE(corpus_files().size(), 99u) << "in " << corpus_dir.string();
}

TEST(ConformanceCorpus, EveryCorpusFileIsListedInSources) {
    STARTD_SKIP_WITHOUT_SHARED_CORPUS();
    std::ifstream sources(corpus_dir / "SOURCES.tsv");
    ASSERT_TRUE(sources) << "SOURCES.tsv is missing from " << corpus_dir.string();
    std::set<std::string> listed;
    std::string line;
    while (std::getline(sources, line)) {
        listed.insert(line.substr(0, line.find('\t')));
    }
    for (const std::string& name : corpus_files()) {
        EXPECT_TRUE(listed.contains(name)) << name << " has no row in SOURCES.tsv";
    }
}

TEST(ConformanceExpectedFailures, FileIsWellFormed) {
    const ExpectedFailures& expected = expected_failures();
    for (const std::string& problem : expected.problems) {
        ADD_FAILURE() << problem;
    }
    const auto messages = upstart_messages();
    for (const auto& [file, failure] : expected.by_file) {
        EXPECT_TRUE(messages.contains(failure.message))
            << "expected_failures.tsv:" << failure.line << ": '" << failure.message
            << "' is not one of Upstart's parse error messages";
    }
}

TEST(ConformanceExpectedFailures, ListedFilesExist) {
    STARTD_SKIP_WITHOUT_SHARED_CORPUS();
    for (const auto& [file, failure] : expected_failures().by_file) {
        EXPECT_TRUE(fs::is_regular_file(corpus_dir / file))
            << "expected_failures.tsv:" << failure.line << " lists " << file
            << ", which is not in the corpus";
    }
}

// One test per corpus file, so a regression names the file that broke.
class ConformanceFile : public ::testing::TestWithParam<std::string> {};

TEST_P(ConformanceFile, ParsesAsUpstartDoes) {
    const std::string& name = GetParam();
    const fs::path path = corpus_dir / name;
    const std::optional<std::string> text = read_file(path);
    ASSERT_TRUE(text.has_value()) << "cannot read " << path.string();

    auto job = config::parse_job(*text, path.string());
    const auto& failures = expected_failures().by_file;
    if (auto listed = failures.find(name); listed != failures.end()) {
        ASSERT_FALSE(job.has_value()) << name << " parses, but Upstart rejects it with '"
                                      << listed->second.message << "' (" << listed->second.reason << ")";
        EXPECT_EQ(config::upstart_message(job.error().code), listed->second.message)
            << job.error().to_string();
    } else {
        EXPECT_TRUE(job.has_value()) << "Upstart accepts " << name << ", startd does not: "
                                     << (job ? std::string() : job.error().to_string());
    }
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
    std::string name = info.param.substr(0, info.param.size() - 5); // without ".conf"
    for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) {
            c = '_';
        }
    }
    return name;
}

INSTANTIATE_TEST_SUITE_P(ConformanceCorpus, ConformanceFile, ::testing::ValuesIn(corpus_files()), test_name);
// With the corpus missing there are no instances; CorpusIsPresent skips (or fails) instead.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ConformanceFile);

} // namespace
