// Owns duration_text: a duration as an operator reads it at a glance ("250 ms", "2.8 s", "12 s",
// "5 min", "3 h", "2 d"), rounded down to its largest unit (to tenths below 10 s, where a whole
// second is too coarse: a 2.8 s start-up is not "2 s").
#pragma once

#include <chrono>
#include <string>

namespace base {

std::string duration_text(std::chrono::milliseconds d);

} // namespace base
