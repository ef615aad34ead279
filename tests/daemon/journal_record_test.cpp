// Tests the state journal's lines: each kind survives encode_line → decode_line unchanged, and
// decoding refuses, with a message that names the fault, anything that is not exactly such a
// line of a version this startd reads.
#include "daemon/journal_record.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace {

using daemon_main::decode_line;
using daemon_main::encode_line;
using daemon_main::EnvTable;
using daemon_main::GoneRecord;
using daemon_main::JobRecord;
using daemon_main::JournalHeader;
using daemon_main::JournalLine;

std::size_t slot(core::ProcessType type) { return static_cast<std::size_t>(type); }

// A job record with every field set to something other than its default.
JobRecord full_record() {
    JobRecord r;
    r.job = "web";
    r.instance = "eth0";
    r.goal = core::JobGoal::Stop;
    r.state = core::JobState::PreStop;
    r.pids[slot(core::ProcessType::Main)] = 1234;
    r.pids[slot(core::ProcessType::PreStop)] = 1240;
    r.main_group = 1234;
    r.respawn_count = 3;
    r.respawn_time_ns = 7'000'000'123;
    r.env = 0x9e3779b97f4a7c15ULL;
    r.status_text = "serving 12 clients";
    r.failure = "web main process terminated with status 1";
    r.written_ns = 86'400'000'000'000;
    return r;
}

// Encodes, checks there is exactly one newline (at the end), decodes what precedes it.
JournalLine round_trip(const JournalLine& line) {
    std::string text = encode_line(line);
    EXPECT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');
    EXPECT_EQ(text.find('\n'), text.size() - 1) << text;
    auto decoded = decode_line(std::string_view(text).substr(0, text.size() - 1));
    EXPECT_TRUE(decoded.has_value()) << text << ": " << (decoded ? "" : decoded.error().message());
    return decoded ? *decoded : JournalLine{};
}

// decode_line(text) fails; returns its message.
std::string refusal(const std::string& text) {
    auto decoded = decode_line(text);
    EXPECT_FALSE(decoded.has_value()) << "accepted: " << text;
    return decoded ? std::string() : decoded.error().message();
}

// A valid job line with `field` replaced by `value` (JSON text) or, with an empty value, left out.
std::string job_line_with(const std::string& field, const std::string& value) {
    const std::pair<const char*, const char*> fields[] = {
        {"kind", "\"job\""},   {"job", "\"web\""},          {"instance", "\"\""},
        {"goal", "\"start\""}, {"state", "\"running\""},    {"pids", "{\"main\":1234}"},
        {"group", "1234"},     {"respawn", "[0,0]"},        {"env", "0"},
        {"status", "\"\""},    {"failure", "\"\""},         {"written", "5000"},
    };
    std::string out = "{";
    for (const auto& [name, text] : fields) {
        std::string v = name == field ? value : text;
        if (v.empty()) {
            continue;
        }
        out += (out.size() > 1 ? "," : "") + std::string("\"") + name + "\":" + v;
    }
    return out + "}";
}

TEST(JournalRecord, AHeaderRoundTrips) {
    JournalHeader h;
    h.pid = 4321;
    h.boot_id = "0f5c7a3e-2b1d-4e8f-9a6c-3d2e1f0a9b8c";
    h.startup_emitted = true;
    EXPECT_EQ(round_trip(h), JournalLine(h));
}

TEST(JournalRecord, AJobRecordRoundTripsWithEveryField) {
    JobRecord r = full_record();
    EXPECT_EQ(round_trip(r), JournalLine(r));
}

TEST(JournalRecord, AJobRecordRoundTripsWithEveryProcessTypeAndTheLargestValues) {
    JobRecord r;
    r.job = "db";
    r.state = core::JobState::Spawned;
    for (std::size_t i = 0; i < core::process_type_count; ++i) {
        r.pids[i] = std::numeric_limits<pid_t>::max() - static_cast<pid_t>(i);
    }
    r.respawn_count = std::numeric_limits<unsigned>::max();
    r.respawn_time_ns = std::numeric_limits<std::int64_t>::max();
    r.env = std::numeric_limits<std::uint64_t>::max();
    r.written_ns = std::numeric_limits<std::int64_t>::max();
    EXPECT_EQ(round_trip(r), JournalLine(r));
}

TEST(JournalRecord, AJobRecordWaitingOutARespawnDelayRoundTrips) {
    JobRecord r = full_record();
    r.state = core::JobState::PostStop;
    r.backoff = JobRecord::Backoff{4, 7500, 9'000'000'000, 1'500'000'000};
    std::string text = encode_line(r);
    EXPECT_NE(text.find("\"backoff\":[4,7500,9000000000,1500000000]"), std::string::npos) << text;
    EXPECT_EQ(round_trip(r), JournalLine(r));
}

