// Owns Call: one command being answered — the request, the host, and the reply that must be
// given exactly once. Shared by the command handler files (commands.cpp, event_commands.cpp,
// env_commands.cpp, log_commands.cpp); not part of the control API.
#pragma once

#include "control/commands.h"

namespace control {

struct Call {
    CommandHost& host;
    const Request& request;
    const Reply& reply;
    bool replied = false;
    const OpenStream* open_stream = nullptr; // how a streaming command replies

    void ok(nlohmann::json result) {
        Response r;
        r.id = request.id;
        r.result = std::move(result);
        replied = true;
        reply(std::move(r));
    }
    void error(std::string_view code, std::string message) {
        replied = true;
        reply(error_response(request.id, code, std::move(message)));
    }
    void error(const ErrorInfo& e) { error(e.code, e.message); }
    void error(const core::CommandError& e) { error(e.code, e.message); }
};

// commands.cpp: what status and why share.
// The job, instance and status entry a status-like request names ({"job", "env", "instance"}):
// the instance is its "instance" argument, else the class's `instance` stanza expanded with
// "env"; the entry is the live instance, what was kept of a gone one, or stop/waiting, with log,
// containment, cannot_start and next_timer. Replies with the error (a bad argument,
// unknown-job, unknown-instance, …) and returns nullopt.
struct RequestedStatus {
    std::string job;
    std::string instance;
    nlohmann::json entry;
};
std::optional<RequestedStatus> requested_status(Call& call);

// why_command.cpp
void cmd_why(Call& call);
// timeline_command.cpp
void cmd_timeline(Call& call);

// event_commands.cpp
void cmd_emit(Call& call);
void cmd_usage(Call& call);

// log_commands.cpp: streaming replies (version 2) and log rotation.
void cmd_log(Call& call);
void cmd_log_reopen(Call& call);
void cmd_monitor(Call& call);

// env_commands.cpp: the job environment table (global, or one instance's).
void cmd_list_env(Call& call);
void cmd_get_env(Call& call);
void cmd_set_env(Call& call);
void cmd_unset_env(Call& call);
void cmd_reset_env(Call& call);

} // namespace control
