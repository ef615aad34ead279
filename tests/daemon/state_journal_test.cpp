// Tests the state journal: folding a journal's text to what was live (read_journal_text), and
// StateJournal over FakeSys — the file begin() writes, the appends flush() makes (one write a
// turn, environment tables once per file), the rewrite once appends outgrow the file, recovery
// from a failed write, removal, and which predecessor's file read_previous() believes.
#include "daemon/state_journal.h"

#include "core/engine_fixture.h"
#include "fakes/fake_sys.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace {

using daemon_main::encode_line;
using daemon_main::EnvTable;
using daemon_main::GoneRecord;
using daemon_main::JobRecord;
using daemon_main::JournalHeader;
using daemon_main::PreviousJournal;
using daemon_main::read_journal_text;

constexpr std::size_t main_slot = static_cast<std::size_t>(core::ProcessType::Main);

JournalHeader header(pid_t pid = 4321) { return JournalHeader{daemon_main::journal_version, pid, "boot-1", true}; }

JobRecord record(const std::string& job, pid_t main, std::string instance = "", std::uint64_t env = 0) {
    JobRecord r;
    r.job = job;
    r.instance = std::move(instance);
    r.pids[main_slot] = main;
    r.env = env;
    r.written_ns = 1000;
    return r;
}

std::string error_of(const std::string& text) {
    auto read = read_journal_text(text);
    EXPECT_FALSE(read.has_value()) << "read: " << text;
    return read ? std::string() : read.error().message();
}

// ---- read_journal_text ------------------------------------------------------------------------

TEST(ReadJournalText, TheLastRecordOfAnInstanceWins) {
    std::string text = encode_line(header()) + encode_line(record("web", 10)) + encode_line(record("db", 20)) +
                       encode_line(record("web", 11));
    auto read = read_journal_text(text);
    ASSERT_TRUE(read) << read.error().message();
    EXPECT_EQ(read->header, header());
    ASSERT_EQ(read->jobs.size(), 2u);
    EXPECT_EQ(read->jobs[0], record("web", 11)) << "in the order first written";
    EXPECT_EQ(read->jobs[1], record("db", 20));
}

TEST(ReadJournalText, InstancesOfOneJobAreApart) {
    std::string text = encode_line(header()) + encode_line(record("net", 10, "eth0")) +
                       encode_line(record("net", 11, "eth1")) + encode_line(record("net", 12, "eth0"));
    auto read = read_journal_text(text);
    ASSERT_TRUE(read) << read.error().message();
    ASSERT_EQ(read->jobs.size(), 2u);
    EXPECT_EQ(read->jobs[0], record("net", 12, "eth0"));
    EXPECT_EQ(read->jobs[1], record("net", 11, "eth1"));
}

TEST(ReadJournalText, GoneRemovesAndARecordAfterGoneRevives) {
    std::string text = encode_line(header()) + encode_line(record("web", 10)) + encode_line(record("db", 20)) +
                       encode_line(GoneRecord{"web", ""}) + encode_line(GoneRecord{"db", ""}) +
                       encode_line(record("db", 21)) + encode_line(GoneRecord{"never-written", ""});
    auto read = read_journal_text(text);
    ASSERT_TRUE(read) << read.error().message();
    ASSERT_EQ(read->jobs.size(), 1u);
    EXPECT_EQ(read->jobs[0], record("db", 21));
}

TEST(ReadJournalText, ALastLineWithoutItsNewlineIsLeftOut) {
    std::string whole = encode_line(header()) + encode_line(record("web", 10));
    std::string cut = encode_line(record("web", 11));
    cut.pop_back();
    auto read = read_journal_text(whole + cut);
    ASSERT_TRUE(read) << read.error().message();
    ASSERT_EQ(read->jobs.size(), 1u);
    EXPECT_EQ(read->jobs[0], record("web", 10)) << "the cut write never happened";

    std::string half = encode_line(record("db", 20)).substr(0, 15); // cut in the middle: not JSON
    auto halved = read_journal_text(whole + half);
    ASSERT_TRUE(halved) << halved.error().message();
    EXPECT_EQ(halved->jobs.size(), 1u);
}

