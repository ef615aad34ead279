// Tests the jobs-directory loader on a real temporary directory: job naming by relative path,
// which files count, .override layering, how one bad file affects the rest, and the directories
// the walk entered (what the jobs dir watch watches). Races, and trees a real disk makes slow
// or cannot show (DT_UNKNOWN), over the fake kernel.
#include "config/job_dir.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/parser.h"
#include "fakes/fake_sys.h"

namespace {

namespace fs = std::filesystem;
using config::JobFile;
using config::LoadReport;
using config::ParseErrorCode;
using core::ProcessType;

class JobDirTest : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/startd-job-dir-test-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        m_dir = tmpl;
    }

    void TearDown() override {
        if (!m_dir.empty()) {
            std::error_code ec;
            fs::permissions(m_dir, fs::perms::owner_all, fs::perm_options::add, ec);
            for (const auto& entry : fs::recursive_directory_iterator(m_dir, ec)) {
                fs::permissions(entry.path(), fs::perms::owner_all, fs::perm_options::add, ec);
            }
            fs::remove_all(m_dir, ec);
        }
    }

    // Writes dir/rel (creating parent directories) and returns its full path.
    std::string write(const std::string& rel, std::string_view text) {
        fs::path path = fs::path(m_dir) / rel;
        fs::create_directories(path.parent_path());
        std::ofstream out(path, std::ios::binary);
        out << text;
        return path.string();
    }

    LoadReport load() {
        auto report = config::load_job_dir(sys::real_sys(), m_dir);
        EXPECT_TRUE(report.has_value()) << (report ? "" : report.error().message());
        return report ? *report : LoadReport{};
    }

    static std::vector<std::string> names(const LoadReport& report) {
        std::vector<std::string> out;
        for (const JobFile& job : report.jobs) {
            out.push_back(job.name);
        }
        return out;
    }

    static const JobFile* find(const LoadReport& report, std::string_view name) {
        for (const JobFile& job : report.jobs) {
            if (job.name == name) {
                return &job;
            }
        }
        return nullptr;
    }

    std::string m_dir;
};

// ---- naming and which files count -----------------------------------------------------------

TEST_F(JobDirTest, NamesJobsByTheirPathRelativeToTheDirectorySorted) {
    write("foo.conf", "exec /bin/foo\n");
    write("net/bar.conf", "exec /bin/bar\n");
    write("a/b/c.conf", "task\n");
    LoadReport report = load();
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(names(report), (std::vector<std::string>{"a/b/c", "foo", "net/bar"}));
    const JobFile* bar = find(report, "net/bar");
    ASSERT_NE(bar, nullptr);
    EXPECT_EQ(bar->conf_path, m_dir + "/net/bar.conf");
    EXPECT_EQ(bar->override_path, "");
    ASSERT_TRUE(bar->job.has_value());
    EXPECT_EQ(bar->job->name, "net/bar");
    EXPECT_EQ(bar->job->path, m_dir + "/net/bar.conf");
    EXPECT_EQ(bar->job->process(ProcessType::Main)->command, "/bin/bar");
}

TEST_F(JobDirTest, TrailingSlashOnTheDirectoryDoesNotChangePaths) {
    write("foo.conf", "task\n");
    auto report = config::load_job_dir(sys::real_sys(), m_dir + "/");
    ASSERT_TRUE(report.has_value());
    ASSERT_EQ(report->jobs.size(), 1u);
    EXPECT_EQ(report->jobs[0].conf_path, m_dir + "/foo.conf");
}

TEST_F(JobDirTest, OnlyConfAndOverrideFilesCount) {
    write("README", "not a job\n");
    write("foo.sh", "#!/bin/sh\n");
    write("foo.conf.disabled", "exec /bin/x\n");
    write("foo.config", "exec /bin/x\n");
    write("conf", "exec /bin/x\n");
    write("real.conf", "task\n");
    LoadReport report = load();
    EXPECT_EQ(names(report), (std::vector<std::string>{"real"}));
    EXPECT_TRUE(report.notices.empty());
}

