// Tests the words for a reload's changes, in both layouts: startd's log line and startctl's
// lines; kinds without a job left out, nothing at all when nothing changed.
#include "control/reload_summary.h"

#include <gtest/gtest.h>

namespace {

using control::ChangesLayout;
using control::describe_changes;
using Names = std::vector<std::string>;

TEST(ReloadSummary, TheLogSaysEveryKindOnOneLine) {
    EXPECT_EQ(describe_changes({"db", "net/api"}, {"web"}, {"old"}, ChangesLayout::OneLine),
              "added db net/api; changed web; removed old");
    EXPECT_EQ(describe_changes({}, {"web"}, {}, ChangesLayout::OneLine), "changed web");
    EXPECT_EQ(describe_changes({"db"}, {}, {"old", "older"}, ChangesLayout::OneLine),
              "added db; removed old older");
}

TEST(ReloadSummary, StartctlSaysEachKindOnItsOwnLine) {
    EXPECT_EQ(describe_changes({"db", "net/api"}, {"web"}, {"old"}, ChangesLayout::LinePerKind),
              "added: db net/api\nchanged: web\nremoved: old");
    EXPECT_EQ(describe_changes({}, {}, {"old"}, ChangesLayout::LinePerKind), "removed: old");
}

TEST(ReloadSummary, NothingChangedIsNothingSaid) {
    EXPECT_EQ(describe_changes(Names{}, Names{}, Names{}, ChangesLayout::OneLine), "");
    EXPECT_EQ(describe_changes(Names{}, Names{}, Names{}, ChangesLayout::LinePerKind), "");
}

} // namespace
