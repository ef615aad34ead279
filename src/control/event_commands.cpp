// Owns the event commands: emit (waits until every job the event affected is at rest, unless
// told not to) and usage.
#include "control/command_call.h"

namespace control {

using nlohmann::json;

void cmd_emit(Call& call) {
    auto name = string_arg(call.request.args, "name");
    auto env = env_arg(call.request.args, "env");
    auto wait = bool_arg(call.request.args, "wait", true);
    if (!name || !env || !wait) {
        call.error(!name ? name.error() : !env ? env.error() : wait.error());
        return;
    }
    if (name->empty()) {
        call.error(errc::invalid_argument, "Name may not be empty string");
        return;
    }
    for (char c : *name) {
        if (static_cast<unsigned char>(c) < 0x20 || c == ' ' || c == 0x7f) {
            call.error(errc::invalid_argument, "Event name may not contain spaces or control characters");
            return;
        }
    }
    core::EventWaiter waiter;
    if (*wait) {
        waiter = [reply = call.reply, id = call.request.id](const core::Event& ev) {
            if (ev.failed) {
                std::string message = "Event failed";
                for (std::size_t i = 0; i < ev.failures.size(); ++i) {
                    message += (i == 0 ? ": " : "; ") + ev.failures[i];
                }
                reply(error_response(id, errc::event_failed, std::move(message)));
                return;
            }
            Response r;
            r.id = id;
            r.result = {{"event", ev.id}};
            reply(std::move(r));
        };
    }
    std::uint64_t event_id = call.host.engine.emit(std::move(*name), std::move(*env), std::move(waiter));
    if (!*wait) {
        call.ok({{"event", event_id}});
    }
}

void cmd_usage(Call& call) {
    auto job = string_arg(call.request.args, "job");
    if (!job) {
        call.error(job.error());
        return;
    }
    const core::JobClass* cls = call.host.engine.find_class(*job);
    if (cls == nullptr) {
        call.error(errc::unknown_job, "Unknown job: " + *job);
        return;
    }
    call.ok({{"job", *job}, {"usage", cls->usage}});
}

} // namespace control
