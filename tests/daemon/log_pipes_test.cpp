// Tests LogPipes over the fake kernel: a pipe is read until EOF however much its job writes,
// a bounded amount per wake-up; a log file is closed once no pipe writes to it; drops are
// counted and remembered only while the instance exists; two writers never mix their lines.
#include "daemon/log_pipes.h"
#include "fakes/fake_sys.h"
#include "support/recording_stream.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <set>

namespace {

using fakes::FakeSys;

std::shared_ptr<const core::JobClass> job_class(const std::string& name) {
    auto cls = std::make_shared<core::JobClass>();
    cls->name = name;
    return cls;
}

std::size_t lines_in(const std::string& text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

class LogPipesTest : public ::testing::Test {
  protected:
    void SetUp() override { sys.add_dir("/log"); }
    // A pipe attached for `job`; the test keeps the write end (the child's).
    base::UniqueFd attach(const core::Job& job) {
        auto pipe = pipes.make_pipe();
        EXPECT_TRUE(pipe.has_value());
        pipes.attach(std::move(pipe->first), job);
        return std::move(pipe->second);
    }
    void write(const base::UniqueFd& end, std::string_view bytes) {
        auto n = sys.write(end.get(), bytes.data(), bytes.size());
        ASSERT_TRUE(n.has_value());
        ASSERT_EQ(*n, bytes.size());
    }
    // Turns of the loop until nothing more runs (bounded).
    void settle() {
        for (int i = 0; i < 1000; ++i) {
            auto ran = loop->run_once(loop::Wait::No);
            ASSERT_TRUE(ran.has_value());
            if (*ran == 0) {
                return;
            }
        }
        FAIL() << "the loop did not settle";
    }
    std::string log_of(const std::string& name) { return sys.file_content("/log/" + name).value_or(""); }

    FakeSys sys;
    std::unique_ptr<loop::EventLoop> loop = std::move(loop::EventLoop::create(sys)).value();
    std::set<std::string> existing{"web", "task-1"};
    daemon_main::LogPipes pipes{sys, *loop, "/log", [this](std::string_view job, std::string_view instance) {
                                    std::string key(job);
                                    if (!instance.empty()) {
                                        key += "-" + std::string(instance);
                                    }
                                    return existing.count(key) != 0;
                                }};
    core::Job web{job_class("web"), ""};
};

TEST_F(LogPipesTest, AJobWritingMoreThanAWakeUpReadsStaysConnectedAndLosesNoLine) {
    std::vector<int> before = sys.open_fds();
    base::UniqueFd child = attach(web);
    std::string flood;
    for (int i = 0; flood.size() < 4 * daemon_main::LogPipes::read_per_wakeup; ++i) {
        flood += "line " + std::to_string(i) + "\n";
    }
    write(child, flood);
    // Each wake-up takes a bounded bite and leaves the rest for the next turn.
    ASSERT_TRUE(loop->run_once(loop::Wait::No).has_value());
    std::size_t first = log_of("web.log").size();
    EXPECT_GT(first, 0u);
    EXPECT_LT(lines_in(log_of("web.log")), lines_in(flood));
    EXPECT_EQ(pipes.pipe_count(), 1u);
    settle();
    EXPECT_EQ(pipes.pipe_count(), 1u) << "still connected while the job lives";
    EXPECT_EQ(lines_in(log_of("web.log")), lines_in(flood));
    write(child, "after the flood\n");
    settle();
    EXPECT_NE(log_of("web.log").find("Z after the flood\n"), std::string::npos);
    child.reset(); // the job exits
    settle();
    EXPECT_EQ(pipes.pipe_count(), 0u);
    EXPECT_EQ(pipes.open_log_count(), 0u);
    EXPECT_EQ(pipes.log_count(), 0u) << "nothing dropped: nothing to remember";
    EXPECT_EQ(sys.open_fds(), before);
}

TEST_F(LogPipesTest, EachWakeUpReadsABoundedAmount) {
    base::UniqueFd child = attach(web);
    write(child, std::string(3 * daemon_main::LogPipes::read_per_wakeup, 'x'));
    int reads = sys.call_count("read");
    ASSERT_TRUE(loop->run_once(loop::Wait::No).has_value());
    int per_wakeup = sys.call_count("read") - reads;
    EXPECT_GE(per_wakeup, 1);
    // The fake clock stands still, so every read looks cheap: the read size doubles from
    // min_read to max_read, and the wake-up ends at read_per_wakeup bytes.
    EXPECT_LE(per_wakeup, 10) << "2, 4, … 64 KiB reads, 256 KiB a wake-up";
    reads = sys.call_count("read");
    ASSERT_TRUE(loop->run_once(loop::Wait::No).has_value());
    EXPECT_GE(sys.call_count("read") - reads, 1) << "the rest is read on the next turn";
    EXPECT_EQ(pipes.pipe_count(), 1u);
}

TEST_F(LogPipesTest, TheLogFileIsOpenWhileAPipeWritesToItAndClosedAfterTheLast) {
    base::UniqueFd main = attach(web);
    base::UniqueFd hook = attach(web); // post-start, say: the same log
    write(main, "a\n");
    settle();
    EXPECT_EQ(pipes.open_log_count(), 1u);
    main.reset();
    settle();
    EXPECT_EQ(pipes.pipe_count(), 1u);
    EXPECT_EQ(pipes.open_log_count(), 1u) << "the hook still writes there";
    write(hook, "b\n");
    hook.reset();
    settle();
    EXPECT_EQ(pipes.open_log_count(), 0u);
    EXPECT_EQ(lines_in(log_of("web.log")), 2u);
}

TEST_F(LogPipesTest, TwoProcessesOfOneJobNeverMixTheirHalfLines) {
    base::UniqueFd main = attach(web);
    base::UniqueFd hook = attach(web);
    write(main, "hel");
    settle();
    write(hook, "xyz\n");
    settle();
    write(main, "lo\n");
    settle();
    std::string text = log_of("web.log");
    EXPECT_NE(text.find("Z xyz\n"), std::string::npos) << text;
    EXPECT_NE(text.find("Z hello\n"), std::string::npos) << text;
}

TEST_F(LogPipesTest, AnUnfinishedLastLineIsWrittenAtEof) {
    base::UniqueFd child = attach(web);
    write(child, "no newline");
    child.reset();
    settle();
    EXPECT_TRUE(log_of("web.log").ends_with("Z no newline\n")) << log_of("web.log");
}

TEST_F(LogPipesTest, WhatCannotBeWrittenIsDroppedAndCountedAndTheJobStaysConnected) {
    base::UniqueFd child = attach(web);
    write(child, "one\ntwo\nthree\n");
    sys.fail_next("write", ENOSPC); // the log's write, not the job's
    settle();
    control::LogStatus status = pipes.status(web);
    EXPECT_EQ(status.path, "/log/web.log");
    EXPECT_EQ(status.dropped_lines, 3u);
    EXPECT_EQ(status.dropped_bytes, 3 * 21 + 14u) << "three records with their timestamps";
    EXPECT_EQ(pipes.pipe_count(), 1u);
    write(child, "four\n"); // space again
    settle();
    EXPECT_TRUE(log_of("web.log").ends_with("Z four\n")) << log_of("web.log");
    EXPECT_EQ(pipes.status(web).dropped_lines, 3u);
}

TEST_F(LogPipesTest, DropsAreRememberedWhileTheInstanceExistsAndForgottenOnceItIsGone) {
    base::UniqueFd child = attach(web);
    write(child, "lost\n");
    sys.fail_next("write", EIO);
    child.reset();
    settle();
    EXPECT_EQ(pipes.open_log_count(), 0u);
    EXPECT_EQ(pipes.status(web).dropped_lines, 1u) << "web still exists: status shows its drops";
    // Many instances come and go, each losing a line: what is remembered stays bounded.
    auto cls = job_class("task");
    for (int i = 0; i < 1000; ++i) {
        core::Job task(cls, std::to_string(i));
        base::UniqueFd end = attach(task);
        write(end, "x\n");
        sys.fail_next("write", EIO);
        end.reset();
        settle();
    }
    EXPECT_LE(pipes.log_count(), 130u) << "instances that no longer exist are forgotten";
    EXPECT_EQ(pipes.status(web).dropped_lines, 1u) << "web exists still";
    existing.clear();
    for (int i = 0; i < 200; ++i) {
        core::Job task(cls, "later-" + std::to_string(i));
        base::UniqueFd end = attach(task);
        write(end, "x\n");
        sys.fail_next("write", EIO);
        end.reset();
        settle();
    }
    EXPECT_EQ(pipes.status(web).dropped_lines, 0u) << "web is gone: forgotten";
    EXPECT_LE(pipes.log_count(), 130u);
}

TEST_F(LogPipesTest, AReadErrorOtherThanEagainClosesThePipe) {
    base::UniqueFd child = attach(web);
    write(child, "x\n");
    sys.fail_next("read", EIO);
    settle();
    EXPECT_EQ(pipes.pipe_count(), 0u);
}

TEST_F(LogPipesTest, NoPipeForWantOfDescriptorsSaysSo) {
    sys.fail_next("pipe2", EMFILE);
    auto pipe = pipes.make_pipe();
    ASSERT_FALSE(pipe.has_value());
    EXPECT_NE(pipe.error().message().find("startd is out of file descriptors"), std::string::npos)
        << pipe.error().message();
    sys.fail_next("pipe2", ENFILE);
    pipe = pipes.make_pipe();
    ASSERT_FALSE(pipe.has_value());
    EXPECT_NE(pipe.error().message().find("the system is out of file descriptors"), std::string::npos)
        << pipe.error().message();
}

} // namespace

namespace {

std::string followed(const test_support::RecordingStream& stream) {
    std::string text;
    for (const nlohmann::json& item : stream.items) {
        text += item.value("data", std::string());
    }
    return text;
}

// A follower gets every record of the log as it is written: across the job's pipes (a restart
// is a new pipe to the same log) and across a rotation, without a byte read back from the file.
TEST_F(LogPipesTest, AFollowerGetsEveryLineAcrossRestartsAndRotations) {
    auto stream = std::make_shared<test_support::RecordingStream>();
    pipes.follow("/log/web.log", stream); // before the job runs
    {
        base::UniqueFd child = attach(web);
        write(child, "one\ntwo\n");
        settle();
    }
    settle(); // EOF: the first run is over
    pipes.reopen();
    base::UniqueFd again = attach(web);
    write(again, "three\n");
    settle();
    std::string text = followed(*stream);
    EXPECT_EQ(lines_in(text), 3u) << text;
    EXPECT_NE(text.find("Z three\n"), std::string::npos);
    EXPECT_EQ(text, log_of("web.log"));
    EXPECT_EQ(pipes.follower_count(), 1u);
}

TEST_F(LogPipesTest, AFollowerWhoseClientWentIsForgotten) {
    auto stream = std::make_shared<test_support::RecordingStream>();
    base::UniqueFd child = attach(web);
    pipes.follow("/log/web.log", stream);
    stream->live = false;
    write(child, "one\n");
    settle();
    EXPECT_TRUE(stream->items.empty());
    EXPECT_EQ(pipes.follower_count(), 0u);
}

TEST_F(LogPipesTest, ReopenClosesEveryOpenLog) {
    base::UniqueFd child = attach(web);
    write(child, "one\n");
    settle();
    EXPECT_EQ(pipes.open_log_count(), 1u);
    pipes.reopen();
    EXPECT_EQ(pipes.open_log_count(), 0u);
    write(child, "two\n");
    settle();
    EXPECT_EQ(lines_in(log_of("web.log")), 2u);
}

} // namespace
