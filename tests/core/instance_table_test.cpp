// Tests InstanceTable: instances by name, in name order, the singleton as "".
#include "core/instance_table.h"

#include <gtest/gtest.h>

namespace {

using core::InstanceTable;
using core::Job;

std::unique_ptr<Job> job(const std::string& instance) {
    static auto cls = std::make_shared<const core::JobClass>();
    return std::make_unique<Job>(cls, instance);
}

std::vector<std::string> names(const InstanceTable& t) {
    std::vector<std::string> out;
    for (const auto& j : t) {
        out.push_back(j->instance());
    }
    return out;
}

TEST(InstanceTable, FindsInstancesByNameAndKeepsThemInNameOrder) {
    InstanceTable t;
    EXPECT_TRUE(t.empty());
    Job& tty2 = t.insert(job("tty2"));
    t.insert(job("tty10"));
    t.insert(job("tty1"));
    EXPECT_EQ(t.size(), 3u);
    EXPECT_EQ(t.find("tty2"), &tty2);
    EXPECT_EQ(t.find("tty3"), nullptr);
    EXPECT_EQ(t.find(""), nullptr);
    EXPECT_EQ(names(t), (std::vector<std::string>{"tty1", "tty10", "tty2"}));
}

TEST(InstanceTable, TheSingletonIsTheEmptyName) {
    InstanceTable t;
    Job& only = t.insert(job(""));
    EXPECT_EQ(t.find(""), &only);
    EXPECT_EQ(t.find("x"), nullptr);
}

TEST(InstanceTable, EraseDestroysOneInstanceAndIgnoresUnknownNames) {
    InstanceTable t;
    t.insert(job("a"));
    t.insert(job("b"));
    t.erase("zzz");
    EXPECT_EQ(t.size(), 2u);
    t.erase("a");
    EXPECT_EQ(t.find("a"), nullptr);
    EXPECT_NE(t.find("b"), nullptr);
    t.erase("b");
    EXPECT_TRUE(t.empty());
    t.insert(job("c")); // usable again once empty
    EXPECT_NE(t.find("c"), nullptr);
}

TEST(InstanceTable, ManyInstancesStaySortedAndFindable) {
    InstanceTable t;
    for (int i = 999; i >= 0; --i) {
        t.insert(job("i" + std::to_string(i)));
    }
    EXPECT_EQ(t.size(), 1000u);
    auto all = names(t);
    EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
    for (int i = 0; i < 1000; i += 37) {
        ASSERT_NE(t.find("i" + std::to_string(i)), nullptr) << i;
    }
}

} // namespace
