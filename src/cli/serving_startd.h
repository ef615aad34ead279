// Owns finding the startd that serves a jobs dir, for enable and disable: connected when one runs
// on the socket the options name and serves that very directory (the `version` reply's
// jobs_dir_id, compared with the directory's own); none, with a note saying why, otherwise. And
// the other way round: the jobs dir of the startd at a socket given with --socket.
#pragma once

#include "base/result.h"
#include "cli/client.h"
#include "cli/command_context.h"

#include <optional>
#include <string>

namespace cli {

struct ServingStartd {
    std::optional<Client> client; // set when a startd serves the jobs dir
    // Why none was asked, for people: empty when no startd runs on the socket (nothing to say:
    // the change applies when one starts), else which directory the one there serves.
    std::string note;
};

// Connects to ctx.socket and asks startd which jobs dir it serves. No startd listening there
// (no socket, or a stale one) is not an error. Errors: the socket's directory is unsafe, or the
// connection failed otherwise (refused by permissions, a startd of another user).
base::Result<ServingStartd> find_serving_startd(Context& ctx, const std::string& jobs_dir);

// The jobs dir of the startd at ctx.socket, as it reports it: for enable and disable given only
// --socket, which names a startd rather than a directory. Errors say what to give instead
// (--jobs-dir): no startd there, an older one that does not say, or a relative path.
base::Result<std::string> jobs_dir_served_at(Context& ctx);

} // namespace cli
