// Owns startctl's exit statuses (docs/exit-codes.md). Upstart's initctl used 0 and 1 only;
// startctl keeps that contract for every command so scripts written for initctl still work.
#pragma once

namespace cli {

inline constexpr int exit_ok = 0;
// Any failure: bad arguments, startd unreachable, the request refused, the job failed,
// check-config found problems.
inline constexpr int exit_failure = 1;

} // namespace cli
