// Tests how enable/disable/is-enabled find a job's files: the jobs dir from --root, --jobs-dir
// or the instance, the job-name checks, unknown jobs (told apart by ENOENT), and the reads.
#include "build_config.h"
#include "cli/job_files.h"
#include "support/real_child.h"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace {

TEST(JobsDirFor, RootThenJobsDirThenTheInstances) {
    cli::Options o;
    EXPECT_EQ(cli::jobs_dir_for(o, "/home/u/.config/startd/jobs"), "/home/u/.config/startd/jobs");
    o.jobs_dir = "/srv/jobs/";
    EXPECT_EQ(cli::jobs_dir_for(o, "/x"), "/srv/jobs");
    o.root = "/mnt/image/";
    EXPECT_EQ(cli::jobs_dir_for(o, "/x"), std::string("/mnt/image") + STARTD_SYSTEM_JOBS_DIR);
}

class FindJobFiles : public ::testing::Test {
  protected:
    FindJobFiles() {
        std::filesystem::create_directories(jobs + "/net");
        std::ofstream(jobs + "/web.conf") << "exec true\n";
        std::ofstream(jobs + "/net/apache.conf") << "exec true\n";
        std::filesystem::create_directories(jobs + "/dir.conf"); // a directory, not a job
    }
    base::Result<cli::JobFiles> find(const std::string& name) {
        return cli::find_job_files(sys::real_sys(), jobs, name);
    }
    test_support::TempDir dir;
    std::string jobs = dir / "jobs";
};

TEST_F(FindJobFiles, NamesTheConfAndTheOverrideBesideIt) {
    auto files = find("net/apache");
    ASSERT_TRUE(files.has_value()) << files.error().message();
    EXPECT_EQ(files->conf, jobs + "/net/apache.conf");
    EXPECT_EQ(files->override_path, jobs + "/net/apache.override");
    auto conf = cli::read_conf(sys::real_sys(), *files);
    ASSERT_TRUE(conf.has_value());
    EXPECT_EQ(*conf, "exec true\n");
    auto none = cli::read_override(sys::real_sys(), *files);
    ASSERT_TRUE(none.has_value());
    EXPECT_FALSE(none->has_value());
    std::ofstream(files->override_path) << "manual\n";
    auto some = cli::read_override(sys::real_sys(), *files);
    ASSERT_TRUE(some.has_value() && some->has_value());
    EXPECT_EQ(**some, "manual\n");
}

TEST_F(FindJobFiles, RefusesNamesThatAreNotJobNamesWithEINVAL) {
    for (const char* name :
         {"", "/etc/init/web", "../web", "net/../web", "./web", "net/", "web.conf~", ".web"}) {
        SCOPED_TRACE(name);
        auto files = find(name);
        ASSERT_FALSE(files.has_value());
        EXPECT_EQ(files.error().code(), EINVAL);
    }
    EXPECT_EQ(find("").error().message(), "missing job name");
}

TEST_F(FindJobFiles, AnUnknownJobIsENOENTAndSaysWhereItLooked) {
    for (const char* name : {"db", "net/db", "web/x", "dir"}) {
        SCOPED_TRACE(name);
        auto files = find(name);
        ASSERT_FALSE(files.has_value());
        EXPECT_EQ(files.error().code(), ENOENT);
        EXPECT_EQ(files.error().message(),
                  "Unknown job: " + std::string(name) + " (no " + name + ".conf in " + jobs + ")");
    }
}

TEST_F(FindJobFiles, AMissingJobsDirIsSaidSo) {
    auto files = cli::find_job_files(sys::real_sys(), dir / "nope", "web");
    ASSERT_FALSE(files.has_value());
    EXPECT_EQ(files.error().message(), "jobs directory " + (dir / "nope") + ": No such file or directory");
}

} // namespace
