// Tests StreamFeed: items pass while the reader keeps up; past that they are skipped, counted, and
// said before the next item that fits.
#include "control/stream.h"
#include "support/recording_stream.h"

#include <gtest/gtest.h>

namespace {

using nlohmann::json;

TEST(StreamFeed, ItemsPassWhileTheReaderKeepsUp) {
    auto stream = std::make_shared<test_support::RecordingStream>();
    control::StreamFeed feed(stream);
    feed.offer(json{{"data", "a\n"}}, 1, 2);
    feed.offer(json{{"data", "b\n"}}, 1, 2);
    ASSERT_EQ(stream->items.size(), 2u);
    EXPECT_EQ(stream->items[1]["data"], "b\n");
}

TEST(StreamFeed, ASlowReaderIsSkippedAndToldHowMuchBeforeTheNextItem) {
    auto stream = std::make_shared<test_support::RecordingStream>();
    control::StreamFeed feed(stream);
    stream->room = false;
    for (int i = 0; i < 1000; ++i) {
        feed.offer(json{{"data", "xxxxxxxx\n"}}, 1, 9);
    }
    EXPECT_TRUE(stream->items.empty()) << "nothing is queued past the bound";
    EXPECT_EQ(feed.skipped_items(), 1000u);
    stream->room = true;
    feed.offer(json{{"data", "next\n"}}, 1, 5);
    ASSERT_EQ(stream->items.size(), 2u);
    EXPECT_EQ(stream->items[0], (json{{"skipped", {{"items", 1000}, {"lines", 1000}, {"bytes", 9000}}}}));
    EXPECT_EQ(stream->items[1]["data"], "next\n");
    EXPECT_EQ(feed.skipped_items(), 0u);
}

TEST(StreamFeed, AGoneClientGetsNothing) {
    auto stream = std::make_shared<test_support::RecordingStream>();
    control::StreamFeed feed(stream);
    stream->live = false;
    feed.offer(json{{"data", "a\n"}}, 1, 2);
    EXPECT_FALSE(feed.open());
    EXPECT_TRUE(stream->items.empty());
}

} // namespace
