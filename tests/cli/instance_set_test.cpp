// Tests the instance set: the default instance then the listed ones in order, each one's name,
// group and enablement from its main config (default no, except the default instance), broken
// configs reported per instance, selection by -i and -g, and main configs replaced whole.
#include "cli/instance_set.h"
#include "support/daemon_harness.h"
#include "support/real_child.h"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace {

class InstanceSet : public ::testing::Test {
  protected:
    void write(const std::string& dir, const std::string& text) {
        std::filesystem::create_directories(dir);
        std::ofstream(dir + "/startd.conf") << text;
    }
    base::Result<std::vector<cli::Instance>> load() { return cli::load_instances(sys::real_sys(), main_dir); }

    test_support::TempDir tmp;
    std::string main_dir = tmp / "startd";
};

TEST_F(InstanceSet, WithoutAMainConfigTheDefaultInstanceIsTheWholeSetAndEnabled) {
    auto all = load();
    ASSERT_TRUE(all.has_value()) << all.error().message();
    ASSERT_EQ(all->size(), 1u);
    EXPECT_TRUE(all->front().is_default);
    EXPECT_TRUE(all->front().enabled);
    EXPECT_FALSE(all->front().error.has_value());
    EXPECT_EQ(all->front().label(), main_dir);
}

TEST_F(InstanceSet, ListedInstancesFollowInOrderWithTheirParameters) {
    write(main_dir, "multi_instance_enable = yes\nmulti_instance_directories = " + tmp / "b" + ", " +
                        tmp / "a/" + "\n    " + tmp / "c" + "\n");
    write(tmp / "a", "multi_instance_name = a\nmulti_instance_group = web\nmulti_instance_enable = yes\n");
    write(tmp / "b", "multi_instance_name = b\nmulti_instance_group = web\n");
    write(tmp / "c", "multi_instance_name = c\nmulti_instance_enable = maybe\n");
    auto all = load();
    ASSERT_TRUE(all.has_value()) << all.error().message();
    ASSERT_EQ(all->size(), 4u);
    EXPECT_EQ((*all)[1].config_dir, tmp / "b");
    EXPECT_FALSE((*all)[1].enabled) << "multi_instance_enable defaults to no";
    EXPECT_EQ((*all)[2].config_dir, tmp / "a") << "trailing slash dropped";
    EXPECT_TRUE((*all)[2].enabled);
    EXPECT_EQ((*all)[2].group, "web");
    EXPECT_EQ((*all)[2].label(), "a (" + tmp / "a" + ")");
    ASSERT_TRUE((*all)[3].error.has_value());
    EXPECT_EQ(*(*all)[3].error,
              tmp / "c/startd.conf" + ": multi_instance_enable: expected yes or no, got 'maybe'");

    auto web = cli::select_instances(*all, {std::nullopt, "web"});
    ASSERT_TRUE(web.has_value());
    ASSERT_EQ(web->size(), 2u);
    EXPECT_EQ((*web)[0].name, "b");
    EXPECT_EQ((*web)[1].name, "a");
    auto c = cli::select_instances(*all, {"c", std::nullopt});
    ASSERT_TRUE(c.has_value());
    ASSERT_EQ(c->size(), 1u);
    EXPECT_EQ(c->front().config_dir, tmp / "c");
    EXPECT_EQ(cli::select_instances(*all, {}).value().size(), 4u);
}

TEST_F(InstanceSet, SelectionsThatNameNothingAreErrors) {
    auto all = load().value();
    auto none = cli::select_instances(all, {"nope", std::nullopt});
    ASSERT_FALSE(none.has_value());
    EXPECT_EQ(none.error().message(), "no instance is named 'nope'");
    auto group = cli::select_instances(all, {std::nullopt, "g"});
    ASSERT_FALSE(group.has_value());
    EXPECT_EQ(group.error().message(), "no instance is in group 'g'");
    auto both = cli::select_instances(all, {"a", "g"});
    ASSERT_FALSE(both.has_value());
    EXPECT_EQ(both.error().message(), "-i NAME and -g GROUP both select instances: give one of them");
}

TEST_F(InstanceSet, BrokenListedConfigsAreTheirInstancesErrorsAndABrokenDefaultFailsTheSet) {
    write(main_dir, "multi_instance_directories = " + tmp / "broken" + " " + tmp / "missing" + "\n");
    write(tmp / "broken", "multi_instance_name = x\n  \n oops\n");
    auto all = load();
    ASSERT_TRUE(all.has_value()) << all.error().message();
    ASSERT_EQ(all->size(), 3u);
    EXPECT_EQ((*all)[1].error, tmp / "broken/startd.conf" +
                                   ":3: indented line continues no parameter (a parameter "
                                   "line starts in the first column; a blank or comment "
                                   "line ends it)");
    EXPECT_EQ((*all)[2].error,
              tmp / "missing/startd.conf" + ": no such file (every listed instance has a main config)");

    write(main_dir, "multi_instance_directories = relative/dir\n");
    auto relative = load();
    ASSERT_FALSE(relative.has_value());
    EXPECT_NE(relative.error().message().find("config dirs must be absolute paths"), std::string::npos);
    write(main_dir, "multi_instance_directories = " + tmp / "x" + " " + tmp / "x/" + "\n");
    auto twice = load();
    ASSERT_FALSE(twice.has_value());
    EXPECT_NE(twice.error().message().find("twice"), std::string::npos);
    write(main_dir, "multi_instance_enable\n");
    auto bad = load();
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().message().rfind(main_dir + "/startd.conf:1: expected `name = value'", 0), 0u);
}

TEST_F(InstanceSet, TheDefaultInstanceMayBeDisabledAndNamesAreChecked) {
    write(main_dir, "multi_instance_enable = no\nmulti_instance_name = has space\n");
    auto all = load();
    ASSERT_FALSE(all.has_value()) << "a bad name in the default instance fails the set";
    EXPECT_NE(all.error().message().find("'has space' is not a name"), std::string::npos)
        << all.error().message();
    write(main_dir, "multi_instance_enable = no\n");
    EXPECT_FALSE(load().value().front().enabled);
    EXPECT_FALSE(cli::bad_instance_word("-I", "mail-1.x_y").has_value());
    EXPECT_TRUE(cli::bad_instance_word("-I", "-").has_value());
    EXPECT_TRUE(cli::bad_instance_word("-I", "").has_value());
    EXPECT_TRUE(cli::bad_instance_word("-G", "a/b").has_value());
}

TEST_F(InstanceSet, WriteMainConfigReplacesTheFileWhole) {
    write(main_dir, "# mine\nmulti_instance_enable = no\n");
    auto cfg = cli::read_main_config(sys::real_sys(), main_dir + "/startd.conf");
    ASSERT_TRUE(cfg.has_value() && cfg->has_value());
    (*cfg)->set("multi_instance_enable", "yes");
    ASSERT_TRUE(cli::write_main_config(sys::real_sys(), main_dir + "/startd.conf", **cfg).has_value());
    EXPECT_EQ(test_support::read_file(main_dir + "/startd.conf"), "# mine\nmulti_instance_enable = yes\n");
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(main_dir)) {
        ++files;
    }
    EXPECT_EQ(files, 1u) << "no temporary file left beside it";
    auto missing = cli::read_main_config(sys::real_sys(), tmp / "none/startd.conf");
    ASSERT_TRUE(missing.has_value());
    EXPECT_FALSE(missing->has_value());
}

} // namespace
