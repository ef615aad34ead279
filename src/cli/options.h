// Owns startctl's command line: global options, the command (from argv[0] or the first word),
// and its arguments, parsed the way initctl accepted them (options anywhere) with getopt_long's
// spellings (base/option_parser.h); and what startctl prints about itself: help, usage, version.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "control/endpoint.h"

namespace cli {

struct Options {
    std::string prog;    // "startctl", "start", "initctl", … for messages
    std::string command; // "start", "status", …; empty means help
    std::vector<std::string> args;
    std::optional<std::string> config_dir; // -c DIR / --config DIR
    std::optional<std::string> socket;      // --socket PATH
    std::optional<control::Mode> mode;      // --user / --system
    std::optional<std::string> root;        // enable/disable/is-enabled: --root DIR (jobs in DIR/etc/init)
    std::optional<std::string> jobs_dir;    // enable/disable/is-enabled: --jobs-dir DIR
    // instance commands (and -i before any command): select instances by name or group; the
    // new name and group of create and assign.
    std::optional<std::string> instance_name; // -i NAME
    std::optional<std::string> group;         // instance … -g GROUP
    std::optional<std::string> new_name;      // instance create/assign -I NAME
    std::optional<std::string> new_group;     // instance create/assign -G GROUP
    bool no_wait = false;
    bool json = false;
    bool quiet = false;
    bool help = false;
    bool version = false;
    bool enumerate = false; // show-config -e
    bool global = false;    // env commands: -g, the global table even inside a job
    bool retain = false;    // set-env -r: keep values already set
    bool now = false;       // enable/disable --now: also start/stop the job
    std::optional<std::size_t> lines; // log -n N / --lines N: the last N lines
    bool follow = false;    // log -f: then what is written, until interrupted
    bool reopen = false;    // log --reopen: startd reopens every job log (rotation)
    bool svg = false;       // graph --svg: through Graphviz's dot
    std::optional<std::uint64_t> since; // plot --since SECONDS: that window, not the start-up
};

// Parses argv. Errors name the bad option.
base::Result<Options> parse_options(int argc, const char* const* argv);

// The whole help, on stdout (--help).
void print_help(const Options& options);
// Two lines on stderr for a command line without a command.
void print_usage(const Options& options);
// --version, on stdout: "PROG (upstart X.Y.Z)", the form configuration managers parse
// (`initctl --version`) to learn which Upstart they drive, then startd's own version.
void print_version(const Options& options);

} // namespace cli