TEST_F(JobDirTest, IgnoredNamesOnDiskAreNotLoaded) {
    write(".hidden.conf", "task\n");
    write(".git/x.conf", "task\n");
    write("CVS/y.conf", "task\n");
    write(".foo.conf.swp", "garbage\n");
    write("foo.conf~", "garbage\n");
    write("foo.conf.dpkg-old", "garbage\n");
    write("foo.override.rpmnew", "garbage\n");
    write("foo.conf", "task\n");
    LoadReport report = load();
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(names(report), (std::vector<std::string>{"foo"}));
    EXPECT_EQ(report.jobs[0].override_path, "");
}

TEST_F(JobDirTest, EmptyDirectoryLoadsNoJobs) {
    LoadReport report = load();
    EXPECT_TRUE(report.ok());
    EXPECT_TRUE(report.jobs.empty());
    EXPECT_TRUE(report.errors.empty());
    EXPECT_TRUE(report.notices.empty());
}

TEST_F(JobDirTest, MissingDirectoryIsAnError) {
    auto report = config::load_job_dir(sys::real_sys(), m_dir + "/does-not-exist");
    ASSERT_FALSE(report.has_value());
    EXPECT_EQ(report.error().code(), ENOENT);
}

TEST_F(JobDirTest, SymlinkToAConfFileIsFollowed) {
    std::string target = write("elsewhere/real.txt", "exec /bin/linked\n");
    fs::create_symlink(target, fs::path(m_dir) / "linked.conf");
    LoadReport report = load();
    const JobFile* linked = find(report, "linked");
    ASSERT_NE(linked, nullptr);
    ASSERT_TRUE(linked->job.has_value());
    EXPECT_EQ(linked->job->process(ProcessType::Main)->command, "/bin/linked");
}

TEST_F(JobDirTest, SymlinkToADirectoryIsNotFollowed) {
    write("sub/a.conf", "task\n");
    fs::create_directory_symlink(fs::path(m_dir) / "sub", fs::path(m_dir) / "loop");
    LoadReport report = load();
    EXPECT_EQ(names(report), (std::vector<std::string>{"sub/a"}));
}

TEST_F(JobDirTest, DanglingSymlinkIsSkipped) {
    fs::create_symlink(fs::path(m_dir) / "nowhere", fs::path(m_dir) / "dangling.conf");
    write("ok.conf", "task\n");
    LoadReport report = load();
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(names(report), (std::vector<std::string>{"ok"}));
}

TEST_F(JobDirTest, UnreadableSubdirectoryIsReportedAndOtherJobsStillLoad) {
    if (::geteuid() == 0) {
        GTEST_SKIP() << "root reads directories whatever their mode";
    }
    write("locked/x.conf", "task\n");
    write("open.conf", "task\n");
    fs::permissions(fs::path(m_dir) / "locked", fs::perms::none);
    LoadReport report = load();
    EXPECT_FALSE(report.ok());
    ASSERT_EQ(report.errors.size(), 1u);
    EXPECT_EQ(report.errors[0].file, m_dir + "/locked");
    EXPECT_EQ(report.errors[0].code, ParseErrorCode::Io);
    EXPECT_EQ(names(report), (std::vector<std::string>{"open"}));
}

TEST_F(JobDirTest, DirectoriesNestedTooDeeplyAreReportedNotWalked) {
    std::string deep;
    for (int i = 0; i < 40; ++i) {
        deep += "d/";
    }
    write(deep + "bottom.conf", "task\n");
    write("d/shallow.conf", "task\n");
    LoadReport report = load();
    EXPECT_EQ(names(report), (std::vector<std::string>{"d/shallow"}));
    ASSERT_EQ(report.errors.size(), 1u);
    EXPECT_EQ(report.errors[0].code, ParseErrorCode::Io);
    EXPECT_NE(report.errors[0].detail.find("deeper than"), std::string::npos);
}

// ---- the directories a load entered (what the jobs dir watch watches) ------------------------

