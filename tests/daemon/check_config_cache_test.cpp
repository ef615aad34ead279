// Tests CheckConfigCache over the fake kernel: the report is made once and reused while the jobs
// directory is unchanged, and made again when a file is added, removed or changed.
#include "daemon/check_config_cache.h"

#include <gtest/gtest.h>

#include "fakes/fake_sys.h"

namespace {

class CheckConfigCacheTest : public ::testing::Test {
protected:
    void SetUp() override {
        fake.add_dir("/etc/jobs/net");
        fake.add_file("/etc/jobs/a.conf", "exec a\n");
        fake.add_file("/etc/jobs/net/b.conf", "exec b\n");
    }
    fakes::FakeSys fake;
    int reports = 0;
    daemon_main::CheckConfigCache cache{fake, "/etc/jobs", [this] {
                                            ++reports;
                                            return nlohmann::json{{"ok", true}, {"report", reports}};
                                        }};
};

TEST_F(CheckConfigCacheTest, AnUnchangedDirectoryIsNotReadAgain) {
    auto first = cache.get();
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(cache.get(), first);
    }
    EXPECT_EQ(reports, 1);
    // No job file was opened for the fingerprints: only the directories.
    EXPECT_EQ(fake.call_count("read"), 0);
}

TEST_F(CheckConfigCacheTest, AddedRemovedAndChangedFilesMakeANewReport) {
    cache.get();
    fake.add_file("/etc/jobs/c.conf", "exec c\n");
    EXPECT_EQ(cache.get()["report"], 2);
    fake.add_file("/etc/jobs/net/b.conf", "exec b --longer\n");
    EXPECT_EQ(cache.get()["report"], 3);
    ASSERT_TRUE(fake.unlink("/etc/jobs/a.conf").has_value());
    EXPECT_EQ(cache.get()["report"], 4);
    EXPECT_EQ(cache.get()["report"], 4);
}

TEST_F(CheckConfigCacheTest, AnUnreadableDirectoryIsNeverTrusted) {
    cache.get();
    fake.fail_next("open", EACCES);
    cache.get();
    fake.fail_next("open", EACCES);
    cache.get();
    EXPECT_EQ(reports, 3);
}

} // namespace
