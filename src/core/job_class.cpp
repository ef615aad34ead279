// Owns the name tables of JobClass's enums (Upstart spellings) and of `limit` resources.
#include "core/job_class.h"

#include <sys/resource.h>

namespace core {

namespace {

constexpr std::array<std::string_view, process_type_count> process_names = {
    "main", "pre-start", "post-start", "pre-stop", "post-stop", "security"};
constexpr std::array<std::string_view, 5> expect_names = {"none", "stop", "daemon", "fork", "notify"};
constexpr std::array<std::string_view, 4> console_names = {"none", "output", "owner", "log"};

struct LimitName {
    std::string_view name;
    int resource;
};
constexpr std::array<LimitName, 14> limit_names = {{
    {"as", RLIMIT_AS},
    {"core", RLIMIT_CORE},
    {"cpu", RLIMIT_CPU},
    {"data", RLIMIT_DATA},
    {"fsize", RLIMIT_FSIZE},
    {"memlock", RLIMIT_MEMLOCK},
    {"msgqueue", RLIMIT_MSGQUEUE},
    {"nice", RLIMIT_NICE},
    {"nofile", RLIMIT_NOFILE},
    {"nproc", RLIMIT_NPROC},
    {"rss", RLIMIT_RSS},
    {"rtprio", RLIMIT_RTPRIO},
    {"sigpending", RLIMIT_SIGPENDING},
    {"stack", RLIMIT_STACK},
}};

template <typename Enum, std::size_t N>
std::optional<Enum> lookup(const std::array<std::string_view, N>& names, std::string_view name) {
    for (std::size_t i = 0; i < N; ++i) {
        if (names[i] == name) {
            return static_cast<Enum>(i);
        }
    }
    return std::nullopt;
}

} // namespace

std::string_view to_string(ProcessType type) { return process_names[static_cast<std::size_t>(type)]; }
std::optional<ProcessType> process_type_from_string(std::string_view name) {
    return lookup<ProcessType>(process_names, name);
}

std::string_view to_string(ExpectType type) { return expect_names[static_cast<std::size_t>(type)]; }
std::optional<ExpectType> expect_type_from_string(std::string_view name) {
    return lookup<ExpectType>(expect_names, name);
}

std::string_view to_string(ConsoleType type) { return console_names[static_cast<std::size_t>(type)]; }
std::optional<ConsoleType> console_type_from_string(std::string_view name) {
    return lookup<ConsoleType>(console_names, name);
}

std::optional<int> limit_resource_from_string(std::string_view name) {
    for (const LimitName& entry : limit_names) {
        if (entry.name == name) {
            return entry.resource;
        }
    }
    return std::nullopt;
}

std::string_view limit_resource_name(int resource) {
    for (const LimitName& entry : limit_names) {
        if (entry.resource == resource) {
            return entry.name;
        }
    }
    return "unknown";
}

} // namespace core
