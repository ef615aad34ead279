// A fake /proc on FakeSys, with the children files of CONFIG_PROC_CHILDREN
// (/proc/PID/task/TID/children): what tests of process-tree readers build their world from.
#pragma once

#include "fakes/fake_sys.h"

#include <string>
#include <vector>

namespace test_support {

// A /proc/PID/stat line of a process in `state` (R, S, Z, …) whose parent is `ppid` and which
// started `start_ticks` clock ticks after boot (field 22).
inline std::string stat_line(int pid, char state, unsigned long long start_ticks, int ppid = 1) {
    return std::to_string(pid) + " (job " + std::to_string(pid) + ") " + state + " " + std::to_string(ppid) +
           " 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 " + std::to_string(start_ticks) + " 0 0\n";
}

class FakeProc {
  public:
    // A process with its stat line and an empty children file for each of its threads.
    void process(int pid, char state, int ppid, std::vector<int> threads = {}) {
        sys.add_file("/proc/" + std::to_string(pid) + "/stat", std::to_string(pid) + " (p" +
                                                                   std::to_string(pid) + ") " + state + " " +
                                                                   std::to_string(ppid) + " 0 0\n");
        threads.insert(threads.begin(), pid);
        for (int tid : threads) {
            children_file(pid, tid, "");
        }
    }
    // `list` as the kernel writes it: "12 34 ".
    void children_file(int pid, int tid, const std::string& list) {
        sys.add_file("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/children", list);
    }
    fakes::FakeSys sys;
};

} // namespace test_support