TEST(ReadJournalText, ABadLineInTheMiddleFailsTheWholeReadingByLineNumber) {
    std::string text = encode_line(header()) + encode_line(record("web", 10)) + "{\"kind\":\"job\"}\n" +
                       encode_line(record("db", 20));
    std::string message = error_of(text);
    EXPECT_EQ(message.rfind("line 3: ", 0), 0u) << message;
    EXPECT_NE(message.find("no \"job\""), std::string::npos) << message;

    EXPECT_EQ(error_of(encode_line(header()) + "\n" + encode_line(record("web", 10))).rfind("line 2: ", 0), 0u)
        << "an empty line is not a journal line";
}

TEST(ReadJournalText, ARecordNamingAnEnvTableNotWrittenBeforeFails) {
    std::string message = error_of(encode_line(header()) + encode_line(record("web", 10, "", 77)) +
                                   encode_line(EnvTable{77, {"A=1"}}));
    EXPECT_EQ(message.rfind("line 2: ", 0), 0u) << message;
    EXPECT_NE(message.find("environment table 77"), std::string::npos) << message;

    auto read = read_journal_text(encode_line(header()) + encode_line(EnvTable{77, {"A=1", "B=2"}}) +
                                  encode_line(record("web", 10, "", 77)));
    ASSERT_TRUE(read) << read.error().message();
    ASSERT_EQ(read->envs.count(77), 1u);
    EXPECT_EQ(read->envs.at(77), (core::Environ{"A=1", "B=2"}));
    ASSERT_EQ(read->jobs.size(), 1u);
    EXPECT_EQ(read->jobs[0].env, 77u);
}

TEST(ReadJournalText, ASecondHeaderFails) {
    std::string message = error_of(encode_line(header()) + encode_line(record("web", 10)) + encode_line(header(99)));
    EXPECT_EQ(message, "line 3: a second header");
}

TEST(ReadJournalText, NoHeaderFails) {
    EXPECT_EQ(error_of(encode_line(record("web", 10)) + encode_line(header())), "line 1: no header before it");
    EXPECT_EQ(error_of(""), "no header");
    std::string cut_header = encode_line(header());
    cut_header.pop_back();
    EXPECT_EQ(error_of(cut_header), "no header") << "a header cut short was never written";
}