TEST_F(JobDirTest, TheReportListsEveryDirectoryEnteredParentsFirstButNotSkippedOrLinkedOnes) {
    write("net/deep/a.conf", "task\n");
    write("net/b.conf", "task\n");
    write("empty/.keep", "");
    write(".git/objects/x", "");
    write("CVS/y.conf", "task\n");
    fs::create_directory(fs::path(m_dir) / "old~");
    fs::create_directory_symlink(fs::path(m_dir) / "net", fs::path(m_dir) / "linked");
    LoadReport report = load();
    std::vector<std::string> dirs = report.dirs;
    ASSERT_FALSE(dirs.empty());
    EXPECT_EQ(dirs.front(), "");
    EXPECT_LT(std::find(dirs.begin(), dirs.end(), "net"), std::find(dirs.begin(), dirs.end(), "net/deep"));
    std::sort(dirs.begin(), dirs.end());
    EXPECT_EQ(dirs, (std::vector<std::string>{"", "empty", "net", "net/deep"}));
}

TEST_F(JobDirTest, ListJobDirsOfASubdirectoryIsThatPartOfTheLoadersList) {
    write("net/deep/a.conf", "task\n");
    write("net/.hidden/b.conf", "task\n");
    write("other/c.conf", "task\n");
    fs::create_directory_symlink(fs::path(m_dir) / "other", fs::path(m_dir) / "net/link");
    EXPECT_EQ(config::list_job_dirs(sys::real_sys(), m_dir + "/", "net"),
              (std::vector<std::string>{"net", "net/deep"}));
    EXPECT_EQ(config::list_job_dirs(sys::real_sys(), m_dir), load().dirs);
    EXPECT_TRUE(config::list_job_dirs(sys::real_sys(), m_dir, "net/link").empty()); // a link: not entered
    EXPECT_TRUE(config::list_job_dirs(sys::real_sys(), m_dir, "gone").empty());
}

TEST(JobDirListing, TheListStopsAtTheDepthLimitAsTheWalkDoes) {
    fakes::FakeSys fake;
    fake.add_dir("/jobs");
    std::vector<std::string> levels; // "d", "d/d", … below /jobs
    for (int depth = 1; depth <= config::max_job_dir_depth + 3; ++depth) {
        levels.push_back(levels.empty() ? "d" : levels.back() + "/d");
        fake.add_dir("/jobs/" + levels.back());
    }
    auto report = config::load_job_dir(fake, "/jobs");
    ASSERT_TRUE(report.has_value()) << report.error().message();
    std::vector<std::string> want{""};
    want.insert(want.end(), levels.begin(), levels.begin() + config::max_job_dir_depth);
    EXPECT_EQ(report->dirs, want);
    EXPECT_EQ(config::list_job_dirs(fake, "/jobs", levels[config::max_job_dir_depth - 1]),
              std::vector<std::string>{levels[config::max_job_dir_depth - 1]});
    // Deeper than the loader ever goes: not listed, even when asked for by name.
    EXPECT_TRUE(config::list_job_dirs(fake, "/jobs", levels[config::max_job_dir_depth]).empty());
}

TEST(JobDirListing, DirectoriesOfUnknownTypeAreStatedAndListed) {
    fakes::FakeSys fake;
    fake.add_dir("/jobs");
    fake.add_dir("/jobs/net");
    fake.add_dir("/jobs/net/deep");
    fake.add_dir("/jobs/.git");
    fake.add_file("/jobs/web.conf", "task\n");
    fake.set_dirent_types_unknown(true);
    auto report = config::load_job_dir(fake, "/jobs");
    ASSERT_TRUE(report.has_value()) << report.error().message();
    EXPECT_EQ(report->dirs, (std::vector<std::string>{"", "net", "net/deep"}));
}

// ---- overrides ------------------------------------------------------------------------------

