// Owns startctl's exit statuses (docs/exit-codes.md). Upstart's initctl used 0 and 1 only;
// startctl keeps that contract for every command so scripts written for initctl still work.
// is-enabled, which initctl did not have, answers as systemctl is-enabled does, and gives an
// unknown job a status of its own.
#pragma once

namespace cli {

inline constexpr int exit_ok = 0;
// Any failure: bad arguments, startd unreachable, the request refused, the job failed,
// check-config found problems. is-enabled: the job is disabled, or the question failed.
inline constexpr int exit_failure = 1;
// is-enabled only: no such job (no JOB.conf in the jobs dir).
inline constexpr int exit_unknown_job = 4;

} // namespace cli
