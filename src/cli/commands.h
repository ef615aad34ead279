// Owns startctl's command table (each command's name, handler, arguments and help line: the one
// list that dispatch, --help and the Upstart program names read) and running one command.
#pragma once

#include <sys/types.h>

#include <span>
#include <string_view>

#include "cli/options.h"
#include "control/endpoint.h"
#include "sys/sys.h"

namespace cli {

struct Context;

// What a command's first argument names; the bash completion offers names of that kind there.
enum class Operand {
    None,     // nothing startctl can look up (an event, VAR=VALUE, no argument at all)
    Job,      // a job name (start JOB, usage JOB, show-config [JOB])
    Variable, // a variable of the job environment table (get-env VAR, unset-env VAR...)
};

// Where a command does its work.
enum class Reach : unsigned char {
    Startd,    // a request to startd, which must be running
    JobFiles,  // the job files (enable, disable, is-enabled); startd, if one serves them, is told
    Instances, // the instances of startd (instance …): their main configs and their daemons
};

struct Command {
    std::string_view name;
    int (*run)(Context&); // checks the arguments, sends the request, prints; returns the exit status
    Operand operand;
    // Also installed as a program of this name (start, stop, …): argv[0] is then the command.
    bool own_program;
    std::string_view synopsis; // "start JOB [KEY=VALUE]...", in --help
    std::string_view summary;  // what it does, in --help
    Reach reach = Reach::Startd;
};

// Every command, in the order --help lists them.
std::span<const Command> commands();
// The command called `name`, or nullptr.
const Command* find_command(std::string_view name);

// Runs the command in `options`; returns startctl's exit status (cli/exit_codes.h).
int run(const Options& options, sys::Sys& sys, const control::EnvLookup& env, uid_t uid);

} // namespace cli
