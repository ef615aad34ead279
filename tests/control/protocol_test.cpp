// Tests control-protocol encoding and strict decoding of requests and responses.
#include "control/protocol.h"

#include <gtest/gtest.h>

namespace {

using namespace control;
using nlohmann::json;

TEST(ControlProtocol, RequestRoundTripsThroughJson) {
    Request request;
    request.id = 42;
    request.command = "start";
    request.args = {{"job", "getty"}, {"env", {"TTY=tty1"}}, {"wait", true}};
    auto decoded = decode_request(encode_request(request));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->id, 42u);
    EXPECT_EQ(decoded->command, "start");
    EXPECT_EQ(decoded->args, request.args);
}

TEST(ControlProtocol, ResponseRoundTripsBothOkAndError) {
    Response ok;
    ok.id = 3;
    ok.result = {{"status", "web start/running, process 12"}};
    auto decoded = decode_response(encode_response(ok));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_TRUE(decoded->ok);
    EXPECT_EQ(decoded->result, ok.result);

    auto failed = decode_response(encode_response(error_response(4, errc::unknown_job, "Unknown job: nope")));
    ASSERT_TRUE(failed.has_value());
    EXPECT_FALSE(failed->ok);
    EXPECT_EQ(failed->id, 4u);
    EXPECT_EQ(failed->error.code, "unknown-job");
    EXPECT_EQ(failed->error.message, "Unknown job: nope");
}

TEST(ControlProtocol, MalformedJsonIsABadRequest) {
    auto r = decode_request("{\"v\":1, \"cmd\": ");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().error.code, "bad-request");
}

TEST(ControlProtocol, NonObjectRequestIsABadRequest) {
    for (std::string_view text : {"[]", "42", "\"start\"", "null"}) {
        auto r = decode_request(text);
        ASSERT_FALSE(r.has_value()) << text;
        EXPECT_EQ(r.error().error.code, "bad-request") << text;
    }
}

TEST(ControlProtocol, ErrorsKeepTheRequestIdWhenItCouldBeRead) {
    auto r = decode_request(R"({"v":1,"id":9,"cmd":5})");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().id, 9u);
    EXPECT_NE(r.error().error.message.find("cmd"), std::string::npos);
}

TEST(ControlProtocol, OtherProtocolVersionsAreRefusedByName) {
    for (const char* text : {R"({"v":3,"id":1,"cmd":"status"})", R"({"v":0,"id":1,"cmd":"status"})"}) {
        auto r = decode_request(text);
        ASSERT_FALSE(r.has_value());
        EXPECT_EQ(r.error().error.code, "unsupported-version");
        EXPECT_NE(r.error().error.message.find("versions 1 to 2"), std::string::npos) << r.error().error.message;
    }
}

TEST(ControlProtocol, BothVersionsAreReadAndTheReplySpeaksTheRequestsVersion) {
    auto v1 = decode_request(R"({"v":1,"id":1,"cmd":"status"})");
    auto v2 = decode_request(R"({"v":2,"id":2,"cmd":"log"})");
    ASSERT_TRUE(v1.has_value());
    ASSERT_TRUE(v2.has_value());
    EXPECT_EQ(v1->version, 1);
    EXPECT_EQ(v2->version, 2);
    Response r;
    r.id = 1;
    EXPECT_EQ(nlohmann::json::parse(encode_response(r))["v"], 1) << "a version 1 client gets what it got before";
    Request request;
    request.command = "status";
    EXPECT_EQ(nlohmann::json::parse(encode_request(request))["v"], 1) << "clients send 1 unless they stream";
}

TEST(ControlProtocol, AStreamItemRoundTripsAndIsNotAFinalReply) {
    Response item;
    item.version = 2;
    item.id = 7;
    item.item = nlohmann::json{{"data", "a\n"}};
    std::string text = encode_response(item);
    EXPECT_EQ(nlohmann::json::parse(text),
              (nlohmann::json{{"v", 2}, {"id", 7}, {"ok", true}, {"item", {{"data", "a\n"}}}}));
    auto back = decode_response(text);
    ASSERT_TRUE(back.has_value());
    ASSERT_TRUE(back->item.has_value());
    EXPECT_EQ((*back->item)["data"], "a\n");
    auto final_reply = decode_response(R"({"v":2,"id":7,"ok":true,"result":{"path":"/x"}})");
    ASSERT_TRUE(final_reply.has_value());
    EXPECT_FALSE(final_reply->item.has_value());
    EXPECT_EQ(final_reply->version, 2);
}

TEST(ControlProtocol, MissingVersionIsABadRequest) {
    auto r = decode_request(R"({"id":1,"cmd":"status"})");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().error.code, "bad-request");
}

TEST(ControlProtocol, ArgsMustBeAnObject) {
    auto r = decode_request(R"({"v":1,"id":1,"cmd":"status","args":[1]})");
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().error.message.find("args"), std::string::npos);
}

TEST(ControlProtocol, DeeplyNestedJsonIsRefusedBeforeParsing) {
    std::string deep = R"({"v":1,"id":1,"cmd":"x","args":{"a":)" + std::string(100000, '[') +
                       std::string(100000, ']') + "}}";
    auto r = decode_request(deep);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().error.message.find("deeper"), std::string::npos);
}

TEST(JsonNesting, BracketsInsideStringsDoNotCount) {
    EXPECT_FALSE(json_nesting_exceeds(R"({"a":"[[[[[[[[[[\"[[[["})", 2));
    EXPECT_TRUE(json_nesting_exceeds("[[[", 2));
}

TEST(ControlProtocolArgs, EnvEntriesMustBeKeyEqualsValue) {
    auto good = env_arg(json{{"env", {"A=1", "B="}}}, "env");
    ASSERT_TRUE(good.has_value());
    EXPECT_EQ(*good, (std::vector<std::string>{"A=1", "B="}));

    auto bad = env_arg(json{{"env", {"A=1", "oops"}}}, "env");
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().message, "Env must be KEY=VALUE pairs: 'oops'");

    auto empty_key = env_arg(json{{"env", {"=x"}}}, "env");
    EXPECT_FALSE(empty_key.has_value());
}

TEST(ControlProtocolArgs, WrongTypesNameTheArgument) {
    auto s = string_arg(json{{"job", 3}}, "job");
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().message, "argument \"job\" must be a string");
    auto missing = string_arg(json::object(), "job");
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().message, "argument \"job\" is required");
    auto b = bool_arg(json{{"wait", "yes"}}, "wait", true);
    EXPECT_FALSE(b.has_value());
    EXPECT_EQ(*bool_arg(json::object(), "wait", true), true);
}

} // namespace