TEST_F(JobDirTest, OverrideLayersOnTopOfItsConf) {
    write("web.conf", "start on runlevel [2345]\nenv A=1\nexec /bin/web\nkill timeout 9\n");
    write("web.override", "manual\nenv B=2\nkill timeout 1\n");
    LoadReport report = load();
    ASSERT_EQ(report.jobs.size(), 1u);
    const JobFile& web = report.jobs[0];
    EXPECT_TRUE(web.ok());
    EXPECT_EQ(web.override_path, m_dir + "/web.override");
    ASSERT_TRUE(web.job.has_value());
    EXPECT_TRUE(web.job->manual);
    EXPECT_FALSE(web.job->start_on.has_value());
    EXPECT_EQ(web.job->env, (std::vector<std::string>{"A=1", "B=2"}));
    EXPECT_EQ(web.job->kill_timeout, 1u);
    EXPECT_EQ(web.job->process(ProcessType::Main)->command, "/bin/web");
}

TEST_F(JobDirTest, OverrideInASubdirectoryPairsWithTheConfBesideIt) {
    write("net/foo.conf", "exec /bin/foo\n");
    write("net/foo.override", "exec /bin/override\n");
    LoadReport report = load();
    ASSERT_EQ(report.jobs.size(), 1u);
    EXPECT_EQ(report.jobs[0].name, "net/foo");
    EXPECT_EQ(report.jobs[0].job->process(ProcessType::Main)->command, "/bin/override");
}

TEST_F(JobDirTest, LoneOverrideIsANoticeNotAnError) {
    write("ghost.override", "manual\n");
    write("net/foo.override", "manual\n");
    write("foo.conf", "task\n");
    LoadReport report = load();
    EXPECT_TRUE(report.ok());
    EXPECT_TRUE(report.errors.empty());
    EXPECT_EQ(names(report), (std::vector<std::string>{"foo"}));
    ASSERT_EQ(report.notices.size(), 2u);
    EXPECT_EQ(report.notices[0].file, m_dir + "/ghost.override");
    EXPECT_NE(report.notices[0].detail.find("ghost.conf"), std::string::npos);
    EXPECT_EQ(report.notices[1].file, m_dir + "/net/foo.override");
    EXPECT_EQ(report.jobs[0].override_path, "");
}

TEST_F(JobDirTest, BadConfDoesNotStopOtherJobsLoading) {
    write("a.conf", "exec /bin/a\n");
    write("bad.conf", "exec /bin/bad\nexex oops\n");
    write("z.conf", "exec /bin/z\n");
    LoadReport report = load();
    EXPECT_FALSE(report.ok());
    EXPECT_EQ(names(report), (std::vector<std::string>{"a", "bad", "z"}));
    EXPECT_TRUE(find(report, "a")->ok());
    EXPECT_TRUE(find(report, "z")->ok());
    const JobFile* bad = find(report, "bad");
    EXPECT_FALSE(bad->job.has_value());
    ASSERT_EQ(bad->diagnostics.size(), 1u);
    EXPECT_EQ(bad->diagnostics[0].file, m_dir + "/bad.conf");
    EXPECT_EQ(bad->diagnostics[0].line, 2);
    EXPECT_EQ(bad->diagnostics[0].code, ParseErrorCode::UnknownStanza);
}

TEST_F(JobDirTest, BadConfIsNotRescuedByAGoodOverride) {
    write("x.conf", "respawn limit ten 5\n");
    write("x.override", "exec /bin/x\n");
    LoadReport report = load();
    ASSERT_EQ(report.jobs.size(), 1u);
    EXPECT_FALSE(report.jobs[0].job.has_value());
    ASSERT_EQ(report.jobs[0].diagnostics.size(), 1u);
    EXPECT_EQ(report.jobs[0].diagnostics[0].code, ParseErrorCode::IllegalLimit);
}

TEST_F(JobDirTest, BadOverrideLeavesTheJobAsItsConfAloneWithTheOverridesDiagnostic) {
    write("svc.conf", "start on startup\nenv A=1\nexec /bin/svc\n");
    write("svc.override", "env B=2\nmanual\nkill timeout forever\n");
    LoadReport report = load();
    EXPECT_FALSE(report.ok());
    ASSERT_EQ(report.jobs.size(), 1u);
    const JobFile& svc = report.jobs[0];
    ASSERT_TRUE(svc.job.has_value());
    EXPECT_EQ(svc.job->env, (std::vector<std::string>{"A=1"}));
    EXPECT_FALSE(svc.job->manual);
    EXPECT_TRUE(svc.job->start_on.has_value());
    EXPECT_EQ(svc.job->kill_timeout, 5u);
    ASSERT_EQ(svc.diagnostics.size(), 1u);
    EXPECT_EQ(svc.diagnostics[0].file, m_dir + "/svc.override");
    EXPECT_EQ(svc.diagnostics[0].line, 3);
    EXPECT_EQ(svc.diagnostics[0].code, ParseErrorCode::IllegalInterval);
}

