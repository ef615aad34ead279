// Owns the directory layout of a startd instance and the safety check of its runtime dir.
#include "control/endpoint.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "build_config.h"
#include "sys/make_dirs.h"

namespace control {

namespace {

std::string strip_trailing_slashes(std::string path) {
    while (path.size() > 1 && path.back() == '/') {
        path.pop_back();
    }
    return path;
}

std::string home_based(const EnvLookup& env, std::string_view xdg, std::string_view fallback) {
    if (auto v = env(xdg); v && !v->empty() && v->front() == '/') {
        return *v;
    }
    std::string home = env("HOME").value_or("/");
    return strip_trailing_slashes(home) + "/" + std::string(fallback);
}

std::string octal_mode(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

// One directory of the runtime chain: nullopt when it is safe, else what is wrong with it.
std::optional<std::string> unsafe_because(const struct stat& st, Mode mode, uid_t owner) {
    if (S_ISLNK(st.st_mode)) {
        return "it is a symbolic link";
    }
    if (!S_ISDIR(st.st_mode)) {
        return "it is not a directory";
    }
    std::string who = mode == Mode::System ? "root" : "you (uid " + std::to_string(owner) + ")";
    if (st.st_uid != owner) {
        return "it is owned by uid " + std::to_string(st.st_uid) + ", not by " + who;
    }
    if (mode == Mode::User && (st.st_mode & 077) != 0) {
        return "its mode is " + octal_mode(st.st_mode) + ", not 0700";
    }
    if (mode == Mode::System && (st.st_mode & 022) != 0) {
        return "its mode is " + octal_mode(st.st_mode) + ": group or others may write to it";
    }
    return std::nullopt;
}

} // namespace

base::Result<void> secure_runtime_dir(sys::Sys& sys, const Endpoint& ep, uid_t uid, RuntimeDirUse use) {
    const std::string& root = ep.runtime_root;
    const std::string& dir = ep.runtime_dir;
    bool under_root = !root.empty() && dir.compare(0, root.size(), root) == 0 &&
                      (dir.size() == root.size() || dir[root.size()] == '/');
    if (!under_root) {
        return base::Error("runtime directory " + dir + " is not under " + root);
    }
    uid_t owner = ep.mode == Mode::System ? 0 : uid;
    mode_t create_mode = ep.mode == Mode::System ? 0755 : 0700;
    if (use == RuntimeDirUse::Listen) {
        if (auto slash = root.rfind('/'); slash != std::string::npos && slash > 0) {
            if (auto made = sys::make_dirs(sys, root.substr(0, slash), 0755); !made) {
                return base::Error("cannot create " + root.substr(0, slash) + ": " + made.error().message());
            }
        }
    }
    for (std::size_t end = root.size();; end = std::min(dir.find('/', end + 1), dir.size())) {
        std::string part = dir.substr(0, end);
        if (use == RuntimeDirUse::Listen) {
            if (auto made = sys.mkdir(part.c_str(), create_mode); !made && made.error().code() != EEXIST) {
                return base::Error("cannot create runtime directory " + part + ": " + made.error().message());
            }
        }
        auto st = sys.fstatat(AT_FDCWD, part.c_str(), AT_SYMLINK_NOFOLLOW);
        if (!st) {
            if (use == RuntimeDirUse::Connect && st.error().code() == ENOENT) {
                return {}; // nothing there to tamper with; connect() will say startd is not running
            }
            return base::Error("cannot check runtime directory " + part + ": " + st.error().message());
        }
        if (auto why = unsafe_because(*st, ep.mode, owner)) {
            return base::Error("refusing to use runtime directory " + part + ": " + *why +
                               " (another user could replace the control socket in it); remove it or fix its owner "
                               "and mode" +
                               (ep.mode == Mode::User ? " (chmod 0700), or set XDG_RUNTIME_DIR" : ""));
        }
        if (end == dir.size()) {
            return {};
        }
    }
}

std::optional<std::string> dir_identity(sys::Sys& sys, const std::string& dir) {
    auto st = sys.fstatat(AT_FDCWD, dir.c_str(), 0);
    if (!st || !S_ISDIR(st->st_mode)) {
        return std::nullopt;
    }
    return std::to_string(st->st_dev) + ":" + std::to_string(st->st_ino);
}

std::string escape_path(std::string_view path) {
    while (!path.empty() && path.front() == '/') {
        path.remove_prefix(1);
    }
    while (!path.empty() && path.back() == '/') {
        path.remove_suffix(1);
    }
    std::string out;
    for (char c : path) {
        auto u = static_cast<unsigned char>(c);
        if (c == '/') {
            out += '-';
        } else if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '_' ||
                   c == '.') {
            out += c;
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        }
    }
    return out.empty() ? "-" : out;
}

Endpoint resolve_endpoint(Mode mode, std::optional<std::string> config_dir, uid_t uid, const EnvLookup& env) {
    Endpoint ep;
    ep.mode = mode;
    std::string default_config;
    std::string default_jobs;
    std::string runtime_base;
    std::string state_base;
    std::string keep_base; // state that outlives startd
    if (mode == Mode::System) {
        default_config = STARTD_SYSTEM_CONFIG_DIR;
        default_jobs = STARTD_SYSTEM_JOBS_DIR;
        runtime_base = STARTD_SYSTEM_RUNTIME_DIR;
        state_base = STARTD_SYSTEM_LOG_DIR;
        keep_base = STARTD_SYSTEM_STATE_DIR;
    } else {
        default_config = home_based(env, "XDG_CONFIG_HOME", ".config") + "/startd";
        default_jobs = default_config + "/jobs";
        if (auto rt = env("XDG_RUNTIME_DIR"); rt && !rt->empty() && rt->front() == '/') {
            runtime_base = strip_trailing_slashes(*rt) + "/startd";
        } else {
            runtime_base = "/tmp/startd-" + std::to_string(uid);
        }
        keep_base = home_based(env, "XDG_STATE_HOME", ".local/state") + "/startd";
        state_base = keep_base + "/log";
    }
    std::string config = config_dir ? strip_trailing_slashes(*config_dir) : default_config;
    ep.config_dir = config;
    if (config == default_config) {
        ep.jobs_dir = default_jobs;
        ep.runtime_dir = runtime_base;
        ep.log_dir = state_base;
        ep.state_dir = keep_base;
    } else {
        std::string tag = escape_path(config);
        ep.jobs_dir = config + "/jobs";
        ep.runtime_dir = runtime_base + "/instances/" + tag;
        ep.log_dir = state_base + "/instances/" + tag;
        ep.state_dir = keep_base + "/instances/" + tag;
    }
    ep.runtime_root = runtime_base;
    ep.socket = ep.runtime_dir + "/control";
    ep.journal = ep.runtime_dir + "/state.journal";
    return ep;
}

} // namespace control