TEST(JournalRecord, ARecordWithoutBackoffIsWrittenAndReadAsBefore) {
    JobRecord r = full_record();
    EXPECT_EQ(encode_line(r).find("backoff"), std::string::npos) << "version 1's fields only";
    auto decoded = decode_line(job_line_with("", ""));
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
    EXPECT_FALSE(std::get<JobRecord>(*decoded).backoff.has_value());
}

TEST(JournalRecord, AMalformedBackoffIsRefusedByName) {
    std::string line = job_line_with("", "");
    line.pop_back(); // the closing brace
    for (const char* bad :
         {"[1,2,3]", "{}", "[1,2,3,-4]", "[-1,0,0,0]", "[1,4294967296,0,0]", "[\"1\",0,0,0]"}) {
        EXPECT_NE(refusal(line + ",\"backoff\":" + bad + "}").find("backoff"), std::string::npos) << bad;
    }
}

TEST(JournalRecord, EveryGoalAndStateRoundTrips) {
    for (core::JobGoal goal : {core::JobGoal::Stop, core::JobGoal::Start, core::JobGoal::Respawn}) {
        for (int s = static_cast<int>(core::JobState::Waiting); s <= static_cast<int>(core::JobState::PostStop); ++s) {
            JobRecord r;
            r.job = "j";
            r.goal = goal;
            r.state = static_cast<core::JobState>(s);
            EXPECT_EQ(round_trip(r), JournalLine(r)) << core::to_string(goal) << "/" << core::to_string(r.state);
        }
    }
}

TEST(JournalRecord, NamesWithQuotesBackslashesAndUnicodeRoundTrip) {
    JobRecord r;
    r.job = "odd\"name\\";
    r.instance = "tab\there, caf\xc3\xa9 \xe2\x9c\x93";
    r.status_text = "line one\nline two"; // only names must be single lines
    EXPECT_EQ(round_trip(r), JournalLine(r));
}

TEST(JournalRecord, AnEnvTableRoundTrips) {
    EnvTable t{42, {"PATH=/usr/bin:/bin", "EMPTY=", "EQ=a=b", "MULTI=one\ntwo"}};
    EXPECT_EQ(round_trip(t), JournalLine(t));
    EnvTable none{7, {}};
    EXPECT_EQ(round_trip(none), JournalLine(none));
}

TEST(JournalRecord, AGoneRecordRoundTrips) {
    GoneRecord g{"web", "eth0"};
    EXPECT_EQ(round_trip(g), JournalLine(g));
    GoneRecord singleton{"web", ""};
    EXPECT_EQ(round_trip(singleton), JournalLine(singleton));
}

TEST(JournalRecord, TheTemplateLineIsValid) {
    // The other tests change one field of this line: it must be good as it is.
    EXPECT_TRUE(decode_line(job_line_with("", "")).has_value()) << job_line_with("", "");
}

TEST(JournalRecord, AnUnknownKindIsRefusedByName) {
    EXPECT_NE(refusal(R"({"kind":"alarm","job":"web"})").find("unknown kind of journal line: alarm"), std::string::npos);
    EXPECT_NE(refusal(R"({"job":"web"})").find("no \"kind\""), std::string::npos);
    EXPECT_NE(refusal(R"({"kind":7})").find("no \"kind\""), std::string::npos);
}

TEST(JournalRecord, AMissingFieldIsNamed) {
    for (const char* field : {"job", "instance", "goal", "state", "pids", "group", "respawn", "env", "status",
                              "failure", "written"}) {
        EXPECT_NE(refusal(job_line_with(field, "")).find(std::string("no \"") + field + "\""), std::string::npos)
            << field;
    }
    EXPECT_NE(refusal(R"({"kind":"header","version":1,"pid":5,"startup":true})").find("no \"boot\""),
              std::string::npos);
    EXPECT_NE(refusal(R"({"kind":"env","id":3})").find("no \"vars\""), std::string::npos);
    EXPECT_NE(refusal(R"({"kind":"gone","job":"web"})").find("no \"instance\""), std::string::npos);
}

TEST(JournalRecord, AnUnknownFieldIsRefusedByName) {
    std::string line = job_line_with("", "");
    line.insert(line.size() - 1, R"(,"cgroup":"/sys/fs/cgroup/x")");
    EXPECT_NE(refusal(line).find("cgroup"), std::string::npos);
    EXPECT_NE(refusal(R"({"kind":"gone","job":"web","instance":"","why":1})").find("why"), std::string::npos);
    EXPECT_NE(refusal(R"({"kind":"header","version":1,"pid":5,"boot":"b","startup":false,"x":0})").find("\"x\""),
              std::string::npos);
}

