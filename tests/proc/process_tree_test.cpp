// Tests reading the process tree from /proc: stat-line parsing and descendants, on a fake /proc.
#include "fakes/fake_sys.h"
#include "proc/process_tree.h"
#include "support/fake_proc.h"

#include <algorithm>
#include <gtest/gtest.h>
#include <pthread.h>
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

TEST(ParseStat, ReadsTheStartTime) {
    auto line = proc::parse_stat("42 (a b) S 7 42 42 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 123456 9 10\n");
    ASSERT_TRUE(line);
    EXPECT_EQ(line->start_time, 123456u);
    EXPECT_EQ(proc::parse_stat("42 (a) S 7 42 42\n")->start_time, 0u) << "absent: 0";
}

TEST(ParseStat, RejectsMalformedText) {
    EXPECT_FALSE(proc::parse_stat(""));
    EXPECT_FALSE(proc::parse_stat("42 name S 7"));
    EXPECT_FALSE(proc::parse_stat("x (a) S 7 1"));
    EXPECT_FALSE(proc::parse_stat("42 (a) S x 1"));
}

// Kernels without CONFIG_PROC_CHILDREN: one scan of every /proc/PID/stat.
TEST(ProcessTree, WithoutChildrenFilesDescendantsAreFoundByScanningEveryProcess) {
    fakes::FakeSys sys;
    auto proc_entry = [&](int pid, char state, int ppid) {
        sys.add_file("/proc/" + std::to_string(pid) + "/stat", std::to_string(pid) + " (p" +
                                                                   std::to_string(pid) + ") " + state + " " +
                                                                   std::to_string(ppid) + " 0 0\n");
        sys.add_dir("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid)); // no children file
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

using test_support::FakeProc;

TEST(ProcessTree, DescendantsFollowTheChildrenFilesOfEveryThreadButNotZombiesOrStrangers) {
    FakeProc p;
    p.process(10, 'S', 1, {15}); // the job's main process, with a second thread
    p.process(11, 'S', 10);      // a child that called setsid: still in the tree
    p.process(12, 'S', 11);      // grandchild
    p.process(13, 'Z', 10);      // a zombie: nothing to signal
    p.process(14, 'S', 15);      // forked by main's second thread
    p.process(20, 'S', 1);       // someone else
    p.children_file(10, 10, "11 13 ");
    p.children_file(10, 15, "14 ");
    p.children_file(11, 11, "12 ");
    auto found = proc::descendants(p.sys, 10);
    ASSERT_TRUE(found.has_value()) << found.error().message();
    EXPECT_EQ(*found, (std::vector<pid_t>{11, 14, 12}));
    auto none = proc::descendants(p.sys, 12);
    ASSERT_TRUE(none.has_value());
    EXPECT_TRUE(none->empty());
}

TEST(ProcessTree, DescendantsReadOnlyTheJobsOwnProcessesNotAllOfProc) {
    FakeProc p;
    p.process(10, 'S', 1);
    for (int stranger = 100; stranger < 600; ++stranger) {
        p.process(stranger, 'S', 1);
    }
    std::size_t before = p.sys.calls().size();
    auto found = proc::descendants(p.sys, 10);
    ASSERT_TRUE(found.has_value());
    EXPECT_TRUE(found->empty());
    EXPECT_LT(p.sys.calls().size() - before, 20u) << "the 500 other processes must not be read";
}

TEST(ProcessTree, ASingleThreadedProcessIsReadFromItsOneChildrenFileWithoutListingItsThreads) {
    FakeProc p;
    p.process(10, 'S', 1);
    p.process(11, 'S', 10);
    p.children_file(10, 10, "11 ");
    proc::ProcessTree tree(p.sys);
    auto found = tree.descendants(10);
    ASSERT_TRUE(found.has_value()) << found.error().message();
    EXPECT_EQ(*found, (std::vector<pid_t>{11}));
    EXPECT_EQ(p.sys.call_count("read_dir"), 0) << "one thread: /proc/PID/task's link count says so";
}

TEST(ProcessTree, ProcIsOpenedOnceForManyWalks) {
    FakeProc p;
    for (int pid = 10; pid < 20; ++pid) {
        p.process(pid, 'S', 1);
    }
    proc::ProcessTree tree(p.sys);
    for (int pid = 10; pid < 20; ++pid) {
        ASSERT_TRUE(tree.descendants(pid).has_value());
    }
    EXPECT_TRUE(tree.is_descendant(11, 1));
    EXPECT_EQ(p.sys.call_count("open"), 1);
}

TEST(ProcessTree, WithoutChildrenFilesTheScanIsChosenOnceAndForAll) {
    FakeProc p;
    p.sys.add_file("/proc/10/stat", "10 (p10) S 1 0 0\n");
    p.sys.add_dir("/proc/10/task/10");
    p.sys.add_file("/proc/11/stat", "11 (p11) S 10 0 0\n");
    p.sys.add_dir("/proc/11/task/11");
    proc::ProcessTree tree(p.sys);
    ASSERT_EQ(tree.descendants(10).value(), (std::vector<pid_t>{11}));
    int probes = p.sys.call_count("fstatat");
    ASSERT_EQ(tree.descendants(10).value(), (std::vector<pid_t>{11}));
    EXPECT_EQ(p.sys.call_count("fstatat"), probes) << "no children file is looked for again";
}

TEST(ProcessTree, AProcWithoutSelfInItIsNotKept) {
    fakes::FakeSys sys;
    sys.add_dir("/proc"); // an empty directory: /proc is not mounted (yet)
    proc::ProcessTree tree(sys);
    auto none = tree.descendants(10);
    ASSERT_TRUE(none.has_value());
    EXPECT_TRUE(none->empty());
    int opens = sys.call_count("open");
    EXPECT_EQ(opens, 2) << "opened again at once, in case /proc was mounted meanwhile";
    sys.add_dir("/proc/self");
    sys.add_file("/proc/10/task/10/children", "11 ");
    sys.add_file("/proc/11/stat", "11 (p11) S 10 0 0\n");
    sys.add_file("/proc/11/task/11/children", "");
    auto found = tree.descendants(10);
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(*found, (std::vector<pid_t>{11}));
    ASSERT_TRUE(tree.descendants(12).has_value());
    EXPECT_EQ(sys.call_count("open"), opens) << "a real /proc is kept open";
}

// startd (the fake's pid 5000) with `jobs` main processes (6000, 6001, …) as its children, each
// single-threaded; main 6000 has a child (7000, which left the group with setsid) and a
// grandchild (7001); `others` processes belong to nobody we know.
struct Machine {
    explicit Machine(int jobs, int others) {
        p.sys.set_self_pid(5000);
        std::string own;
        p.process(5000, 'S', 1);
        for (int i = 0; i < jobs; ++i) {
            p.process(6000 + i, 'S', 5000);
            roots.push_back(6000 + i);
            own += std::to_string(6000 + i) + " ";
        }
        p.children_file(5000, 5000, own);
        p.process(7000, 'S', 6000);
        p.process(7001, 'S', 7000);
        p.children_file(6000, 6000, "7000 ");
        p.children_file(7000, 7000, "7001 ");
        for (int i = 0; i < others; ++i) {
            p.process(8000 + i, 'S', 1);
        }
        p.sys.add_file("/proc/loadavg", "0.00 0.01 0.05 1/" + std::to_string(jobs + others + 8) + " 9999\n");
    }
    int stat_reads() const {
        int n = 0;
        for (const std::string& call : p.sys.calls()) {
            n += call == "openat";
        }
        return n;
    }
    FakeProc p;
    std::vector<pid_t> roots;
};

TEST(ProcessTree, ABatchOfMostOfTheMachinesProcessesIsReadInOneScanThatSkipsOurOwnChildren) {
    Machine m(100, 5);
    proc::ProcessTree tree(m.p.sys);
    auto batch = tree.descendants_of(m.roots);
    ASSERT_TRUE(batch.has_value()) << batch.error().message();
    ASSERT_EQ(batch->size(), 100u);
    EXPECT_EQ((*batch)[0], (std::vector<pid_t>{7000, 7001}));
    for (std::size_t i = 1; i < batch->size(); ++i) {
        EXPECT_TRUE((*batch)[i].empty()) << "root " << m.roots[i];
    }
    EXPECT_EQ(m.p.sys.call_count("fstatat"), 1) << "no root was walked; only our own task directory";
    // The stat files of 7000, 7001 and the 5 others (not of our 100 children), our own
    // children file, loadavg and the listing itself.
    EXPECT_EQ(m.stat_reads(), 10);
}

TEST(ProcessTree, ABatchScanAgreesWithWalkingEachRoot) {
    Machine m(40, 3);
    proc::ProcessTree tree(m.p.sys);
    auto batch = tree.descendants_of(m.roots);
    ASSERT_TRUE(batch.has_value());
    for (std::size_t i = 0; i < m.roots.size(); ++i) {
        auto one = proc::descendants(m.p.sys, m.roots[i]);
        ASSERT_TRUE(one.has_value());
        EXPECT_EQ((*batch)[i], *one) << "root " << m.roots[i];
    }
}

TEST(ProcessTree, ASmallBatchOrABatchAmongManyOtherProcessesIsWalkedRootByRoot) {
    Machine few(proc::ProcessTree::batch_scan_min - 1, 0);
    proc::ProcessTree tree(few.p.sys);
    ASSERT_TRUE(tree.descendants_of(few.roots).has_value());
    EXPECT_EQ(few.p.sys.call_count("read_dir"), 0) << "no listing of /proc";

    Machine crowded(40, 200); // reading 200 stat files would cost more than 40 walks
    proc::ProcessTree tree2(crowded.p.sys);
    auto batch = tree2.descendants_of(crowded.roots);
    ASSERT_TRUE(batch.has_value());
    EXPECT_EQ((*batch)[0], (std::vector<pid_t>{7000, 7001}));
    EXPECT_EQ(crowded.p.sys.call_count("read_dir"), 0) << "no listing of /proc";
    EXPECT_GE(crowded.p.sys.call_count("fstatat"), 40) << "each root walked";
}

TEST(ProcessTree, WithoutChildrenFilesABatchIsOneScan) {
    fakes::FakeSys sys;
    std::vector<pid_t> roots;
    for (int pid = 10; pid < 50; ++pid) {
        sys.add_file("/proc/" + std::to_string(pid) + "/stat", std::to_string(pid) + " (p) S 1 0 0\n");
        sys.add_dir("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid));
        roots.push_back(pid);
    }
    sys.add_file("/proc/60/stat", "60 (p) S 10 0 0\n");
    sys.add_dir("/proc/60/task/60");
    sys.add_dir("/proc/" + std::to_string(sys.self_pid()) + "/task/" + std::to_string(sys.self_pid()));
    proc::ProcessTree tree(sys);
    auto batch = tree.descendants_of(roots);
    ASSERT_TRUE(batch.has_value()) << batch.error().message();
    EXPECT_EQ((*batch)[0], (std::vector<pid_t>{60}));
    EXPECT_EQ(sys.call_count("read_dir"), 1) << "one listing of /proc for the 40 roots";
}

TEST(ProcessTree, ChildrenStatAndOtherFilesOfOneProcess) {
    Machine m(3, 1);
    m.p.sys.add_file("/proc/7000/environ", std::string("A=1\0B=2\0", 8));
    proc::ProcessTree tree(m.p.sys);
    auto children = tree.children(5000);
    ASSERT_TRUE(children.has_value());
    EXPECT_EQ(*children, (std::vector<pid_t>{6000, 6001, 6002}));
    EXPECT_EQ(*tree.children(6000), (std::vector<pid_t>{7000}));
    EXPECT_TRUE(tree.children(4242)->empty()) << "gone";
    ASSERT_TRUE(tree.stat(7000));
    EXPECT_EQ(tree.stat(7000)->ppid, 6000);
    EXPECT_FALSE(tree.stat(4242));
    auto environ = tree.read(7000, "environ");
    ASSERT_TRUE(environ.has_value());
    EXPECT_EQ(*environ, std::string("A=1\0B=2\0", 8));
    EXPECT_FALSE(tree.read(4242, "environ").has_value());
}

TEST(ProcessTree, WithoutChildrenFilesChildrenComeFromAScan) {
    test_support::FakeProc p;
    p.sys.add_dir("/proc/self");
    p.sys.add_file("/proc/10/stat", "10 (a) S 1 0 0\n");
    p.sys.add_dir("/proc/10/task/10");
    p.sys.add_file("/proc/11/stat", "11 (b) S 10 0 0\n");
    p.sys.add_dir("/proc/11/task/11");
    proc::ProcessTree tree(p.sys);
    auto children = tree.children(10);
    ASSERT_TRUE(children.has_value());
    EXPECT_EQ(*children, (std::vector<pid_t>{11}));
}

TEST(ProcessTree, DescendantsOfAProcessThatIsGoneAreNone) {
    FakeProc p;
    p.process(20, 'S', 1);
    p.sys.add_dir("/proc/self");
    auto found = proc::descendants(p.sys, 10);
    ASSERT_TRUE(found.has_value());
    EXPECT_TRUE(found->empty());
}

TEST(ProcessTree, DescendantsWithoutProcOfAllFail) {
    fakes::FakeSys sys;
    EXPECT_FALSE(proc::descendants(sys, 10).has_value());
}

TEST(ProcessTree, AProcessDescendsFromItsParentsAndTheirParentsOnly) {
    FakeProc p;
    p.process(10, 'S', 1);
    p.process(11, 'S', 10);
    p.process(12, 'S', 11);
    p.process(13, 'Z', 10);
    p.process(20, 'S', 1);
    EXPECT_TRUE(proc::is_descendant(p.sys, 11, 10));
    EXPECT_TRUE(proc::is_descendant(p.sys, 12, 10));
    EXPECT_TRUE(proc::is_descendant(p.sys, 12, 11));
    EXPECT_FALSE(proc::is_descendant(p.sys, 13, 10)) << "a zombie sends nothing";
    EXPECT_FALSE(proc::is_descendant(p.sys, 20, 10));
    EXPECT_FALSE(proc::is_descendant(p.sys, 10, 11));
    EXPECT_FALSE(proc::is_descendant(p.sys, 10, 10)) << "not its own descendant";
    EXPECT_FALSE(proc::is_descendant(p.sys, 99, 10)) << "gone";
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

TEST(ProcessTree, RealProcKnowsOurGrandchildDescendsFromUs) {
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    pid_t child = ::fork();
    if (child == 0) {
        pid_t grandchild = ::fork();
        if (grandchild == 0) {
            ::pause();
            ::_exit(0);
        }
        (void)!::write(ready[1], &grandchild, sizeof grandchild);
        ::pause();
        ::_exit(0);
    }
    pid_t grandchild = 0;
    ASSERT_EQ(::read(ready[0], &grandchild, sizeof grandchild), static_cast<ssize_t>(sizeof grandchild));
    bool descends = proc::is_descendant(sys::real_sys(), grandchild, ::getpid());
    bool stranger = proc::is_descendant(sys::real_sys(), ::getppid(), ::getpid());
    auto tree = proc::descendants(sys::real_sys(), ::getpid());
    ::kill(grandchild, SIGKILL);
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    ::close(ready[0]);
    ::close(ready[1]);
    EXPECT_TRUE(descends);
    EXPECT_FALSE(stranger);
    ASSERT_TRUE(tree.has_value());
    EXPECT_NE(std::find(tree->begin(), tree->end(), grandchild), tree->end());
}

// A child forked by a second thread is listed in that thread's children file only.
TEST(ProcessTree, RealProcFindsAChildForkedByASecondThreadAndASingleThreadsChild) {
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    pid_t child = ::fork();
    if (child == 0) {
        static int out;
        out = ready[1];
        pthread_t thread;
        auto forker = [](void*) -> void* {
            pid_t grandchild = ::fork();
            if (grandchild == 0) {
                ::pause();
                ::_exit(0);
            }
            (void)!::write(out, &grandchild, sizeof grandchild);
            for (;;) {
                ::pause(); // a thread that ended would hand its children to the main thread
            }
            return nullptr;
        };
        if (::pthread_create(&thread, nullptr, forker, nullptr) != 0) {
            ::_exit(1);
        }
        ::pause(); // the main thread waits too: the grandchild's parent stays the second thread
        ::_exit(0);
    }
    pid_t grandchild = 0;
    ASSERT_EQ(::read(ready[0], &grandchild, sizeof grandchild), static_cast<ssize_t>(sizeof grandchild));
    proc::ProcessTree tree(sys::real_sys());
    auto of_child = tree.descendants(child);
    auto of_grandchild = tree.descendants(grandchild);
    ::kill(grandchild, SIGKILL);
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    ::close(ready[0]);
    ::close(ready[1]);
    ASSERT_TRUE(of_child.has_value()) << of_child.error().message();
    EXPECT_EQ(*of_child, (std::vector<pid_t>{grandchild}));
    ASSERT_TRUE(of_grandchild.has_value());
    EXPECT_TRUE(of_grandchild->empty());
}

} // namespace
