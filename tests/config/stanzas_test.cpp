// Tests the stanza table against its reference, man/startd-job.5.in: every stanza the parser
// accepts has an entry there (an item line after .TP or .TQ that begins with its name), and each
// stanza that accumulates is named in the page's list of those that do.
#include "config/stanzas.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<std::string> man_page_lines() {
    std::ifstream in(std::filesystem::path(STARTD_SOURCE_DIR) / "man" / "startd-job.5.in");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

// The name as roff writes it: every '-' as "\-".
std::string roff(std::string_view name) {
    std::string out;
    for (char c : name) {
        out += c == '-' ? std::string("\\-") : std::string(1, c);
    }
    return out;
}

// Whether `line` is a bold item naming `word` first: `.B word`, `.BI word " ARG"`,
// `.BI "word ARG " X`, `.BR word " " a|b`.
bool item_names(const std::string& line, const std::string& word) {
    for (const char* macro : {".B ", ".BI ", ".BR "}) {
        if (line.rfind(macro, 0) != 0) {
            continue;
        }
        std::string rest = line.substr(std::string(macro).size());
        if (!rest.empty() && rest.front() == '"') {
            rest.erase(0, 1);
        }
        if (rest.rfind(word, 0) == 0 &&
            (rest.size() == word.size() || rest[word.size()] == ' ' || rest[word.size()] == '"')) {
            return true;
        }
    }
    return false;
}

TEST(StanzaTable, EveryStanzaHasAnEntryInTheManPage) {
    const std::vector<std::string> lines = man_page_lines();
    ASSERT_GT(lines.size(), 100u) << "cannot read man/startd-job.5.in";
    for (const config::Stanza& stanza : config::stanza_table()) {
        const std::string word = roff(stanza.name);
        bool found = false;
        for (std::size_t i = 1; i < lines.size() && !found; ++i) {
            found = (lines[i - 1] == ".TP" || lines[i - 1] == ".TQ") && item_names(lines[i], word);
        }
        EXPECT_TRUE(found) << "startd-job(5) has no entry for the '" << stanza.name << "' stanza";
    }
}

TEST(StanzaTable, AccumulatingStanzasAreListedAsSuch) {
    const std::vector<std::string> lines = man_page_lines();
    // The DESCRIPTION's list: "a stanza that accumulates (env, export, …) adds to it".
    std::size_t start = 0;
    while (start < lines.size() && lines[start].find("a stanza that accumulates") == std::string::npos) {
        ++start;
    }
    ASSERT_LT(start, lines.size()) << "the list of accumulating stanzas is gone from startd-job(5)";
    std::ostringstream list;
    for (std::size_t i = start; i < lines.size() && lines[i].find("adds to it") == std::string::npos; ++i) {
        list << lines[i] << '\n';
    }
    for (const config::Stanza& stanza : config::stanza_table()) {
        const std::string name = roff(stanza.name);
        bool listed = false;
        for (const std::string& form : {".RB ( " + name + " ", ".BR " + name + " ", ".BR \"" + name + " "}) {
            listed = listed || list.str().find(form) != std::string::npos;
        }
        EXPECT_EQ(listed, stanza.repeat == config::Repeat::Accumulates)
            << stanza.name
            << (listed ? " is listed as accumulating but is not" : " accumulates but is not listed");
    }
}

} // namespace
