// Owns the directory layout of a startd instance.
#include "control/endpoint.h"

#include <cstdio>

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

} // namespace

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
    if (mode == Mode::System) {
        default_config = "/etc/startd";
        default_jobs = "/etc/init";
        runtime_base = "/run/startd";
        state_base = "/var/log/startd";
    } else {
        default_config = home_based(env, "XDG_CONFIG_HOME", ".config") + "/startd";
        default_jobs = default_config + "/jobs";
        if (auto rt = env("XDG_RUNTIME_DIR"); rt && !rt->empty() && rt->front() == '/') {
            runtime_base = strip_trailing_slashes(*rt) + "/startd";
        } else {
            runtime_base = "/tmp/startd-" + std::to_string(uid);
        }
        state_base = home_based(env, "XDG_STATE_HOME", ".local/state") + "/startd/log";
    }
    std::string config = config_dir ? strip_trailing_slashes(*config_dir) : default_config;
    ep.config_dir = config;
    if (config == default_config) {
        ep.jobs_dir = default_jobs;
        ep.runtime_dir = runtime_base;
        ep.log_dir = state_base;
    } else {
        std::string tag = escape_path(config);
        ep.jobs_dir = config + "/jobs";
        ep.runtime_dir = runtime_base + "/instances/" + tag;
        ep.log_dir = state_base + "/instances/" + tag;
    }
    ep.socket = ep.runtime_dir + "/control";
    return ep;
}

} // namespace control
