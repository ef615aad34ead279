// Owns the commands that stream (protocol version 2): `log` (a job's log, then what is written
// to it) and `monitor` (events and job state changes as they happen); and `log-reopen`.
#include "control/command_call.h"

#include <algorithm>
#include <string_view>

namespace control {

namespace {

using nlohmann::json;

// Items of a log tail are cut at line ends where they can be, this big at most.
constexpr std::size_t tail_item = 64U << 10;

// The instance `log` names: JOB and KEY=VALUE (the class's `instance` stanza) or `instance`.
base::Result<std::string, ErrorInfo> named_instance(Call& call, const core::JobClass* cls) {
    const json& args = call.request.args;
    if (auto it = args.find("instance"); it != args.end()) {
        if (!it->is_string()) {
            return ErrorInfo{std::string(errc::invalid_argument), "argument \"instance\" must be a string"};
        }
        return it->get<std::string>();
    }
    auto env = env_arg(args, "env");
    if (!env) {
        return env.error();
    }
    if (cls == nullptr) {
        return std::string();
    }
    auto name = call.host.engine.instance_name(*cls, *env);
    if (!name) {
        return ErrorInfo{name.error().code, name.error().message};
    }
    return *name;
}

base::Result<std::optional<std::size_t>, ErrorInfo> lines_arg(const json& args) {
    auto it = args.find("lines");
    if (it == args.end()) {
        return std::optional<std::size_t>();
    }
    if (!it->is_number_integer() || it->get<std::int64_t>() < 0) {
        return ErrorInfo{std::string(errc::invalid_argument),
                         "argument \"lines\" must be a non-negative integer"};
    }
    return std::optional<std::size_t>(static_cast<std::size_t>(it->get<std::int64_t>()));
}

} // namespace

void cmd_log(Call& call) {
    CommandHost& host = call.host;
    if (!host.log_path || !host.read_log || !host.follow_log) {
        call.error(errc::internal, "job logs are not available here");
        return;
    }
    auto job = string_arg(call.request.args, "job");
    auto lines = lines_arg(call.request.args);
    auto follow = bool_arg(call.request.args, "follow", false);
    if (!job || !lines || !follow) {
        call.error(!job ? job.error() : !lines ? lines.error() : follow.error());
        return;
    }
    const core::JobClass* cls = host.engine.find_class(*job);
    if (cls == nullptr && host.engine.instances(*job).empty()) {
        call.error(errc::unknown_job, "Unknown job: " + *job);
        return;
    }
    if (cls != nullptr && cls->console != core::ConsoleType::Log) {
        call.error(errc::invalid_argument, *job + " does not log its output (console " +
                                               std::string(core::to_string(cls->console)) + ")");
        return;
    }
    auto instance = named_instance(call, cls);
    if (!instance) {
        call.error(instance.error());
        return;
    }
    std::string path = host.log_path(*job, *instance);
    auto tail = host.read_log(path, *lines);
    if (!tail) {
        call.error(errc::internal, "cannot read " + path + ": " + tail.error().message());
        return;
    }
    StreamPtr stream = (*call.open_stream)();
    call.replied = true;
    // The tail is bounded (max_log_tail): sent whatever the stream's bound, so none of it is lost.
    std::string_view rest = *tail;
    while (!rest.empty()) {
        std::size_t take = std::min(rest.size(), tail_item);
        if (take < rest.size()) {
            if (std::size_t nl = rest.rfind('\n', take - 1); nl != std::string_view::npos) {
                take = nl + 1;
            }
        }
        stream->send(json{{"data", rest.substr(0, take)}});
        rest.remove_prefix(take);
    }
    if (!*follow) {
        Response end;
        end.id = call.request.id;
        end.result = json{{"path", path}};
        stream->finish(std::move(end));
        return;
    }
    host.follow_log(path, std::move(stream));
}

void cmd_log_reopen(Call& call) {
    if (!call.host.reopen_logs) {
        call.error(errc::internal, "job logs are not available here");
        return;
    }
    call.host.reopen_logs();
    call.ok(json::object());
}

void cmd_monitor(Call& call) {
    if (!call.host.monitor) {
        call.error(errc::internal, "monitor is not available here");
        return;
    }
    StreamPtr stream = (*call.open_stream)();
    call.replied = true;
    call.host.monitor(std::move(stream));
}

} // namespace control
