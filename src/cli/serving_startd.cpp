// Owns the "is startd serving this jobs dir?" question of enable and disable.
#include "cli/serving_startd.h"

#include "control/endpoint.h"

#include <cerrno>

namespace cli {

namespace {

// The startd at ctx.socket and its `version` reply; nullopt when none listens there.
struct Answered {
    Client client;
    nlohmann::json version;
};

base::Result<std::optional<Answered>> ask_version(Context& ctx) {
    if (ctx.socket_refused) {
        return base::Error(*ctx.socket_refused);
    }
    auto client = Client::connect(ctx.sys, ctx.socket);
    if (!client) {
        int code = client.error().code();
        if (code == ENOENT || code == ECONNREFUSED || code == ENOTDIR) {
            return std::optional<Answered>(); // no startd here
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
    return std::optional<Answered>(Answered{std::move(client).value(), std::move(reply->result)});
}

} // namespace

base::Result<std::string> jobs_dir_served_at(Context& ctx) {
    auto answered = ask_version(ctx);
    if (!answered) {
        return answered.error();
    }
    if (!*answered) {
        return base::Error("no startd answers at " + ctx.socket + " to say which jobs dir it serves: give --jobs-dir DIR");
    }
    std::string served = (*answered)->version.value("jobs_dir", std::string());
    if (served.empty()) {
        return base::Error("the startd at " + ctx.socket +
                           " does not say which jobs dir it serves (an older startd): give --jobs-dir DIR");
    }
    if (served.front() != '/') {
        return base::Error("the startd at " + ctx.socket + " was given the relative jobs dir " + served +
                           ", which says nothing here: give --jobs-dir DIR");
    }
    return served;
}

base::Result<ServingStartd> find_serving_startd(Context& ctx, const std::string& jobs_dir) {
    auto answered = ask_version(ctx);
    if (!answered) {
        return answered.error();
    }
    if (!*answered) {
        return ServingStartd{}; // no startd here: nothing to tell
    }
    Client client = std::move((*answered)->client);
    const nlohmann::json& result = (*answered)->version;
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
    return ServingStartd{std::move(client), {}};
}

} // namespace cli