// ---- one file -------------------------------------------------------------------------------

TEST_F(JobDirTest, LoadJobFileAppliesTheOverrideBesideIt) {
    std::string conf = write("one.conf", "exec /bin/one\nenv A=1\n");
    write("one.override", "env B=2\n");
    JobFile job = config::load_job_file(sys::real_sys(), conf, "one");
    EXPECT_TRUE(job.ok());
    EXPECT_EQ(job.name, "one");
    EXPECT_EQ(job.override_path, m_dir + "/one.override");
    EXPECT_EQ(job.job->name, "one");
    EXPECT_EQ(job.job->env, (std::vector<std::string>{"A=1", "B=2"}));
}

TEST_F(JobDirTest, LoadJobFileWithoutAnOverride) {
    std::string conf = write("two.conf", "exec /bin/two\n");
    JobFile job = config::load_job_file(sys::real_sys(), conf, "two");
    EXPECT_TRUE(job.ok());
    EXPECT_EQ(job.override_path, "");
    EXPECT_EQ(job.job->process(ProcessType::Main)->command, "/bin/two");
}

TEST_F(JobDirTest, LoadJobFileOfAMissingFileIsAnIoDiagnostic) {
    JobFile job = config::load_job_file(sys::real_sys(), m_dir + "/missing.conf", "missing");
    EXPECT_FALSE(job.ok());
    EXPECT_FALSE(job.job.has_value());
    ASSERT_EQ(job.diagnostics.size(), 1u);
    EXPECT_EQ(job.diagnostics[0].code, ParseErrorCode::Io);
    EXPECT_EQ(job.diagnostics[0].file, m_dir + "/missing.conf");
}

TEST_F(JobDirTest, FileLargerThanTheLimitIsFileTooLarge) {
    std::string conf = write("big.conf", std::string(config::max_job_file_size + 10, '#'));
    JobFile job = config::load_job_file(sys::real_sys(), conf, "big");
    ASSERT_EQ(job.diagnostics.size(), 1u);
    EXPECT_EQ(job.diagnostics[0].code, ParseErrorCode::FileTooLarge);
}

TEST_F(JobDirTest, ReadTextFileReadsEveryByte) {
    std::string text;
    for (int i = 0; i < 3000; ++i) {
        text += "line " + std::to_string(i) + "\n";
    }
    text += std::string("\xff\x00\x01", 3);
    write("data.conf", text);
    auto read = config::read_text_file(sys::real_sys(), AT_FDCWD, (m_dir + "/data.conf").c_str());
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(*read, text);
}

TEST_F(JobDirTest, ReadTextFileStopsOneByteAfterTheSizeLimit) {
    write("huge.conf", std::string(config::max_job_file_size + 3 * 4096 + 7, '#'));
    auto read = config::read_text_file(sys::real_sys(), AT_FDCWD, (m_dir + "/huge.conf").c_str());
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(read->size(), config::max_job_file_size + 1);
}

TEST_F(JobDirTest, ReadTextFileReadsAFileOfExactlyTheLimit) {
    write("limit.conf", std::string(config::max_job_file_size, '#'));
    auto read = config::read_text_file(sys::real_sys(), AT_FDCWD, (m_dir + "/limit.conf").c_str());
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(read->size(), config::max_job_file_size);
    EXPECT_TRUE(config::parse_job(*read, "limit.conf").has_value());
}

// ---- files that are not regular files (issue 12, item 8) ------------------------------------
// Opening a FIFO for reading blocks until a writer comes: a .conf that is one must be refused,
// not waited on, and not silently skipped either.