TEST(ReadJournalText, TheLastLineOfEachTimerWinsAndVersionOneHasNone) {
    core::TimerState first{"tick", "every 1m", 100, 5'000};
    core::TimerState later{"tick", "every 1m", 160, 65'000};
    core::TimerState other{"backup", "cron 0 3 * * *", 90, 0};
    auto read = read_journal_text(encode_line(header()) + encode_line(first) + encode_line(other) +
                                  encode_line(later));
    ASSERT_TRUE(read.has_value()) << read.error().message();
    EXPECT_EQ(read->timers, (std::vector<core::TimerState>{later, other}));
    JournalHeader v1 = header();
    v1.version = 1;
    EXPECT_EQ(error_of(encode_line(v1) + encode_line(first)), "line 2: a timer line in a version 1 journal");
    auto old = read_journal_text(encode_line(v1) + encode_line(record("web", 10)));
    ASSERT_TRUE(old.has_value()) << old.error().message();
    EXPECT_TRUE(old->timers.empty());
}

// ---- StateJournal ---------------------------------------------------------------------------

class StateJournalTest : public EngineTest {
  protected:
    static constexpr const char* path = "/run/startd/state.journal";

    StateJournalTest() {
        sys.add_dir("/run/startd", 0700);
        define("web", "exec /bin/web\n");
        define("db", "exec /bin/db\n");
        define("net", "instance $IFACE\nexec /bin/net\n");
    }

    // The file's lines, newlines dropped.
    std::vector<std::string> lines(const std::string& file = path) const {
        std::vector<std::string> out;
        std::string text = sys.file_content(file).value_or("");
        for (std::size_t at = 0; at < text.size();) {
            std::size_t end = text.find('\n', at);
            out.push_back(text.substr(at, end - at));
            at = end == std::string::npos ? text.size() : end + 1;
        }
        return out;
    }
    std::size_t count_kind(const std::vector<std::string>& some, const std::string& kind) const {
        return static_cast<std::size_t>(std::count_if(some.begin(), some.end(), [&](const std::string& l) {
            return l.find("\"kind\":\"" + kind + "\"") != std::string::npos;
        }));
    }
    PreviousJournal read_back() {
        auto read = read_journal_text(sys.file_content(path).value_or(""));
        EXPECT_TRUE(read) << read.error().message();
        return read ? std::move(read).value() : PreviousJournal{};
    }
    const JobRecord* find(const PreviousJournal& journal, const std::string& name, const std::string& instance = "") {
        for (const JobRecord& r : journal.jobs) {
            if (r.job == name && r.instance == instance) {
                return &r;
            }
        }
        return nullptr;
    }
    std::size_t file_size() const { return sys.file_content(path).value_or("").size(); }

    fakes::FakeSys sys;
    std::vector<std::string> logged;
    daemon_main::StateJournal journal{sys, path,
                                      [this](const std::function<void(const core::Job&)>& each) {
                                          for (const std::string& name : engine.class_names()) {
                                              for (const core::Job* j : engine.instances(name)) {
                                                  each(*j);
                                              }
                                          }
                                      },
                                      [this](core::LogLevel, std::string_view m) { logged.emplace_back(m); }};
};

TEST_F(StateJournalTest, BeginWritesTheHeaderAndEveryJobThatIsNotAtRest) {
    start("web");
    start("net", {"IFACE=eth0"});
    ASSERT_EQ(state("web"), core::JobState::Running);
    ASSERT_TRUE(journal.begin(header()));

    std::vector<std::string> written = lines();
    ASSERT_FALSE(written.empty());
    EXPECT_NE(written[0].find("\"kind\":\"header\""), std::string::npos) << "the header comes first";
    EXPECT_EQ(count_kind(written, "job"), 2u) << "db was never started";
    EXPECT_EQ(sys.file_mode(path), std::optional<mode_t>(0600));
    EXPECT_FALSE(sys.exists(std::string(path) + ".new"));

    PreviousJournal back = read_back();
    EXPECT_EQ(back.header, header());
    const JobRecord* web = find(back, "web");
    const JobRecord* net = find(back, "net", "eth0");
    ASSERT_TRUE(web && net);
    EXPECT_EQ(web->pids[main_slot], job("web")->pid(core::ProcessType::Main));
    EXPECT_EQ(web->state, core::JobState::Running);
    EXPECT_EQ(web->goal, core::JobGoal::Start);
    EXPECT_EQ(net->pids[main_slot], job("net", "eth0")->pid(core::ProcessType::Main));
    EXPECT_EQ(back.envs.at(net->env), job("net", "eth0")->env.get());
    EXPECT_EQ(back.envs.at(web->env), job("web")->env.get());
    EXPECT_EQ(web->written_ns, sys.boot_clock().count());
    EXPECT_EQ(journal.rewrites(), 1u);
    EXPECT_EQ(journal.bytes(), file_size());
}

TEST_F(StateJournalTest, AFlushAppendsOnlyTheJobsThatChangedInOneWrite) {
    start("web");
    start("db");
    start("net", {"IFACE=eth0"});
    ASSERT_TRUE(journal.begin(header()));
    std::size_t before = lines().size();
    int writes = sys.call_count("write");

    journal.flush();
    EXPECT_EQ(sys.call_count("write"), writes) << "nothing changed: nothing written";
    EXPECT_FALSE(journal.has_changes());

    journal.changed(*job("web"));
    journal.changed(*job("net", "eth0"));
    journal.changed(*job("web"));
    EXPECT_TRUE(journal.has_changes());
    journal.flush();
    EXPECT_EQ(sys.call_count("write"), writes + 1);
    EXPECT_FALSE(journal.has_changes());
    std::vector<std::string> after = lines();
    ASSERT_EQ(after.size(), before + 2) << "web once, net once; their env tables are in the file already";
    std::vector<std::string> appended(after.begin() + static_cast<std::ptrdiff_t>(before), after.end());
    EXPECT_EQ(count_kind(appended, "job"), 2u);
    for (const std::string& line : appended) {
        EXPECT_EQ(line.find("\"job\":\"db\""), std::string::npos) << "db did not change";
    }
    EXPECT_EQ(journal.bytes(), file_size());
    EXPECT_EQ(journal.rewrites(), 1u);
}

TEST_F(StateJournalTest, AnAppendedRecordSaysWhatTheJobIsNow) {
    start("web");
    ASSERT_TRUE(journal.begin(header()));
    pid_t first = job("web")->pid(core::ProcessType::Main);
    stop("web");
    ASSERT_EQ(state("web"), core::JobState::Killed);
    journal.changed(*job("web"));
    sys.advance(std::chrono::seconds(5));
    journal.flush();

    PreviousJournal back = read_back();
    const JobRecord* web = find(back, "web");
    ASSERT_TRUE(web);
    EXPECT_EQ(web->goal, core::JobGoal::Stop);
    EXPECT_EQ(web->state, core::JobState::Killed);
    EXPECT_EQ(web->pids[main_slot], first);
    EXPECT_EQ(web->written_ns, sys.boot_clock().count()) << "stamped at the flush";
}

TEST_F(StateJournalTest, AnEnvTableIsWrittenOncePerFile) {
    start("web");
    ASSERT_TRUE(journal.begin(header()));
    EXPECT_EQ(count_kind(lines(), "env"), 1u);

    start("db"); // the same environment as web
    journal.changed(*job("db"));
    journal.flush();
    journal.changed(*job("web"));
    journal.flush();
    EXPECT_EQ(count_kind(lines(), "env"), 1u);

    start("net", {"IFACE=eth0"}); // an environment of its own
    journal.changed(*job("net", "eth0"));
    journal.flush();
    journal.changed(*job("net", "eth0"));
    journal.flush();
    EXPECT_EQ(count_kind(lines(), "env"), 2u);

    // A new file (here after a failed write) has its own tables.
    sys.fail_next("write", EIO);
    journal.changed(*job("web"));
    journal.flush();
    journal.flush();
    EXPECT_EQ(journal.rewrites(), 2u);
    EXPECT_EQ(count_kind(lines(), "env"), 2u);
    PreviousJournal back = read_back();
    EXPECT_EQ(back.jobs.size(), 3u);
}

TEST_F(StateJournalTest, GoneIsWrittenAtTheNextFlush) {
    start("web");
    start("db");
    ASSERT_TRUE(journal.begin(header()));
    int writes = sys.call_count("write");

    journal.changed(*job("web"));
    journal.gone(*job("web")); // changed, then gone, in one turn: only the gone record
    EXPECT_TRUE(journal.has_changes());
    journal.flush();
    EXPECT_EQ(sys.call_count("write"), writes + 1);
    std::vector<std::string> all = lines();
    EXPECT_NE(all.back().find("\"kind\":\"gone\""), std::string::npos) << all.back();
    EXPECT_EQ(count_kind(all, "job"), 2u) << "no record of web after begin's";

    PreviousJournal back = read_back();
    ASSERT_EQ(back.jobs.size(), 1u);
    EXPECT_EQ(back.jobs[0].job, "db");
}

TEST_F(StateJournalTest, TimersAreWrittenAtTheNextFlushAndInEveryRewrite) {
    std::vector<core::TimerState> timers = {{"tick", "every 1m", 100, 60'000'000'000}};
    journal.set_timers(timers); // before begin: written by it
    ASSERT_TRUE(journal.begin(header()));
    EXPECT_EQ(count_kind(lines(), "timer"), 1u);
    EXPECT_FALSE(journal.has_changes());
    timers[0].last = 160;
    timers[0].due_ns = 120'000'000'000;
    journal.set_timers(timers);
    EXPECT_TRUE(journal.has_changes());
    journal.flush();
    EXPECT_EQ(count_kind(lines(), "timer"), 2u);
    EXPECT_EQ(read_back().timers, timers);
    ASSERT_TRUE(journal.snapshot());
    EXPECT_EQ(count_kind(lines(), "timer"), 1u);
    EXPECT_EQ(read_back().timers, timers);
}

TEST_F(StateJournalTest, TheFileIsRewrittenOnceAppendsOutgrowIt) {
    start("web");
    start("db");
    ASSERT_TRUE(journal.begin(header()));
    std::size_t first_size = journal.bytes();
    ASSERT_EQ(first_size, file_size());
    std::vector<std::string> begun = lines();
    int renames = sys.call_count("rename");

    std::size_t largest = 0;
    int flushes = 0;
    while (journal.rewrites() == 1 && flushes < 100000) {
        largest = std::max(largest, journal.bytes());
        journal.changed(*job("web"));
        journal.flush();
        ++flushes;
        if (journal.rewrites() == 1 && flushes % 256 == 0) {
            ASSERT_EQ(journal.bytes(), file_size()) << "appends go to the file";
        }
    }
    ASSERT_EQ(journal.rewrites(), 2u);
    EXPECT_GT(largest, 4 * first_size) << "not before the appends outgrew the file";
    EXPECT_GT(flushes, 100);
    EXPECT_EQ(sys.call_count("rename"), renames + 1);
    EXPECT_EQ(journal.bytes(), file_size());
    EXPECT_EQ(lines().size(), begun.size()) << "header, env table and one record per job again";
    EXPECT_FALSE(sys.exists(std::string(path) + ".new"));
    EXPECT_EQ(read_back().jobs.size(), 2u);

    // Appends go on into the new file.
    journal.changed(*job("db"));
    journal.flush();
    EXPECT_EQ(lines().size(), begun.size() + 1);
    EXPECT_EQ(journal.bytes(), file_size());
    EXPECT_TRUE(logged.empty());
}

TEST_F(StateJournalTest, AFailedWriteIsLoggedOnceAndTheNextFlushRewritesTheFile) {
    start("web");
    start("db");
    ASSERT_TRUE(journal.begin(header()));
    std::size_t begun = lines().size();

    sys.fail_next("write", ENOSPC);
    journal.changed(*job("web"));
    journal.flush();
    ASSERT_EQ(logged.size(), 1u);
    EXPECT_NE(logged[0].find("cannot write the state journal"), std::string::npos) << logged[0];
    EXPECT_NE(logged[0].find(std::strerror(ENOSPC)), std::string::npos) << logged[0];
    EXPECT_EQ(lines().size(), begun);

    journal.flush(); // nothing changed since, but the file lacks a write
    EXPECT_EQ(logged.size(), 1u) << "logged once";
    EXPECT_EQ(journal.rewrites(), 2u);
    EXPECT_EQ(lines().size(), begun);
    EXPECT_EQ(read_back().jobs.size(), 2u);

    journal.changed(*job("db"));
    journal.flush();
    EXPECT_EQ(journal.rewrites(), 2u) << "back to appending";
    EXPECT_EQ(lines().size(), begun + 1);
    EXPECT_EQ(logged.size(), 1u);
}

TEST_F(StateJournalTest, ABeginThatCannotWriteIsRetriedAtTheNextFlush) {
    start("web");
    sys.fail_next("open", EACCES);
    EXPECT_FALSE(journal.begin(header()));
    EXPECT_FALSE(sys.exists(path));
    ASSERT_EQ(logged.size(), 1u);

    journal.flush();
    EXPECT_TRUE(sys.exists(path));
    EXPECT_EQ(read_back().jobs.size(), 1u);
}

TEST_F(StateJournalTest, RemoveDeletesTheFileAndEndsTheJournal) {
    start("web");
    ASSERT_TRUE(journal.begin(header()));
    ASSERT_TRUE(sys.exists(path));
    journal.remove();
    EXPECT_FALSE(sys.exists(path));

    int writes = sys.call_count("write");
    journal.changed(*job("web"));
    journal.gone(*job("web"));
    EXPECT_FALSE(journal.has_changes());
    journal.flush();
    EXPECT_EQ(sys.call_count("write"), writes);
    EXPECT_FALSE(sys.exists(path));
    EXPECT_TRUE(logged.empty());
}

TEST_F(StateJournalTest, ReadPreviousFindsNothingWhenThereIsNoFile) {
    auto previous = journal.read_previous();
    ASSERT_TRUE(previous) << previous.error().message();
    EXPECT_FALSE(previous->has_value());
}

TEST_F(StateJournalTest, ReadPreviousReadsWhatAPredecessorWrote) {
    start("web");
    start("net", {"IFACE=eth0"});
    {
        daemon_main::StateJournal predecessor(
            sys, path,
            [this](const std::function<void(const core::Job&)>& each) {
                each(*job("web"));
                each(*job("net", "eth0"));
            },
            [](core::LogLevel, std::string_view) {});
        ASSERT_TRUE(predecessor.begin(header(77)));
        predecessor.gone(*job("web"));
        predecessor.flush();
    }
    auto previous = journal.read_previous();
    ASSERT_TRUE(previous) << previous.error().message();
    ASSERT_TRUE(previous->has_value());
    const PreviousJournal& back = **previous;
    EXPECT_EQ(back.header.pid, 77);
    ASSERT_EQ(back.jobs.size(), 1u);
    EXPECT_EQ(back.jobs[0].job, "net");
    EXPECT_EQ(back.envs.at(back.jobs[0].env), job("net", "eth0")->env.get());
}

TEST_F(StateJournalTest, ReadPreviousBelievesOnlyAFileOfThisUserThatOnlyItCanWrite) {
    std::string text = encode_line(header()) + encode_line(record("web", 10));
    sys.add_file(path, text, 0600);
    ASSERT_TRUE(journal.read_previous()) << "the plain case is believed";

    sys.set_owner(path, 1000);
    auto foreign = journal.read_previous();
    ASSERT_FALSE(foreign);
    EXPECT_NE(foreign.error().message().find("not believed"), std::string::npos) << foreign.error().message();
    EXPECT_NE(foreign.error().message().find("owner 1000"), std::string::npos) << foreign.error().message();

    for (mode_t mode : {mode_t{0620}, mode_t{0602}, mode_t{0666}}) {
        sys.add_file(path, text, mode);
        auto writable = journal.read_previous();
        ASSERT_FALSE(writable) << std::oct << mode;
        EXPECT_NE(writable.error().message().find("not believed"), std::string::npos) << writable.error().message();
    }

    sys.add_file(path, text, 0640); // group-readable is fine
    EXPECT_TRUE(journal.read_previous());
}

TEST_F(StateJournalTest, ReadPreviousBelievesTheFileOfAnUnprivilegedUserWhenItIsThatUser) {
    sys.set_euid(1000);
    sys.add_file(path, encode_line(header()), 0600);
    sys.set_owner(path, 1000);
    auto previous = journal.read_previous();
    ASSERT_TRUE(previous) << previous.error().message();
    EXPECT_TRUE(previous->has_value());

    sys.set_owner(path, 0);
    EXPECT_FALSE(journal.read_previous()) << "root's file is not this user's";
}

TEST_F(StateJournalTest, ReadPreviousFailsOnACorruptFileAndOnADirectory) {
    sys.add_file(path, encode_line(header()) + "garbage\n" + encode_line(record("web", 10)), 0600);
    auto corrupt = journal.read_previous();
    ASSERT_FALSE(corrupt);
    EXPECT_EQ(corrupt.error().message().rfind("line 2: ", 0), 0u) << corrupt.error().message();

    ASSERT_TRUE(sys.unlink(path));
    sys.add_dir(path, 0700);
    EXPECT_FALSE(journal.read_previous());
}

} // namespace
