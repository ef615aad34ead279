// Tests reading the process tree from /proc: stat-line parsing and descendants, on a fake /proc.
#include "fakes/fake_sys.h"
#include "proc/process_tree.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

TEST(ParseStat, ReadsPidStateAndParentEvenWithParenthesesInTheName) {
    auto line = proc::parse_stat("42 (we(ird) name) S 7 42 42 0 -1 4194560 …");
    ASSERT_TRUE(line.has_value());
    EXPECT_EQ(line->pid, 42);
    EXPECT_EQ(line->state, 'S');
    EXPECT_EQ(line->ppid, 7);
}

TEST(ParseStat, RejectsMalformedText) {
    EXPECT_FALSE(proc::parse_stat(""));
    EXPECT_FALSE(proc::parse_stat("42 name S 7"));
    EXPECT_FALSE(proc::parse_stat("x (a) S 7 1"));
    EXPECT_FALSE(proc::parse_stat("42 (a) S x 1"));
}

TEST(ProcessTree, DescendantsAreFoundThroughEveryGenerationButNotZombiesOrStrangers) {
    fakes::FakeSys sys;
    auto proc_entry = [&](int pid, char state, int ppid) {
        sys.add_file("/proc/" + std::to_string(pid) + "/stat", std::to_string(pid) + " (p" +
                                                                   std::to_string(pid) + ") " + state + " " +
                                                                   std::to_string(ppid) + " 0 0\n");
    };
    proc_entry(10, 'S', 1);  // the job's main process
    proc_entry(11, 'S', 10); // a child that called setsid: still in the tree
    proc_entry(12, 'S', 11); // grandchild
    proc_entry(13, 'Z', 10); // a zombie: nothing to signal
    proc_entry(20, 'S', 1);  // someone else
    sys.add_file("/proc/self/stat", "ignored");
    sys.add_file("/proc/meminfo", "ignored");
    auto found = proc::descendants(sys, 10);
    ASSERT_TRUE(found.has_value()) << found.error().message();
    EXPECT_EQ(*found, (std::vector<pid_t>{11, 12}));
    auto none = proc::descendants(sys, 12);
    ASSERT_TRUE(none.has_value());
    EXPECT_TRUE(none->empty());
}

TEST(ProcessTree, RealProcFindsOurOwnChild) {
    pid_t child = ::fork();
    if (child == 0) {
        ::pause();
        ::_exit(0);
    }
    auto found = proc::descendants(sys::real_sys(), ::getpid());
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    ASSERT_TRUE(found.has_value()) << found.error().message();
    EXPECT_NE(std::find(found->begin(), found->end(), child), found->end());
}

} // namespace