TEST(JournalRecord, AFieldOfTheWrongTypeIsNamed) {
    EXPECT_NE(refusal(job_line_with("job", "7")).find("\"job\" is not a string"), std::string::npos);
    EXPECT_NE(refusal(job_line_with("instance", "null")).find("\"instance\" is not a string"), std::string::npos);
    EXPECT_NE(refusal(job_line_with("group", "\"1234\"")).find("\"group\" is not an integer"), std::string::npos);
    EXPECT_NE(refusal(job_line_with("group", "12.5")).find("\"group\" is not an integer"), std::string::npos);
    EXPECT_NE(refusal(job_line_with("written", "true")).find("\"written\" is not an integer"), std::string::npos);
    EXPECT_NE(refusal(job_line_with("pids", "[1234]")).find("\"pids\" is not an object"), std::string::npos);
    EXPECT_NE(refusal(job_line_with("respawn", "{\"count\":0}")).find("\"respawn\" is not [count, time]"),
              std::string::npos);
    EXPECT_NE(refusal(job_line_with("respawn", "[0]")).find("\"respawn\" is not [count, time]"), std::string::npos);
    EXPECT_NE(refusal(job_line_with("respawn", "[0,\"0\"]")).find("respawn time"), std::string::npos);
    EXPECT_NE(refusal(R"({"kind":"header","version":1,"pid":5,"boot":"b","startup":1})").find("\"startup\""),
              std::string::npos);
    EXPECT_NE(refusal(R"({"kind":"env","id":3,"vars":"A=1"})").find("\"vars\" is not an array"), std::string::npos);
}

TEST(JournalRecord, ZeroAndNegativePidsAreRefused) {
    EXPECT_NE(refusal(job_line_with("pids", "{\"main\":0}")).find("pids.main"), std::string::npos);
    EXPECT_NE(refusal(job_line_with("pids", "{\"pre-start\":-1}")).find("pids.pre-start"), std::string::npos);
    EXPECT_NE(refusal(R"({"kind":"header","version":1,"pid":0,"boot":"b","startup":true})").find("\"pid\""),
              std::string::npos);
    EXPECT_NE(refusal(R"({"kind":"header","version":1,"pid":-5,"boot":"b","startup":true})").find("\"pid\""),
              std::string::npos);
    EXPECT_NE(refusal(job_line_with("group", "-1")).find("\"group\""), std::string::npos);
}

TEST(JournalRecord, OutOfRangeIntegersAreRefused) {
    const std::string u64_max = std::to_string(std::numeric_limits<std::uint64_t>::max());
    const std::string past_pid = std::to_string(std::int64_t{std::numeric_limits<pid_t>::max()} + 1);
    EXPECT_NE(refusal(job_line_with("pids", "{\"main\":" + u64_max + "}")).find("pids.main"), std::string::npos);
    EXPECT_NE(refusal(job_line_with("pids", "{\"main\":" + past_pid + "}")).find("pids.main"), std::string::npos);
    EXPECT_NE(refusal(job_line_with("group", u64_max)).find("\"group\""), std::string::npos);
    EXPECT_NE(refusal(job_line_with("respawn", "[0,-1]")).find("respawn time"), std::string::npos);
    EXPECT_NE(refusal(job_line_with("respawn", "[-1,0]")).find("respawn count"), std::string::npos);
    EXPECT_NE(refusal(job_line_with("respawn", "[4294967296,0]")).find("respawn count"), std::string::npos);
    EXPECT_NE(refusal(job_line_with("respawn", "[0," + u64_max + "]")).find("respawn time"), std::string::npos);
    EXPECT_NE(refusal(job_line_with("written", "-1")).find("\"written\""), std::string::npos);
    EXPECT_NE(refusal(job_line_with("written", u64_max)).find("\"written\""), std::string::npos);
    EXPECT_NE(refusal(job_line_with("env", "-1")).find("\"env\""), std::string::npos);
    EXPECT_NE(refusal(R"({"kind":"env","id":0,"vars":[]})").find("\"id\""), std::string::npos);
    EXPECT_NE(refusal(R"({"kind":"header","version":4294967297,"pid":5,"boot":"b","startup":true})")
                  .find("\"version\""),
              std::string::npos);
}

TEST(JournalRecord, AnUnknownProcessTypeInPidsIsNamed) {
    EXPECT_NE(refusal(job_line_with("pids", "{\"main\":1234,\"post-main\":1300}")).find("post-main"),
              std::string::npos);
    EXPECT_NE(refusal(job_line_with("pids", "{\"Main\":1234}")).find("Main"), std::string::npos);
}

