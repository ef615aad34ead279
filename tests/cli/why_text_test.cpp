// Tests `startctl why`'s text: the trees with each operand marked, the events, the notes.
#include "cli/why_text.h"

#include <gtest/gtest.h>

namespace {

using nlohmann::json;

constexpr std::int64_t now = 1'800'000'000'000;

TEST(WhyText, MarksEachOperandMatchedOrWaitingAndListsTheNotes) {
    json why = {
        {"status",
         {{"job", "web"},
          {"instance", ""},
          {"goal", "stop"},
          {"state", "waiting"},
          {"processes", json::array()}}},
        {"start_on",
         {{"op", "and"},
          {"matched", false},
          {"operands",
           json::array(
               {{{"event", "net-up"},
                 {"args", json::array()},
                 {"matched", true},
                 {"by", {{"event", "net-up"}, {"env", json::array({"IFACE=eth0"})}, {"at_ms", now - 2000}}}},
                {{"event", "db-ready"}, {"args", json::array({"X=1"})}, {"matched", false}}})}}},
        {"stop_on", nullptr},
        {"events",
         json::array(
             {{{"name", "net-up"}, {"last_emitted_ms", now - 2000}, {"count", 1}, {"before_load", false}},
              {{"name", "db-ready"}, {"last_emitted_ms", nullptr}, {"count", 0}}})},
        {"notes", json::array({"its `start on` waits for `db-ready`, not emitted since startd started"})}};
    std::string text = cli::why_text(why, now);
    EXPECT_EQ(text, "web stop/waiting\n"
                    "start on: (net-up and db-ready X=1)\n"
                    "  [ ] all of:\n"
                    "    [x] net-up  <- matched by net-up IFACE=eth0, 2 s ago\n"
                    "    [ ] db-ready X=1  (waiting)\n"
                    "stop on: (none)\n"
                    "events:\n"
                    "  net-up: last emitted 2 s ago (1 times)\n"
                    "  db-ready: never emitted since startd started\n"
                    "why:\n"
                    "  - its `start on` waits for `db-ready`, not emitted since startd started\n");
}

TEST(WhyText, TreeLineFlattensOperatorChains) {
    json tree = {
        {"op", "or"},
        {"operands",
         json::array({{{"event", "a"}, {"args", json::array()}},
                      {{"op", "and"},
                       {"operands", json::array({{{"event", "b"}, {"args", json::array()}},
                                                 {{"event", "c"}, {"args", json::array({"tty1"})}}})}},
                      {{"event", "d"}, {"args", json::array()}}})}};
    EXPECT_EQ(cli::tree_line(tree), "(a or (b and c tty1) or d)");
}

} // namespace
