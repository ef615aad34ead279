// Tests applying a jobs directory to the engine: added, changed, unchanged, removed, and jobs
// whose file broke keeping their old definition.
#include "daemon/job_loader.h"

#include <csignal>

#include "core/engine_fixture.h"

namespace {

config::JobFile job_file(const std::string& name, const std::string& text) {
    config::JobFile f;
    f.name = name;
    f.conf_path = name + ".conf";
    auto parsed = config::parse_job(text, f.conf_path);
    if (parsed) {
        parsed->name = name;
        f.job = std::move(parsed).value();
    } else {
        f.diagnostics.push_back(parsed.error());
    }
    return f;
}

class JobLoaderTest : public EngineTest {};

TEST_F(JobLoaderTest, ReportsAddedChangedUnchangedAndRemovedJobs) {
    config::LoadReport first;
    first.jobs = {job_file("a", "exec a\n"), job_file("b", "exec b\n"), job_file("c", "exec c\n")};
    auto s1 = daemon_main::apply_job_dir(engine, first);
    EXPECT_EQ(s1.added, (std::vector<std::string>{"a", "b", "c"}));

    config::LoadReport second;
    second.jobs = {job_file("a", "exec a\n"), job_file("b", "exec b --changed\n")};
    auto s2 = daemon_main::apply_job_dir(engine, second);
    EXPECT_EQ(s2.unchanged, (std::vector<std::string>{"a"}));
    EXPECT_EQ(s2.changed, (std::vector<std::string>{"b"}));
    EXPECT_EQ(s2.removed, (std::vector<std::string>{"c"}));
    EXPECT_EQ(engine.class_names(), (std::vector<std::string>{"a", "b"}));
}

TEST_F(JobLoaderTest, UnchangedRunningJobIsUntouched) {
    config::LoadReport r;
    r.jobs = {job_file("web", "exec web\n")};
    (void)daemon_main::apply_job_dir(engine, r);
    start("web");
    const core::Job* before = job("web");
    (void)daemon_main::apply_job_dir(engine, r);
    EXPECT_EQ(job("web"), before);
    EXPECT_EQ(runtime.spawns.size(), 1u);
    EXPECT_TRUE(runtime.signals.empty());
}

TEST_F(JobLoaderTest, BrokenFileKeepsThePreviousDefinition) {
    config::LoadReport good;
    good.jobs = {job_file("web", "exec web\n")};
    (void)daemon_main::apply_job_dir(engine, good);
    config::LoadReport bad;
    bad.jobs = {job_file("web", "exex web\n")};
    auto s = daemon_main::apply_job_dir(engine, bad);
    ASSERT_EQ(s.errors.size(), 1u);
    ASSERT_NE(engine.find_class("web"), nullptr);
    EXPECT_EQ(engine.find_class("web")->process(core::ProcessType::Main)->command, "web");
}

TEST_F(JobLoaderTest, IncompleteWalkRemovesNothing) {
    config::LoadReport first;
    first.jobs = {job_file("a", "exec a\n"), job_file("net/b", "exec b\n")};
    (void)daemon_main::apply_job_dir(engine, first);
    config::LoadReport partial;
    partial.jobs = {job_file("a", "exec a\n")};
    partial.errors.push_back(config::Diagnostic{"jobs/net", 0, 0, config::ParseErrorCode::Io, "Permission denied"});
    auto s = daemon_main::apply_job_dir(engine, partial);
    EXPECT_TRUE(s.removed.empty());
    EXPECT_NE(engine.find_class("net/b"), nullptr);
}

} // namespace