TEST_F(JobDirTest, FifoNamedConfIsThatJobsErrorAndTheOthersLoad) {
    write("a.conf", "exec /bin/a\n");
    ASSERT_EQ(::mkfifo((m_dir + "/x.conf").c_str(), 0644), 0);
    write("z.conf", "exec /bin/z\n");
    LoadReport report = load();
    EXPECT_EQ(names(report), (std::vector<std::string>{"a", "x", "z"}));
    const JobFile* x = find(report, "x");
    ASSERT_NE(x, nullptr);
    EXPECT_FALSE(x->job.has_value());
    ASSERT_EQ(x->diagnostics.size(), 1u);
    EXPECT_EQ(x->diagnostics[0].code, ParseErrorCode::Io);
    EXPECT_EQ(x->diagnostics[0].file, m_dir + "/x.conf");
    EXPECT_EQ(x->diagnostics[0].detail, "not a regular file (a FIFO)");
    EXPECT_TRUE(find(report, "a")->ok());
    EXPECT_TRUE(find(report, "z")->ok());
}

TEST_F(JobDirTest, FifoNamedOverrideLeavesTheJobAsItsConfWithTheError) {
    write("y.conf", "exec /bin/y\n");
    ASSERT_EQ(::mkfifo((m_dir + "/y.override").c_str(), 0644), 0);
    LoadReport report = load();
    const JobFile* y = find(report, "y");
    ASSERT_NE(y, nullptr);
    ASSERT_TRUE(y->job.has_value());
    EXPECT_EQ(y->job->process(ProcessType::Main)->command, "/bin/y");
    ASSERT_EQ(y->diagnostics.size(), 1u);
    EXPECT_EQ(y->diagnostics[0].file, m_dir + "/y.override");
    EXPECT_EQ(y->diagnostics[0].detail, "not a regular file (a FIFO)");
}

TEST_F(JobDirTest, LoadJobFileOfAFifoIsRefusedWithoutBlocking) {
    std::string path = m_dir + "/f.conf";
    ASSERT_EQ(::mkfifo(path.c_str(), 0644), 0);
    JobFile job = config::load_job_file(sys::real_sys(), path, "f");
    EXPECT_FALSE(job.job.has_value());
    ASSERT_EQ(job.diagnostics.size(), 1u);
    EXPECT_EQ(job.diagnostics[0].detail, "not a regular file (a FIFO)");
}

// The race: the walk sees a regular file, then x.conf is replaced by a FIFO before the open.
TEST(JobDirRace, ConfReplacedByAFifoBetweenTheWalkAndTheOpenIsRefused) {
    fakes::FakeSys sys;
    sys.add_file("/jobs/a.conf", "exec /bin/a\n");
    sys.add_file("/jobs/x.conf", "exec /bin/x\n");
    sys.add_file("/jobs/x.override", "manual\n");
    sys.add_file("/jobs/z.conf", "exec /bin/z\n");
    sys.before_open([&](const std::string& path) {
        if (path == "/jobs/x.conf" || path == "/jobs/x.override") {
            sys.add_fifo(path);
        }
    });
    auto report = config::load_job_dir(sys, "/jobs");
    ASSERT_TRUE(report.has_value());
    ASSERT_EQ(report->jobs.size(), 3u);
    const JobFile& x = report->jobs[1];
    EXPECT_EQ(x.name, "x");
    EXPECT_FALSE(x.job.has_value());
    ASSERT_EQ(x.diagnostics.size(), 1u);
    EXPECT_EQ(x.diagnostics[0].detail, "not a regular file (a FIFO)");
    EXPECT_TRUE(report->jobs[0].ok());
    EXPECT_TRUE(report->jobs[2].ok());
}

