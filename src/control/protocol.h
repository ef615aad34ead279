// Owns the control protocol's messages: Request and Response, their JSON encoding and strict
// decoding, protocol versions and error codes. Pure: no I/O (see docs/protocol.md).
// Not here: framing (framing.h), what commands do (commands.h), sockets (server.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace control {

// The newest protocol version this build speaks. Version 2 adds streaming replies (`log`,
// `monitor`); a version 1 request gets exactly what it got before. A request of any other version
// gets an "unsupported-version" error naming the versions supported.
inline constexpr int protocol_version = 2;
inline constexpr int oldest_protocol_version = 1;
// JSON nesting deeper than this is refused before parsing (our messages nest 3 levels).
inline constexpr int max_json_depth = 32;

// Stable error codes (docs/protocol.md lists them with their meaning).
namespace errc {
inline constexpr std::string_view bad_request = "bad-request";
inline constexpr std::string_view unsupported_version = "unsupported-version";
inline constexpr std::string_view unknown_command = "unknown-command";
inline constexpr std::string_view permission_denied = "permission-denied";
inline constexpr std::string_view too_large = "too-large";
inline constexpr std::string_view busy = "busy";
inline constexpr std::string_view unknown_job = "unknown-job";
inline constexpr std::string_view unknown_instance = "unknown-instance";
inline constexpr std::string_view already_running = "already-running";
inline constexpr std::string_view already_stopped = "already-stopped";
inline constexpr std::string_view not_running = "not-running";
inline constexpr std::string_view job_failed = "job-failed";
inline constexpr std::string_view invalid_argument = "invalid-argument";
inline constexpr std::string_view event_failed = "event-failed";
inline constexpr std::string_view no_such_variable = "no-such-variable";
inline constexpr std::string_view internal = "internal";
} // namespace errc

struct ErrorInfo {
    std::string code;    // one of errc
    std::string message; // for people, in Upstart's words where Upstart had some
};

struct Request {
    // Clients send version 1 unless they need version 2 (a streaming command), so that they
    // still talk to a startd older than streams.
    int version = oldest_protocol_version;
    std::uint64_t id = 0;
    std::string command;
    nlohmann::json args = nlohmann::json::object();
};

struct Response {
    int version = oldest_protocol_version; // the request's: a reply speaks its client's version
    std::uint64_t id = 0;
    bool ok = true;
    nlohmann::json result = nlohmann::json::object(); // when ok
    ErrorInfo error;                                  // when !ok
    // Version 2: one item of a streaming reply, not its end (`result` and `error` are unused).
    // The stream ends with an ordinary reply to the same id, or with the connection.
    std::optional<nlohmann::json> item;
};

// A request that could not be decoded. `id` is the request's id when it could be read, so the
// error reply can still be matched to it.
struct DecodeError {
    std::uint64_t id = 0;
    ErrorInfo error;
};

std::string encode_request(const Request& request);
base::Result<Request, DecodeError> decode_request(std::string_view payload);

std::string encode_response(const Response& response);
base::Result<Response, ErrorInfo> decode_response(std::string_view payload);

Response error_response(std::uint64_t id, std::string_view code, std::string message);
// The same, speaking `request`'s version.
Response error_response(const Request& request, std::string_view code, std::string message);

// True if JSON text nests arrays/objects deeper than `limit` (strings are skipped properly).
bool json_nesting_exceeds(std::string_view text, int limit);

// Argument accessors for command handlers: a missing required key, or a value of the wrong
// type, is an invalid-argument error naming the key.
base::Result<std::string, ErrorInfo> string_arg(const nlohmann::json& args, std::string_view key);
base::Result<std::string, ErrorInfo> optional_string_arg(const nlohmann::json& args, std::string_view key);
base::Result<bool, ErrorInfo> bool_arg(const nlohmann::json& args, std::string_view key, bool fallback);
// A list of "KEY=VALUE" strings; every entry must contain '=' and a non-empty KEY.
base::Result<std::vector<std::string>, ErrorInfo> env_arg(const nlohmann::json& args, std::string_view key);

} // namespace control
