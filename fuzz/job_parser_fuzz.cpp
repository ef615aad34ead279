// libFuzzer target: config::parse_job on arbitrary bytes, an optional override layered on top with
// config::parse_job_text, and every renderer of the result.
//
// Input layout: CONF [0xFF OVERRIDE]. The first 0xFF byte, if any, splits the input; the part after
// it is parsed on top of the parsed .conf as its .override would be (0xFF is never valid UTF-8, so
// the split rarely hides interesting text, and the dictionary's seeds contain none).
//
// Invariants checked (a violation traps, so libFuzzer records the input as a crash):
//   - an error names the file it came from and points at a 1-based line:column inside that text;
//   - a parsed job keeps its path, and every process it defines has a 1-based line;
//   - start on / stop on are proper post-order trees (children before parents, root last, each node
//     reached once) and render to text and JSON without throwing;
//   - an override only ever grows the accumulating lists (env, export, emits, normal exit).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/job_json.h"
#include "config/parser.h"
#include "core/event_expr.h"

namespace {

constexpr std::string_view conf_name = "fuzz.conf";
constexpr std::string_view override_name = "fuzz.override";

void check(bool ok) {
    if (!ok) {
        __builtin_trap();
    }
}

void check_diagnostic(std::string_view text, std::string_view file, const config::Diagnostic& diag) {
    check(diag.file == file);
    check(!diag.to_string().empty());
    (void)config::diagnostic_to_json(diag).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (diag.code == config::ParseErrorCode::FileTooLarge) {
        check(diag.line == 0);
        return;
    }
    // Everything else came from the text: a line that exists, a column at most one past its end.
    check(diag.line >= 1 && diag.column >= 1);
    std::size_t start = 0;
    for (int line = 1; line < diag.line; ++line) {
        std::size_t nl = text.find('\n', start);
        check(nl != std::string_view::npos);
        start = nl + 1;
    }
    std::size_t end = text.find('\n', start);
    std::size_t length = (end == std::string_view::npos ? text.size() : end) - start;
    check(static_cast<std::size_t>(diag.column) <= length + 1);
}

// Post-order shape of a start on / stop on tree (see core/event_expr.h).
void check_tree(const core::EventExpr& expr) {
    check(!expr.empty());
    const std::size_t n = expr.nodes.size();
    std::vector<unsigned char> seen(n, 0);
    std::vector<std::uint32_t> stack{expr.root()};
    std::size_t visited = 0;
    while (!stack.empty()) {
        std::uint32_t index = stack.back();
        stack.pop_back();
        check(index < n && !seen[index]);
        seen[index] = 1;
        ++visited;
        const core::EventExprNode& node = expr.nodes[index];
        if (node.kind != core::EventExprKind::Match) {
            check(node.lhs < index && node.rhs < index && node.lhs != node.rhs);
            stack.push_back(node.lhs);
            stack.push_back(node.rhs);
        }
    }
    check(visited == n);
}

void check_and_render(const core::JobClass& job) {
    check(job.path == conf_name);
    for (const auto* expr : {&job.start_on, &job.stop_on}) {
        if (expr->has_value()) {
            check_tree(**expr);
            (void)core::to_string(**expr);
        }
    }
    for (std::size_t i = 0; i < core::process_type_count; ++i) {
        if (const core::Process* process = job.process(static_cast<core::ProcessType>(i))) {
            check(process->line >= 1);
        }
    }
    std::string json = config::job_to_json(job).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    check(!json.empty());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::string_view conf = input;
    std::string_view override_text;
    bool has_override = false;
    if (std::size_t split = input.find('\xff'); split != std::string_view::npos) {
        conf = input.substr(0, split);
        override_text = input.substr(split + 1);
        has_override = true;
    }

    auto parsed = config::parse_job(conf, conf_name);
    if (!parsed) {
        check_diagnostic(conf, conf_name, parsed.error());
        return 0;
    }
    const core::JobClass& job = *parsed;
    check_and_render(job);
    if (!has_override) {
        return 0;
    }

    // As the loader does: parse into a copy so a failing override leaves the .conf's job intact.
    core::JobClass layered = job;
    auto result = config::parse_job_text(override_text, override_name, layered);
    if (!result) {
        check_diagnostic(override_text, override_name, result.error());
        return 0;
    }
    check_and_render(layered);
    // An override only adds to accumulating lists.
    check(layered.env.size() >= job.env.size());
    check(layered.exports.size() >= job.exports.size());
    check(layered.emits.size() >= job.emits.size());
    check(layered.normal_exit.size() >= job.normal_exit.size());
    return 0;
}
