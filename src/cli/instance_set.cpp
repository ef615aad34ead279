// Owns the instance set: reading the main configs, the parameters' meaning, and selection.
#include "cli/instance_set.h"

#include "sys/read_to_end.h"
#include "sys/replace_file.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>

namespace cli {

namespace {

constexpr std::size_t max_main_config = 1 << 20;

std::string without_trailing_slashes(std::string dir) {
    while (dir.size() > 1 && dir.back() == '/') {
        dir.pop_back();
    }
    return dir;
}

} // namespace

std::string Instance::label() const {
    return name.empty() ? config_dir : name + " (" + config_dir + ")";
}

base::Result<std::optional<config::MainConfig>> read_main_config(sys::Sys& sys, const std::string& path) {
    auto fd = sys.open(path.c_str(), O_RDONLY);
    if (!fd) {
        if (fd.error().code() == ENOENT) {
            return std::optional<config::MainConfig>();
        }
        return base::Error("cannot read " + path + ": " + fd.error().message());
    }
    auto text = sys::read_to_end(sys, fd->get(), max_main_config + 1);
    if (!text) {
        return base::Error("cannot read " + path + ": " + text.error().message());
    }
    if (text->size() > max_main_config) {
        return base::Error(path + ": larger than 1 MiB; not a main config file");
    }
    auto cfg = config::MainConfig::parse(*text, path);
    if (!cfg) {
        return cfg.error();
    }
    return std::optional<config::MainConfig>(std::move(cfg).value());
}

base::Result<void> write_main_config(sys::Sys& sys, const std::string& path, const config::MainConfig& cfg) {
    return sys::replace_file(sys, path, cfg.render(), 0644);
}

std::vector<std::string> listed_directories(const config::MainConfig& cfg) {
    return config::split_list(cfg.get(param_directories).value_or(""));
}

Instance describe_instance(sys::Sys& sys, const std::string& config_dir, bool is_default) {
    Instance in;
    in.config_dir = without_trailing_slashes(config_dir);
    in.is_default = is_default;
    in.enabled = is_default;
    auto cfg = read_main_config(sys, in.main_config_path());
    if (!cfg) {
        in.error = cfg.error().message();
        return in;
    }
    if (!cfg->has_value()) {
        if (!is_default) {
            in.error = in.main_config_path() + ": no such file (every listed instance has a main config)";
        }
        return in;
    }
    const config::MainConfig& c = **cfg;
    in.name = c.get(param_name).value_or("");
    in.group = c.get(param_group).value_or("");
    if (auto enable = c.get(param_enable)) {
        auto yes = config::parse_yes_no(*enable, in.main_config_path() + ": " + std::string(param_enable));
        if (!yes) {
            in.error = yes.error().message();
        } else {
            in.enabled = *yes;
        }
    }
    for (auto [what, value] : {std::pair{param_name, in.name}, std::pair{param_group, in.group}}) {
        if (!value.empty()) {
            if (auto bad = bad_instance_word(what, value)) {
                in.error = in.main_config_path() + ": " + *bad;
            }
        }
    }
    return in;
}

base::Result<std::vector<Instance>> load_instances(sys::Sys& sys, const std::string& default_config_dir) {
    std::vector<Instance> all;
    all.push_back(describe_instance(sys, default_config_dir, true));
    if (all.front().error) {
        return base::Error(*all.front().error);
    }
    auto cfg = read_main_config(sys, all.front().main_config_path());
    if (!cfg) {
        return cfg.error();
    }
    if (!cfg->has_value()) {
        return all;
    }
    for (const std::string& listed : listed_directories(**cfg)) {
        std::string dir = without_trailing_slashes(listed);
        if (dir.front() != '/') {
            return base::Error(all.front().main_config_path() + ": " + std::string(param_directories) +
                               " lists '" + listed + "': config dirs must be absolute paths");
        }
        if (std::any_of(all.begin(), all.end(), [&](const Instance& i) { return i.config_dir == dir; })) {
            return base::Error(all.front().main_config_path() + ": " + std::string(param_directories) +
                               " lists " + dir + " twice (or the default instance's own dir)");
        }
        all.push_back(describe_instance(sys, dir, false));
    }
    return all;
}

base::Result<std::vector<Instance>> select_instances(const std::vector<Instance>& all,
                                                     const Selection& selection) {
    if (selection.name && selection.group) {
        return base::Error("-i NAME and -g GROUP both select instances: give one of them");
    }
    if (!selection.name && !selection.group) {
        return all;
    }
    std::vector<Instance> chosen;
    for (const Instance& in : all) {
        if ((selection.name && in.name == *selection.name) ||
            (selection.group && in.group == *selection.group)) {
            chosen.push_back(in);
        }
    }
    if (chosen.empty()) {
        return base::Error(selection.name ? "no instance is named '" + *selection.name + "'"
                                          : "no instance is in group '" + *selection.group + "'");
    }
    return chosen;
}

std::optional<std::string> bad_instance_word(std::string_view what, std::string_view name) {
    auto ok = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '-' || c == '.';
    };
    if (name.empty() || name == "-" || !std::all_of(name.begin(), name.end(), ok)) {
        return std::string(what) + ": '" + std::string(name) +
               "' is not a name (letters, digits, '_', '-' and '.' only, not '-' alone)";
    }
    return std::nullopt;
}

} // namespace cli