TEST(JobDirRace, OverrideReplacedByAFifoIsRefusedAndTheConfStillLoads) {
    fakes::FakeSys sys;
    sys.add_file("/jobs/x.conf", "exec /bin/x\n");
    sys.add_file("/jobs/x.override", "manual\n");
    sys.before_open([&](const std::string& path) {
        if (path == "/jobs/x.override") {
            sys.add_fifo(path);
        }
    });
    auto report = config::load_job_dir(sys, "/jobs");
    ASSERT_TRUE(report.has_value());
    ASSERT_EQ(report->jobs.size(), 1u);
    ASSERT_TRUE(report->jobs[0].job.has_value());
    EXPECT_FALSE(report->jobs[0].job->manual);
    ASSERT_EQ(report->jobs[0].diagnostics.size(), 1u);
    EXPECT_EQ(report->jobs[0].diagnostics[0].file, "/jobs/x.override");
    EXPECT_EQ(report->jobs[0].diagnostics[0].detail, "not a regular file (a FIFO)");
}

// ---- ignored names --------------------------------------------------------------------------

TEST(IsIgnoredName, SkipsHiddenBackupSwapVcsAndPackageManagerNames) {
    for (const char* name : {".hidden", ".git", ".#foo.conf", "foo.conf~", "foo.conf.bak", "foo.BAK", ".foo.conf.swp",
                             "foo.swp", "foo.swo", "foo.swn", "foo.conf.dpkg-old", "foo.conf.dpkg-new",
                             "foo.conf.dpkg-dist", "foo.conf.rpmnew", "foo.conf.rpmsave", "foo.conf.rpmorig", "CVS",
                             "RCS", "SCCS", "{arch}", ""}) {
        EXPECT_TRUE(config::is_ignored_name(name)) << name;
    }
}

TEST(IsIgnoredName, KeepsOrdinaryJobAndDirectoryNames) {
    for (const char* name : {"foo.conf", "foo.override", "net", "tty1.conf", "a.b.conf", "cvs", "bak.conf",
                             "swp.conf", "dpkg.conf"}) {
        EXPECT_FALSE(config::is_ignored_name(name)) << name;
    }
}

TEST_F(JobDirTest, ParallelLoadGivesTheSameResultInTheSameOrder) {
    // Enough files for the threaded path (512 or more), with broken files, overrides (good and
    // bad) and an override without its .conf mixed in.
    for (int i = 0; i < 700; ++i) {
        std::string name = "svc/" + std::to_string(i % 7) + "/job" + std::to_string(i);
        if (i % 50 == 3) {
            write(name + ".conf", "exec daemon\nexpect frok\n");
        } else {
            write(name + ".conf", "description \"job " + std::to_string(i) +
                                      "\"\nstart on startup\nrespawn\nenv N=" + std::to_string(i) + "\nexec /bin/sleep 1000\n");
        }
        if (i % 40 == 5) {
            write(name + ".override", i % 80 == 5 ? "manual\n" : "kill timeout forever\n");
        }
    }
    write("orphan.override", "manual\n");
    auto serial = config::load_job_dir(sys::real_sys(), m_dir, 1);
    auto parallel = config::load_job_dir(sys::real_sys(), m_dir, 4);
    ASSERT_TRUE(serial.has_value());
    ASSERT_TRUE(parallel.has_value());
    ASSERT_EQ(serial->jobs.size(), 700u);
    ASSERT_EQ(parallel->jobs.size(), serial->jobs.size());
    int broken = 0;
    for (std::size_t i = 0; i < serial->jobs.size(); ++i) {
        const JobFile& a = serial->jobs[i];
        const JobFile& b = parallel->jobs[i];
        EXPECT_EQ(a.name, b.name);
        EXPECT_EQ(a.conf_path, b.conf_path);
        EXPECT_EQ(a.override_path, b.override_path);
        EXPECT_EQ(a.job, b.job) << a.name;
        ASSERT_EQ(a.diagnostics.size(), b.diagnostics.size()) << a.name;
        for (std::size_t d = 0; d < a.diagnostics.size(); ++d) {
            EXPECT_EQ(a.diagnostics[d].to_string(), b.diagnostics[d].to_string());
        }
        broken += a.ok() ? 0 : 1;
    }
    EXPECT_GT(broken, 10);
    EXPECT_EQ(parallel->notices.size(), 1u);
}

} // namespace
