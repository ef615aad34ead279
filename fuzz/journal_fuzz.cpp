// libFuzzer target: the state journal's reader (daemon::read_journal_text, and through it
// decode_line) on arbitrary text — what a successor reads after a crash, so it must refuse
// anything it cannot trust with an error and never crash, hang or leak.
//
// Invariants checked (a violation traps, so libFuzzer records the input as a crash):
//   - a refused journal says why (a non-empty message);
//   - in an accepted one, every job has a name, no two jobs are the same instance, and every
//     environment table a job names is there;
//   - encoding what was read and reading it again gives the same jobs and tables (the writer
//     and the reader agree on every value the reader accepts);
//   - each line decoded alone either fails with a message or encodes to a line that decodes to
//     the same value.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "daemon/journal_record.h"
#include "daemon/state_journal.h"

namespace {

void check(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    // Line by line first: decode, and round-trip what decodes.
    std::string_view rest = text;
    while (!rest.empty()) {
        std::size_t end = rest.find('\n');
        std::string_view line = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        auto decoded = daemon_main::decode_line(line);
        if (!decoded) {
            check(!decoded.error().message().empty());
            continue;
        }
        std::string again = daemon_main::encode_line(*decoded);
        check(!again.empty() && again.back() == '\n');
        auto redecoded = daemon_main::decode_line(std::string_view(again).substr(0, again.size() - 1));
        check(redecoded.has_value() && *redecoded == *decoded);
    }

    auto journal = daemon_main::read_journal_text(text);
    if (!journal) {
        check(!journal.error().message().empty());
        return 0;
    }
    std::set<std::pair<std::string, std::string>> instances;
    std::string written = daemon_main::encode_line(journal->header);
    for (const auto& [id, vars] : journal->envs) {
        written += daemon_main::encode_line(daemon_main::EnvTable{id, vars});
    }
    for (const daemon_main::JobRecord& job : journal->jobs) {
        check(!job.job.empty());
        check(instances.emplace(job.job, job.instance).second);
        check(job.env == 0 || journal->envs.count(job.env) == 1);
        written += daemon_main::encode_line(job);
    }
    auto reread = daemon_main::read_journal_text(written);
    check(reread.has_value());
    check(reread->header == journal->header);
    check(reread->jobs == journal->jobs);
    check(reread->envs == journal->envs);
    return 0;
}
