// Owns the timer state file's format, reading and atomic writing.
#include "daemon/timer_state_file.h"

#include "sys/make_dirs.h"
#include "sys/read_to_end.h"

#include <cerrno>
#include <fcntl.h>
#include <nlohmann/json.hpp>

namespace daemon_main {

using nlohmann::json;

namespace {

constexpr std::size_t max_state_bytes = std::size_t{16} << 20;

std::string parent_dir(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos || slash == 0 ? std::string(slash == 0 ? "/" : ".")
                                                    : path.substr(0, slash);
}

} // namespace

std::string encode_timer_state(const std::vector<core::TimerState>& states) {
    json timers = json::array();
    for (const core::TimerState& s : states) {
        timers.push_back({{"job", s.job}, {"timer", s.timer}, {"last", s.last}});
    }
    json doc = {{"version", timer_state_version}, {"timers", std::move(timers)}};
    return doc.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

base::Result<std::vector<core::TimerState>> decode_timer_state(std::string_view text) {
    json doc = json::parse(text.begin(), text.end(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return base::Error("not a JSON object");
    }
    auto version = doc.find("version");
    if (version == doc.end() || !version->is_number_integer() || version->get<int>() != timer_state_version) {
        return base::Error("not a timer state file of version " + std::to_string(timer_state_version));
    }
    auto timers = doc.find("timers");
    if (timers == doc.end() || !timers->is_array()) {
        return base::Error("no \"timers\" list");
    }
    std::vector<core::TimerState> states;
    for (const json& t : *timers) {
        if (!t.is_object() || t.size() != 3 || !t.contains("job") || !t["job"].is_string() ||
            !t.contains("timer") || !t["timer"].is_string() || !t.contains("last") ||
            !t["last"].is_number_integer()) {
            return base::Error("a timer entry is not {\"job\":TEXT,\"timer\":TEXT,\"last\":SECONDS}");
        }
        states.push_back(core::TimerState{t["job"].get<std::string>(), t["timer"].get<std::string>(),
                                          t["last"].get<std::int64_t>(), 0});
    }
    return states;
}

base::Result<std::vector<core::TimerState>> read_timer_state(sys::Sys& sys, const std::string& path) {
    auto fd = sys.open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    if (!fd) {
        if (fd.error().code() == ENOENT) {
            return std::vector<core::TimerState>();
        }
        return fd.error();
    }
    auto text = sys::read_to_end(sys, fd->get(), max_state_bytes + 1);
    if (!text) {
        return text.error();
    }
    if (text->size() > max_state_bytes) {
        return base::Error("larger than " + std::to_string(max_state_bytes >> 20) + " MiB");
    }
    return decode_timer_state(*text);
}

base::Result<void> write_timer_state(sys::Sys& sys, const std::string& path,
                                     const std::vector<core::TimerState>& states) {
    if (auto dirs = sys::make_dirs(sys, parent_dir(path), 0755); !dirs) {
        return dirs.error();
    }
    std::string tmp = path + ".new";
    auto fd = sys.open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
    if (!fd) {
        return fd.error();
    }
    std::string text = encode_timer_state(states);
    std::size_t done = 0;
    base::Result<void> written;
    while (done < text.size()) {
        auto n = sys.write(fd->get(), text.data() + done, text.size() - done);
        if (!n) {
            if (n.error().code() == EINTR) {
                continue;
            }
            written = n.error();
            break;
        }
        done += *n;
    }
    fd->reset();
    if (written) {
        written = sys.rename(tmp.c_str(), path.c_str());
    }
    if (!written) {
        (void)sys.unlink(tmp.c_str());
    }
    return written;
}

} // namespace daemon_main
