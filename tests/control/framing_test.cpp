// Tests length-prefix framing: encoding, incremental decoding, and the size limit.
#include "control/framing.h"

#include <gtest/gtest.h>

namespace {

using control::encode_frame;
using control::FrameDecoder;

TEST(EncodeFrame, PrefixesTheBigEndianPayloadLength) {
    std::string frame = encode_frame("abc");
    ASSERT_EQ(frame.size(), 7u);
    EXPECT_EQ(frame.substr(0, 4), std::string("\0\0\0\3", 4));
    EXPECT_EQ(frame.substr(4), "abc");
}

TEST(FrameDecoder, ReturnsAPayloadOnlyOnceItIsComplete) {
    FrameDecoder decoder(100);
    std::string frame = encode_frame("hello");
    decoder.feed(frame.substr(0, 2));
    EXPECT_EQ(decoder.next(), std::nullopt);
    decoder.feed(frame.substr(2, 4));
    EXPECT_EQ(decoder.next(), std::nullopt);
    decoder.feed(frame.substr(6));
    EXPECT_EQ(decoder.next(), "hello");
    EXPECT_EQ(decoder.next(), std::nullopt);
    EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(FrameDecoder, SplitsSeveralFramesArrivingInOneRead) {
    FrameDecoder decoder(100);
    decoder.feed(encode_frame("one") + encode_frame("") + encode_frame("three"));
    EXPECT_EQ(decoder.next(), "one");
    EXPECT_EQ(decoder.next(), "");
    EXPECT_EQ(decoder.next(), "three");
    EXPECT_EQ(decoder.next(), std::nullopt);
}

TEST(FrameDecoder, ByteByByteFeedingYieldsTheSamePayloads) {
    FrameDecoder decoder(100);
    std::string stream = encode_frame("first") + encode_frame("second");
    std::vector<std::string> got;
    for (char c : stream) {
        decoder.feed(std::string_view(&c, 1));
        while (auto p = decoder.next()) {
            got.push_back(*p);
        }
    }
    EXPECT_EQ(got, (std::vector<std::string>{"first", "second"}));
}

TEST(FrameDecoder, OversizedAnnouncementFailsForGoodAndDropsTheBuffer) {
    FrameDecoder decoder(10);
    decoder.feed(encode_frame(std::string(11, 'x')));
    EXPECT_EQ(decoder.next(), std::nullopt);
    EXPECT_TRUE(decoder.failed());
    EXPECT_EQ(decoder.rejected_size(), 11u);
    decoder.feed(encode_frame("ok"));
    EXPECT_EQ(decoder.next(), std::nullopt);
    EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(FrameDecoder, PayloadAtExactlyTheLimitIsAccepted) {
    FrameDecoder decoder(10);
    decoder.feed(encode_frame(std::string(10, 'x')));
    EXPECT_EQ(decoder.next(), std::string(10, 'x'));
    EXPECT_FALSE(decoder.failed());
}

TEST(FrameDecoder, LongLivedStreamDoesNotAccumulateConsumedBytes) {
    FrameDecoder decoder(1000);
    std::string frame = encode_frame(std::string(500, 'y'));
    for (int i = 0; i < 1000; ++i) {
        decoder.feed(frame.substr(0, 300));
        decoder.feed(frame.substr(300));
        ASSERT_TRUE(decoder.next().has_value());
    }
    EXPECT_EQ(decoder.buffered(), 0u);
}

} // namespace
