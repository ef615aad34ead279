// Owns the plumbing every startctl command shares: one request/reply, errors on stderr, JSON output.
#include "cli/command_context.h"

#include "cli/client.h"
#include "cli/exit_codes.h"

#include <cstdio>

namespace cli {

using nlohmann::json;

int fail(const Options& o, const std::string& message) {
    std::fprintf(stderr, "%s: %s\n", o.prog.c_str(), message.c_str());
    return exit_failure;
}

// Sends one request; prints the error and returns nullopt when it did not succeed.
std::optional<json> call(Context& ctx, const std::string& command, json args, int& status) {
    auto client = Client::connect(ctx.sys, ctx.socket);
    if (!client) {
        status = fail(ctx.o, client.error().message());
        return std::nullopt;
    }
    auto reply = client->call(command, std::move(args));
    if (!reply) {
        status = fail(ctx.o, reply.error().message());
        return std::nullopt;
    }
    if (!reply->ok) {
        status = fail(ctx.o, reply->error.message);
        return std::nullopt;
    }
    status = exit_ok;
    return std::move(reply->result);
}

void print_json(const json& value) {
    std::printf("%s\n", value.dump(2, ' ', false, json::error_handler_t::replace).c_str());
}

// Sends the request and, with --json, prints its result. Returns the result only when it is
// still to be printed in Upstart's format; `status` is the exit status either way.
std::optional<json> fetch(Context& ctx, const std::string& command, json args, int& status) {
    auto result = call(ctx, command, std::move(args), status);
    if (result && ctx.o.json) {
        print_json(*result);
        return std::nullopt;
    }
    return result;
}

} // namespace cli
