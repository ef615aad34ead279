// Owns JobClass: everything one job file (plus its .override) says, with Upstart's defaults.
// Not here: parsing (config/), running instances (core/job.h, later), JSON rendering (config/job_json).
#pragma once

#include "base/boxed_vector.h"
#include "base/compact_string.h"
#include "core/event_expr.h"
#include "core/timer_spec.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <sys/types.h>
#include <vector>

namespace core {

// The processes a job may run, in the order status lines list them.
enum class ProcessType : std::uint8_t { Main, PreStart, PostStart, PreStop, PostStop, Security };
inline constexpr std::size_t process_type_count = 6;

std::string_view to_string(ProcessType type); // "main", "pre-start", …
std::optional<ProcessType> process_type_from_string(std::string_view name);

// One process definition: an `exec` command line (raw text, quotes intact) or a `script` body.
struct Process {
    base::CompactString command; // exec: the command line; script: the body, common indentation removed
    int line = 0;                // where the stanza started, for diagnostics
    bool script = false;
    bool operator==(const Process&) const = default;
};

// The processes a job defines, by type. Most jobs define one or two of the six, so only those
// are stored: 32 bytes and one small allocation, where six optional processes took 144.
class ProcessTable {
  public:
    const Process* get(ProcessType type) const {
        std::uint8_t slot = m_slot[static_cast<std::size_t>(type)];
        return slot == 0 ? nullptr : &m_list[slot - 1];
    }
    // Defines (or redefines: the last stanza wins) the process of `type`.
    void set(ProcessType type, Process process) {
        std::uint8_t& slot = m_slot[static_cast<std::size_t>(type)];
        if (slot != 0) {
            m_list[slot - 1] = std::move(process);
            return;
        }
        m_list.push_back(std::move(process));
        slot = static_cast<std::uint8_t>(m_list.size());
    }
    // Equal when the same types have the same processes, in whatever order they were defined.
    bool operator==(const ProcessTable& other) const {
        for (std::size_t i = 0; i < process_type_count; ++i) {
            const Process* a = get(static_cast<ProcessType>(i));
            const Process* b = other.get(static_cast<ProcessType>(i));
            if ((a == nullptr) != (b == nullptr) || (a != nullptr && !(*a == *b))) {
                return false;
            }
        }
        return true;
    }

  private:
    std::vector<Process> m_list;                          // in the order defined
    std::array<std::uint8_t, process_type_count> m_slot{}; // per type: index in m_list + 1, or 0
};

enum class ExpectType : std::uint8_t { None, Stop, Daemon, Fork, Notify };
std::string_view to_string(ExpectType type);
std::optional<ExpectType> expect_type_from_string(std::string_view name);

enum class ConsoleType : std::uint8_t { None, Output, Owner, Log };
std::string_view to_string(ConsoleType type);
std::optional<ConsoleType> console_type_from_string(std::string_view name);

// `limit RESOURCE SOFT HARD`; RLIM_INFINITY stands for `unlimited`.
struct ResourceLimit {
    rlim_t soft = 0;
    rlim_t hard = 0;
    bool operator==(const ResourceLimit&) const = default;
};

// The 14 resources `limit` accepts (Upstart's 13 plus `as`), by Upstart name; returns RLIMIT_* or nullopt.
std::optional<int> limit_resource_from_string(std::string_view name);
std::string_view limit_resource_name(int resource);

// `cgroup CONTROLLER [NAME] [KEY VALUE]`.
struct CgroupSetting {
    std::string controller;
    std::string name; // empty: the job's default cgroup
    std::string key;  // empty: just place the job in the group
    std::string value;
    bool operator==(const CgroupSetting&) const = default;
};

// Exit statuses as Upstart stores them: a normal exit is its status 0..INT_MAX, a death by
// signal S is S << 8 (so `normal exit TERM` and `normal exit 15` differ).
struct NormalExit {
    int value = 0;
    bool is_signal = false;
    bool operator==(const NormalExit&) const = default;
};

// Held once per job for as long as startd runs, so laid out for size: text that is usually
// absent is a CompactString and lists that are usually empty a BoxedVector (8 bytes each, no
// allocation when empty), and the small fields sit together (no padding between them).
struct JobClass {
    std::string name;         // relative path without ".conf": "net/apache"
    base::CompactString path; // the .conf file it came from

    base::CompactString description;
    base::CompactString author;
    base::CompactString version;
    base::CompactString usage;

    ProcessTable processes;

    std::optional<EventExpr> start_on;
    std::optional<EventExpr> stop_on;

    base::BoxedVector<std::string> env;     // "KEY=VALUE" or bare "KEY" (copied from startd's env at start)
    base::BoxedVector<std::string> exports; // variable names added to this job's events
    base::BoxedVector<std::string> emits;   // documentation: events this job emits (globs allowed)

    base::CompactString instance; // instance name template ("" = singleton)
    base::BoxedVector<NormalExit> normal_exit;
    base::BoxedVector<std::pair<int, ResourceLimit>> limits; // one entry per resource, last stanza wins

    base::CompactString chroot;
    base::CompactString chdir;
    base::CompactString setuid;
    base::CompactString setgid;

    base::CompactString apparmor_load;
    base::CompactString apparmor_switch;
    base::BoxedVector<CgroupSetting> cgroups;

    base::BoxedVector<TimerSpec> timers; // `timer every|cron` (startd's own): each firing starts the job

    std::optional<int> nice;
    std::optional<int> oom_score;  // -1000..1000 (`never` = -1000)
    unsigned respawn_limit = 10;   // 0 together with interval 0: unlimited
    unsigned respawn_interval = 5; // seconds
    // startd's extensions (core/extension_stanzas.h), in milliseconds; 0: not given, Upstart's
    // behaviour. `respawn delay MIN MAX`: the first respawn waits MIN, each further one twice
    // the last, at most MAX (jittered: core/respawn_delay.h). `respawn healthy SECONDS`: a main
    // process that ran that long resets the delay and the respawn limit's window on its exit.
    std::uint32_t respawn_delay_min_ms = 0;
    std::uint32_t respawn_delay_max_ms = 0;
    std::uint32_t respawn_healthy_ms = 0;
    unsigned kill_timeout = 5; // seconds
    int kill_signal = 15;      // SIGTERM
    int reload_signal = 1;     // SIGHUP
    mode_t umask = 022;
    ExpectType expect = ExpectType::None;
    ConsoleType console = ConsoleType::Log;
    bool manual = false; // a `manual` stanza was seen (it also clears an earlier start on)
    bool task = false;
    bool respawn = false;
    bool debug = false;
    bool timer_catch_up = false; // `timer missed catch-up`: firings missed while startd was down run once

    // The process of `type`, or nullptr when the job defines none.
    const Process* process(ProcessType type) const { return processes.get(type); }
    void set_process(ProcessType type, Process process) { processes.set(type, std::move(process)); }

    bool operator==(const JobClass&) const = default;
};

} // namespace core
