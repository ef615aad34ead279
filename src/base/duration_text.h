// Owns duration_text: a duration as an operator reads it at a glance ("250 ms", "12 s",
// "5 min", "3 h", "2 d"), rounded down to its largest unit.
#pragma once

#include <chrono>
#include <string>

namespace base {

std::string duration_text(std::chrono::milliseconds d);

} // namespace base
