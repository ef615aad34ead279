// Tests replace_file and remove_file over the fake kernel: the new contents in place with the old
// file's mode and owner, a new file's mode, the data and the directory synced, and every failure
// leaving the old file as it was and no temporary file behind; symbolic links refused.
#include "fakes/fake_sys.h"
#include "sys/replace_file.h"

#include <cerrno>
#include <fcntl.h>
#include <gtest/gtest.h>

namespace {

using fakes::FakeSys;

// Every path under /init: the override and, if one was left behind, a temporary file.
int files_in_init(FakeSys& sys) {
    auto dir = sys.open("/init", O_RDONLY | O_DIRECTORY);
    EXPECT_TRUE(dir.has_value());
    auto entries = sys.read_dir(dir->get());
    EXPECT_TRUE(entries.has_value());
    return entries ? static_cast<int>(entries->size()) : -1;
}

TEST(ReplaceFile, CreatesAMissingFileWithTheModeGiven) {
    FakeSys sys;
    sys.add_dir("/init");
    auto done = sys::replace_file(sys, "/init/web.override", "manual\n", 0644);
    ASSERT_TRUE(done.has_value()) << done.error().message();
    EXPECT_EQ(sys.file_content("/init/web.override"), "manual\n");
    EXPECT_EQ(sys.file_mode("/init/web.override"), 0644u);
    EXPECT_EQ(files_in_init(sys), 1);
    EXPECT_EQ(sys.call_count("fsync"), 2); // the file's data, then the directory's entry
}

TEST(ReplaceFile, KeepsTheOldFilesModeAndOwner) {
    FakeSys sys;
    sys.add_file("/init/web.override", "env X=1\n", 0600);
    sys.set_owner("/init/web.override", 1000);
    auto done = sys::replace_file(sys, "/init/web.override", "env X=1\nmanual\n", 0644);
    ASSERT_TRUE(done.has_value()) << done.error().message();
    EXPECT_EQ(sys.file_content("/init/web.override"), "env X=1\nmanual\n");
    EXPECT_EQ(sys.file_mode("/init/web.override"), 0600u);
    auto st = sys.fstatat(AT_FDCWD, "/init/web.override", 0);
    ASSERT_TRUE(st.has_value());
    EXPECT_EQ(st->st_uid, 1000u);
    EXPECT_EQ(files_in_init(sys), 1);
}

TEST(ReplaceFile, AFailureAtAnyStepLeavesTheOldFileAndNoTemporaryFile) {
    for (const char* call : {"write", "fchown", "fchmod", "fsync", "rename"}) {
        SCOPED_TRACE(call);
        FakeSys sys;
        sys.add_file("/init/web.override", "env X=1\n", 0640);
        sys.set_owner("/init/web.override", 1000); // so that fchown is called
        sys.fail_next(call, EIO);
        auto done = sys::replace_file(sys, "/init/web.override", "manual\n", 0644);
        ASSERT_FALSE(done.has_value());
        EXPECT_NE(done.error().message().find("cannot write /init/web.override"), std::string::npos)
            << done.error().message();
        EXPECT_EQ(sys.file_content("/init/web.override"), "env X=1\n");
        EXPECT_EQ(files_in_init(sys), 1);
    }
}

TEST(ReplaceFile, ADirectoryItCannotWriteInIsAClearErrorWithItsErrno) {
    FakeSys sys;
    sys.add_dir("/init");
    sys.fail_next("open", EACCES);
    auto done = sys::replace_file(sys, "/init/web.override", "manual\n", 0644);
    ASSERT_FALSE(done.has_value());
    EXPECT_EQ(done.error().code(), EACCES);
    EXPECT_NE(done.error().message().find("cannot create a temporary file in /init"), std::string::npos)
        << done.error().message();
    EXPECT_FALSE(sys.exists("/init/web.override"));
}

TEST(ReplaceFile, ATemporaryNameInUseIsSkipped) {
    FakeSys sys;
    sys.add_dir("/init");
    sys.add_file("/init/.web.override." + std::to_string(sys.getpid()) + "-0", "someone else's");
    auto done = sys::replace_file(sys, "/init/web.override", "manual\n", 0644);
    ASSERT_TRUE(done.has_value()) << done.error().message();
    EXPECT_EQ(sys.file_content("/init/web.override"), "manual\n");
    EXPECT_EQ(sys.file_content("/init/.web.override." + std::to_string(sys.getpid()) + "-0"),
              "someone else's");
}

TEST(RemoveFile, RemovesAndSyncsTheDirectory) {
    FakeSys sys;
    sys.add_file("/init/web.override", "manual\n");
    auto done = sys::remove_file(sys, "/init/web.override");
    ASSERT_TRUE(done.has_value()) << done.error().message();
    EXPECT_FALSE(sys.exists("/init/web.override"));
    EXPECT_EQ(sys.call_count("fsync"), 1);
}

TEST(RemoveFile, AFailureNamesTheFile) {
    FakeSys sys;
    sys.add_file("/init/web.override", "manual\n");
    sys.fail_next("unlink", EROFS);
    auto done = sys::remove_file(sys, "/init/web.override");
    ASSERT_FALSE(done.has_value());
    EXPECT_NE(done.error().message().find("cannot remove /init/web.override"), std::string::npos);
    EXPECT_TRUE(sys.exists("/init/web.override"));
}

} // namespace