TEST(JournalRecord, AnUnknownGoalOrStateIsNamed) {
    EXPECT_NE(refusal(job_line_with("goal", "\"restart\"")).find("restart"), std::string::npos);
    EXPECT_NE(refusal(job_line_with("state", "\"paused\"")).find("paused"), std::string::npos);
    EXPECT_NE(refusal(job_line_with("state", "\"Running\"")).find("Running"), std::string::npos);
}

TEST(JournalRecord, NamesWithANewlineOrNulAreRefused) {
    EXPECT_NE(refusal(job_line_with("job", "\"we\\nb\"")).find("NUL or newline"), std::string::npos);
    EXPECT_NE(refusal(job_line_with("job", "\"we\\u0000b\"")).find("NUL or newline"), std::string::npos);
    EXPECT_NE(refusal(job_line_with("instance", "\"a\\nb\"")).find("NUL or newline"), std::string::npos);
    EXPECT_NE(refusal(job_line_with("instance", "\"a\\u0000\"")).find("NUL or newline"), std::string::npos);
    EXPECT_NE(refusal(job_line_with("job", "\"\"")).find("job name"), std::string::npos);
    EXPECT_NE(refusal(R"({"kind":"gone","job":"","instance":""})").find("job name"), std::string::npos);
    EXPECT_NE(refusal(R"({"kind":"gone","job":"we\nb","instance":""})").find("NUL or newline"), std::string::npos);
    EXPECT_NE(refusal(R"({"kind":"gone","job":"web","instance":"a\u0000"})").find("NUL or newline"),
              std::string::npos);
}

TEST(JournalRecord, VariablesMustBeKeyEqualsValue) {
    EXPECT_NE(refusal(R"({"kind":"env","id":3,"vars":["A=1","NOEQUALS"]})").find("KEY=VALUE"), std::string::npos);
    EXPECT_NE(refusal(R"({"kind":"env","id":3,"vars":["A=1",5]})").find("KEY=VALUE"), std::string::npos);
    EXPECT_NE(refusal(R"({"kind":"env","id":3,"vars":["A=\u0000"]})").find("KEY=VALUE"), std::string::npos);
}

TEST(JournalRecord, ANewerVersionIsRefusedSayingWhichItReads) {
    std::string message = refusal(R"({"kind":"header","version":3,"pid":5,"boot":"b","startup":true})");
    EXPECT_NE(message.find("journal version 3"), std::string::npos) << message;
    EXPECT_NE(message.find("it reads 1 to 2"), std::string::npos) << message;
    EXPECT_NE(refusal(R"({"kind":"header","version":0,"pid":5,"boot":"b","startup":true})").find("\"version\""),
              std::string::npos);
}

TEST(JournalRecord, VersionOneIsStillRead) {
    auto decoded = decode_line(R"({"kind":"header","version":1,"pid":5,"boot":"b","startup":true})");
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message();
    EXPECT_EQ(std::get<JournalHeader>(*decoded).version, 1);
}

TEST(JournalRecord, ATimerRecordRoundTrips) {
    core::TimerState t{"backup", "cron 30 3 * * *", 1780282800, 0};
    EXPECT_EQ(round_trip(t), JournalLine(t));
    core::TimerState every{"net/tick", "every 1h30m", 1780282800, 9'000'000'000'123};
    EXPECT_EQ(round_trip(every), JournalLine(every));
    EXPECT_EQ(encode_line(every),
              "{\"due\":9000000000123,\"job\":\"net/tick\",\"kind\":\"timer\",\"last\":1780282800,"
              "\"timer\":\"every 1h30m\"}\n");
    EXPECT_NE(refusal(R"({"kind":"timer","job":"a","timer":"every 1s","last":1})").find("no \"due\""),
              std::string::npos);
    EXPECT_NE(refusal(R"({"kind":"timer","job":"","timer":"every 1s","last":1,"due":0})")
                  .find("a timer record needs"),
              std::string::npos);
    EXPECT_NE(refusal(R"({"kind":"timer","job":"a","timer":"every 1s","last":1,"due":-1})").find("\"due\""),
              std::string::npos);
}

TEST(JournalRecord, DeepNestingIsRefusedBeforeParsing) {
    EXPECT_NE(refusal(job_line_with("pids", "{\"main\":[[[[1]]]]}")).find("nested too deep"), std::string::npos);
    std::string deep = R"({"kind":"job","x":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
    EXPECT_NE(refusal(deep).find("nested too deep"), std::string::npos);
}

TEST(JournalRecord, AnythingButAJsonObjectIsRefused) {
    for (const char* text : {"", "   ", "[1,2]", "42", "\"job\"", "null", "{\"kind\":\"job\"", "not json at all",
                             "{\"kind\":\"gone\",\"job\":\"web\",\"instance\":\"\"} trailing"}) {
        EXPECT_NE(refusal(text).find("not a JSON object"), std::string::npos) << text;
    }
}

} // namespace
