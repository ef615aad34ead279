// Owns the set of startd instances as the main config files describe them (Postfix's
// multi-instance parameters): the default instance, then each config dir its
// multi_instance_directories lists, in order; each one's name, group and whether it is enabled;
// and choosing some of them by name or group (-i, -g). Reading and safely rewriting a main config
// file is here too. Not here: starting or asking the daemons (instance_daemon.h), the commands.
#pragma once

#include "base/result.h"
#include "config/main_config.h"
#include "sys/sys.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cli {

// Where an instance's main config is, in its config dir.
inline constexpr std::string_view main_config_file = "startd.conf";

// The parameters (Postfix's names and meaning).
inline constexpr std::string_view param_directories = "multi_instance_directories";
inline constexpr std::string_view param_enable = "multi_instance_enable";
inline constexpr std::string_view param_name = "multi_instance_name";
inline constexpr std::string_view param_group = "multi_instance_group";

struct Instance {
    std::string config_dir;
    bool is_default = false;
    std::string name;  // multi_instance_name; empty when it has none
    std::string group; // multi_instance_group; empty when it has none
    // multi_instance_enable: no unless set, except in the default instance (always required,
    // as in Postfix), which is enabled unless it says `multi_instance_enable = no`.
    bool enabled = false;
    std::optional<std::string> error; // why its main config cannot be used ("PATH:LINE: …")

    std::string main_config_path() const { return config_dir + "/" + std::string(main_config_file); }
    // How messages name it: "mail (/etc/startd-mail)", or the dir alone.
    std::string label() const;
};

// DIR/startd.conf parsed; nullopt when the file does not exist. Other failures name the file.
base::Result<std::optional<config::MainConfig>> read_main_config(sys::Sys& sys, const std::string& path);
// Replaces the file with the config's text (temp file, fsync, rename: never half-written).
base::Result<void> write_main_config(sys::Sys& sys, const std::string& path, const config::MainConfig& cfg);

// The instance in `config_dir` as its main config describes it; a config that cannot be read,
// parsed or understood leaves `error` set (the instance is still one of the set).
Instance describe_instance(sys::Sys& sys, const std::string& config_dir, bool is_default);

// The default instance (in `default_config_dir`) then each listed one, in order. Fails only when
// the default's main config cannot be used, or lists a dir that is relative or listed twice.
base::Result<std::vector<Instance>> load_instances(sys::Sys& sys, const std::string& default_config_dir);

// The dirs the default instance's main config lists (empty without a config or the parameter).
std::vector<std::string> listed_directories(const config::MainConfig& cfg);

struct Selection {
    std::optional<std::string> name;  // -i NAME
    std::optional<std::string> group; // -g GROUP
};

// The instances `selection` names, in set order; all of them when it names none. A name or
// group no instance has is an error (a typo must not act on nothing and succeed); -i and -g
// together are refused.
base::Result<std::vector<Instance>> select_instances(const std::vector<Instance>& all,
                                                     const Selection& selection);

// Why `name` cannot be an instance name or group, or nullopt: it must be non-empty, not "-", and
// made of letters, digits, '_', '-' and '.'.
std::optional<std::string> bad_instance_word(std::string_view what, std::string_view name);

} // namespace cli
