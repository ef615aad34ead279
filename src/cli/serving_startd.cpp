// Owns the "is startd serving this jobs dir?" question of enable and disable.
#include "cli/serving_startd.h"

#include "control/endpoint.h"

#include <cerrno>

namespace cli {

base::Result<ServingStartd> find_serving_startd(Context& ctx, const std::string& jobs_dir) {
    if (ctx.socket_refused) {
        return base::Error(*ctx.socket_refused);
    }
    auto client = Client::connect(ctx.sys, ctx.socket);
    if (!client) {
        int code = client.error().code();
        if (code == ENOENT || code == ECONNREFUSED || code == ENOTDIR) {
            return ServingStartd{}; // no startd here: nothing to tell
        }
        return client.error();
    }
    auto reply = client->call("version", nlohmann::json::object());
    if (!reply) {
        return reply.error();
    }
    if (!reply->ok) {
        return base::Error("startd at " + ctx.socket + ": " + reply->error.message);
    }
    const nlohmann::json& result = reply->result;
    std::string served = result.value("jobs_dir", std::string());
    auto id = result.find("jobs_dir_id");
    if (id == result.end() || !id->is_string()) {
        return ServingStartd{std::nullopt, "the startd at " + ctx.socket +
                                               " does not say which jobs dir it serves (an older startd); "
                                               "if it is " +
                                               jobs_dir + ", run `startctl reload-configuration`"};
    }
    if (control::dir_identity(ctx.sys, jobs_dir) != id->get<std::string>()) {
        return ServingStartd{std::nullopt, "the startd at " + ctx.socket + " serves " + served + ", not " +
                                               jobs_dir + ": it was not told"};
    }
    return ServingStartd{std::move(client).value(), {}};
}

} // namespace cli
