// Owns JSON encoding and strict decoding of control-protocol messages.
#include "control/protocol.h"

namespace control {

using nlohmann::json;

namespace {

json parse(std::string_view payload) {
    // No exceptions: a discarded value means malformed JSON.
    return json::parse(payload.begin(), payload.end(), nullptr, false);
}

std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

DecodeError bad(std::uint64_t id, std::string message) {
    return DecodeError{id, ErrorInfo{std::string(errc::bad_request), std::move(message)}};
}

} // namespace

bool json_nesting_exceeds(std::string_view text, int limit) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > limit) {
                return true;
            }
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return false;
}

std::string encode_request(const Request& request) {
    return dump(json{{"v", request.version}, {"id", request.id}, {"cmd", request.command}, {"args", request.args}});
}

base::Result<Request, DecodeError> decode_request(std::string_view payload) {
    if (json_nesting_exceeds(payload, max_json_depth)) {
        return bad(0, "request nests deeper than " + std::to_string(max_json_depth) + " levels");
    }
    json doc = parse(payload);
    if (doc.is_discarded()) {
        return bad(0, "request is not valid JSON");
    }
    if (!doc.is_object()) {
        return bad(0, "request must be a JSON object");
    }
    Request request;
    if (auto id = doc.find("id"); id != doc.end()) {
        if (!id->is_number_unsigned()) {
            return bad(0, "\"id\" must be a non-negative integer");
        }
        request.id = id->get<std::uint64_t>();
    }
    auto version = doc.find("v");
    if (version == doc.end() || !version->is_number_integer()) {
        return bad(request.id, "\"v\" (protocol version) is missing or not an integer");
    }
    if (std::int64_t v = version->get<std::int64_t>(); v < oldest_protocol_version || v > protocol_version) {
        return DecodeError{request.id, ErrorInfo{std::string(errc::unsupported_version),
                                                 "protocol version " + version->dump() +
                                                     " is not supported; this startd speaks versions " +
                                                     std::to_string(oldest_protocol_version) + " to " +
                                                     std::to_string(protocol_version)}};
    }
    request.version = static_cast<int>(version->get<std::int64_t>());
    auto cmd = doc.find("cmd");
    if (cmd == doc.end() || !cmd->is_string() || cmd->get_ref<const std::string&>().empty()) {
        return bad(request.id, "\"cmd\" is missing or not a non-empty string");
    }
    request.command = cmd->get<std::string>();
    if (auto args = doc.find("args"); args != doc.end()) {
        if (!args->is_object()) {
            return bad(request.id, "\"args\" must be an object");
        }
        request.args = std::move(*args);
    }
    return request;
}

std::string encode_response(const Response& response) {
    json doc = {{"v", response.version}, {"id", response.id}, {"ok", response.ok}};
    if (response.item) {
        doc["item"] = *response.item;
    } else if (response.ok) {
        doc["result"] = response.result;
    } else {
        doc["error"] = {{"code", response.error.code}, {"message", response.error.message}};
    }
    return dump(doc);
}

base::Result<Response, ErrorInfo> decode_response(std::string_view payload) {
    auto fail = [](std::string message) { return ErrorInfo{std::string(errc::bad_request), std::move(message)}; };
    if (json_nesting_exceeds(payload, max_json_depth * 4)) {
        return fail("reply nests too deeply");
    }
    json doc = parse(payload);
    if (doc.is_discarded() || !doc.is_object()) {
        return fail("reply is not a JSON object");
    }
    Response response;
    auto id = doc.find("id");
    auto ok = doc.find("ok");
    if (id == doc.end() || !id->is_number_unsigned() || ok == doc.end() || !ok->is_boolean()) {
        return fail("reply lacks \"id\" or \"ok\"");
    }
    response.id = id->get<std::uint64_t>();
    response.ok = ok->get<bool>();
    if (auto version = doc.find("v"); version != doc.end() && version->is_number_integer()) {
        response.version = static_cast<int>(version->get<std::int64_t>());
    }
    if (auto item = doc.find("item"); item != doc.end() && response.ok) {
        response.item = std::move(*item);
        return response;
    }
    if (response.ok) {
        if (auto result = doc.find("result"); result != doc.end()) {
            response.result = std::move(*result);
        }
        return response;
    }
    auto error = doc.find("error");
    if (error == doc.end() || !error->is_object()) {
        return fail("error reply lacks \"error\"");
    }
    response.error.code = error->value("code", std::string(errc::internal));
    response.error.message = error->value("message", std::string());
    return response;
}

Response error_response(std::uint64_t id, std::string_view code, std::string message) {
    Response r;
    r.id = id;
    r.ok = false;
    r.error = ErrorInfo{std::string(code), std::move(message)};
    return r;
}

Response error_response(const Request& request, std::string_view code, std::string message) {
    Response r = error_response(request.id, code, std::move(message));
    r.version = request.version;
    return r;
}

namespace {
ErrorInfo invalid(std::string_view key, std::string_view what) {
    return ErrorInfo{std::string(errc::invalid_argument), "argument \"" + std::string(key) + "\" " + std::string(what)};
}
} // namespace

base::Result<std::string, ErrorInfo> string_arg(const json& args, std::string_view key) {
    auto it = args.find(key);
    if (it == args.end()) {
        return invalid(key, "is required");
    }
    if (!it->is_string()) {
        return invalid(key, "must be a string");
    }
    return it->get<std::string>();
}

base::Result<std::string, ErrorInfo> optional_string_arg(const json& args, std::string_view key) {
    if (args.find(key) == args.end()) {
        return std::string();
    }
    return string_arg(args, key);
}

base::Result<bool, ErrorInfo> bool_arg(const json& args, std::string_view key, bool fallback) {
    auto it = args.find(key);
    if (it == args.end()) {
        return fallback;
    }
    if (!it->is_boolean()) {
        return invalid(key, "must be true or false");
    }
    return it->get<bool>();
}

base::Result<std::vector<std::string>, ErrorInfo> env_arg(const json& args, std::string_view key) {
    std::vector<std::string> env;
    auto it = args.find(key);
    if (it == args.end()) {
        return env;
    }
    if (!it->is_array()) {
        return invalid(key, "must be a list of KEY=VALUE strings");
    }
    for (const json& entry : *it) {
        if (!entry.is_string()) {
            return invalid(key, "must be a list of KEY=VALUE strings");
        }
        const auto& text = entry.get_ref<const std::string&>();
        std::size_t eq = text.find('=');
        if (eq == std::string::npos || eq == 0) {
            return ErrorInfo{std::string(errc::invalid_argument), "Env must be KEY=VALUE pairs: '" + text + "'"};
        }
        env.push_back(text);
    }
    return env;
}

} // namespace control
