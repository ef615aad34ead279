// Owns the JSON form of the state journal's lines and their strict reading.
#include "daemon/journal_record.h"

#include <algorithm>
#include <limits>
#include <type_traits>
#include <vector>
#include <nlohmann/json.hpp>

#include "control/protocol.h"

namespace daemon_main {

using nlohmann::json;

namespace {

std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

struct Encoder {
    json operator()(const JournalHeader& h) const {
        return {{"kind", "header"}, {"version", h.version}, {"pid", h.pid}, {"boot", h.boot_id},
                {"startup", h.startup_emitted}};
    }
    json operator()(const JobRecord& r) const {
        json pids = json::object();
        for (std::size_t i = 0; i < r.pids.size(); ++i) {
            if (r.pids[i] > 0) {
                pids[std::string(core::to_string(static_cast<core::ProcessType>(i)))] = r.pids[i];
            }
        }
        json out = {{"kind", "job"},
                    {"job", r.job},
                    {"instance", r.instance},
                    {"goal", core::to_string(r.goal)},
                    {"state", core::to_string(r.state)},
                    {"pids", std::move(pids)},
                    {"group", r.main_group},
                    {"respawn", {r.respawn_count, r.respawn_time_ns}},
                    {"env", r.env},
                    {"status", r.status_text},
                    {"failure", r.failure},
                    {"written", r.written_ns}};
        if (r.backoff) {
            out["backoff"] = {r.backoff->attempt, r.backoff->delay_ms, r.backoff->due_ns,
                              r.backoff->main_started_ns};
        }
        return out;
    }
    json operator()(const EnvTable& t) const { return {{"kind", "env"}, {"id", t.id}, {"vars", t.vars}}; }
    json operator()(const core::TimerState& t) const {
        return {{"kind", "timer"}, {"job", t.job}, {"timer", t.timer}, {"last", t.last}, {"due", t.due_ns}};
    }
    json operator()(const GoneRecord& g) const {
        return {{"kind", "gone"}, {"job", g.job}, {"instance", g.instance}};
    }
};

// Reads the fields of one object, each exactly once and of its type; finish() fails on a
// field left unread (an unknown key).
class Fields {
  public:
    explicit Fields(const json& object) : m_object(object) {}

    const json* take(const char* key) {
        auto it = m_object.find(key);
        if (it == m_object.end()) {
            fail(std::string("no \"") + key + "\"");
            return nullptr;
        }
        m_taken.emplace_back(key);
        return &*it;
    }
    // A field that may be absent (added to version 1 since: `backoff`): nullptr when it is.
    const json* take_optional(const char* key) { return m_object.contains(key) ? take(key) : nullptr; }
    std::string string(const char* key) {
        const json* v = take(key);
        if (v && !v->is_string()) {
            fail(std::string("\"") + key + "\" is not a string");
        }
        return v && v->is_string() ? v->get<std::string>() : std::string();
    }
    template <typename Int> Int integer(const char* key, Int min = std::numeric_limits<Int>::min()) {
        return integer_of<Int>(take(key), key, min);
    }
    template <typename Int> Int integer_of(const json* v, const std::string& what, Int min) {
        if (v == nullptr) {
            return Int{};
        }
        bool fits = false;
        if (v->is_number_unsigned()) {
            auto n = v->get<std::uint64_t>();
            fits = (min <= 0 || n >= static_cast<std::uint64_t>(min)) &&
                   n <= static_cast<std::uint64_t>(std::numeric_limits<Int>::max());
        } else if (v->is_number_integer()) { // negative
            auto n = v->get<std::int64_t>();
            fits = std::is_signed_v<Int> && n >= static_cast<std::int64_t>(min);
        }
        if (!fits) {
            fail("\"" + what + "\" is not an integer in range");
            return Int{};
        }
        return v->get<Int>();
    }
    bool boolean(const char* key) {
        const json* v = take(key);
        if (v && !v->is_boolean()) {
            fail(std::string("\"") + key + "\" is not true or false");
        }
        return v && v->is_boolean() && v->get<bool>();
    }
    void fail(std::string why) {
        if (m_error.empty()) {
            m_error = std::move(why);
        }
    }
    base::Result<void> finish() {
        if (m_error.empty() && m_taken.size() != m_object.size()) {
            for (const auto& [key, value] : m_object.items()) {
                if (std::find(m_taken.begin(), m_taken.end(), key) == m_taken.end()) {
                    m_error = "unknown field \"" + key + "\"";
                    break;
                }
            }
        }
        if (!m_error.empty()) {
            return base::Error(m_error);
        }
        return {};
    }

  private:
    const json& m_object;
    std::vector<std::string_view> m_taken; // the keys read
    std::string m_error;
};

// Names in the journal (job, instance, variables) are text without NUL or newline.
bool plain_text(const std::string& text) {
    return text.find('\0') == std::string::npos && text.find('\n') == std::string::npos;
}

base::Result<JournalLine> decode_header(Fields& f) {
    JournalHeader h;
    h.version = f.integer<int>("version", 1);
    h.pid = f.integer<pid_t>("pid", 1);
    h.boot_id = f.string("boot");
    h.startup_emitted = f.boolean("startup");
    if (auto done = f.finish(); !done) {
        return done.error();
    }
    if (h.version < oldest_journal_version || h.version > journal_version) {
        return base::Error(
            "journal version " + std::to_string(h.version) + " is not one this startd reads (it reads " +
            std::to_string(oldest_journal_version) + " to " + std::to_string(journal_version) + ")");
    }
    return JournalLine(std::move(h));
}

base::Result<JournalLine> decode_job(Fields& f) {
    JobRecord r;
    r.job = f.string("job");
    r.instance = f.string("instance");
    std::string goal = f.string("goal");
    std::string state = f.string("state");
    if (const json* pids = f.take("pids")) {
        if (!pids->is_object()) {
            f.fail("\"pids\" is not an object");
        } else {
            for (const auto& [name, pid] : pids->items()) {
                auto type = core::process_type_from_string(name);
                if (!type) {
                    f.fail("\"pids\" names no process type: " + name);
                    continue;
                }
                r.pids[static_cast<std::size_t>(*type)] = f.integer_of<pid_t>(&pid, "pids." + name, 1);
            }
        }
    }
    r.main_group = f.integer<pid_t>("group", 0);
    if (const json* respawn = f.take("respawn")) {
        if (!respawn->is_array() || respawn->size() != 2) {
            f.fail("\"respawn\" is not [count, time]");
        } else {
            r.respawn_count = f.integer_of<unsigned>(&(*respawn)[0], "respawn count", 0);
            r.respawn_time_ns = f.integer_of<std::int64_t>(&(*respawn)[1], "respawn time", 0);
        }
    }
    if (const json* backoff = f.take_optional("backoff")) {
        if (!backoff->is_array() || backoff->size() != 4) {
            f.fail("\"backoff\" is not [attempt, delay, due, started]");
        } else {
            r.backoff = JobRecord::Backoff{f.integer_of<unsigned>(&(*backoff)[0], "backoff attempt", 0),
                                           f.integer_of<std::uint32_t>(&(*backoff)[1], "backoff delay", 0),
                                           f.integer_of<std::int64_t>(&(*backoff)[2], "backoff due", 0),
                                           f.integer_of<std::int64_t>(&(*backoff)[3], "backoff started", 0)};
        }
    }
    r.env = f.integer<std::uint64_t>("env", 0);
    r.status_text = f.string("status");
    r.failure = f.string("failure");
    r.written_ns = f.integer<std::int64_t>("written", 0);
    if (auto done = f.finish(); !done) {
        return done.error();
    }
    auto g = core::job_goal_from_string(goal);
    auto s = core::job_state_from_string(state);
    if (!g || !s) {
        return base::Error("no such goal or state: " + goal + "/" + state);
    }
    if (r.job.empty() || !plain_text(r.job) || !plain_text(r.instance)) {
        return base::Error("a job record needs a job name (text without NUL or newline)");
    }
    r.goal = *g;
    r.state = *s;
    return JournalLine(std::move(r));
}

base::Result<JournalLine> decode_env(Fields& f) {
    EnvTable t;
    t.id = f.integer<std::uint64_t>("id", 1);
    if (const json* vars = f.take("vars")) {
        if (!vars->is_array()) {
            f.fail("\"vars\" is not an array");
        } else {
            for (const json& v : *vars) {
                if (!v.is_string() || v.get<std::string>().find('=') == std::string::npos ||
                    v.get<std::string>().find('\0') != std::string::npos) {
                    f.fail("\"vars\" holds something that is not KEY=VALUE");
                    break;
                }
                t.vars.push_back(v.get<std::string>());
            }
        }
    }
    if (auto done = f.finish(); !done) {
        return done.error();
    }
    return JournalLine(std::move(t));
}

base::Result<JournalLine> decode_gone(Fields& f) {
    GoneRecord g;
    g.job = f.string("job");
    g.instance = f.string("instance");
    if (auto done = f.finish(); !done) {
        return done.error();
    }
    if (g.job.empty() || !plain_text(g.job) || !plain_text(g.instance)) {
        return base::Error("a gone record needs a job name (text without NUL or newline)");
    }
    return JournalLine(std::move(g));
}

base::Result<JournalLine> decode_timer(Fields& f) {
    core::TimerState t;
    t.job = f.string("job");
    t.timer = f.string("timer");
    t.last = f.integer<std::int64_t>("last");
    t.due_ns = f.integer<std::int64_t>("due", 0);
    if (auto done = f.finish(); !done) {
        return done.error();
    }
    if (t.job.empty() || t.timer.empty() || !plain_text(t.job) || !plain_text(t.timer)) {
        return base::Error("a timer record needs a job name and a schedule (text without NUL or newline)");
    }
    return JournalLine(std::move(t));
}

} // namespace

std::string encode_line(const JournalLine& line) {
    std::string text = dump(std::visit(Encoder{}, line));
    text.push_back('\n');
    return text;
}

base::Result<JournalLine> decode_line(std::string_view line) {
    // The deepest line is a job record's respawn pair (depth 2); refuse deep nesting before the
    // parser recurses into it.
    if (control::json_nesting_exceeds(line, 3)) {
        return base::Error("not a journal line: nested too deep");
    }
    json doc = json::parse(line.begin(), line.end(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return base::Error("not a journal line: not a JSON object");
    }
    auto kind = doc.find("kind");
    if (kind == doc.end() || !kind->is_string()) {
        return base::Error("not a journal line: no \"kind\"");
    }
    std::string k = kind->get<std::string>();
    Fields fields(doc);
    (void)fields.take("kind");
    base::Result<JournalLine> decoded = base::Error("unknown kind of journal line: " + k);
    if (k == "header") {
        decoded = decode_header(fields);
    } else if (k == "job") {
        decoded = decode_job(fields);
    } else if (k == "env") {
        decoded = decode_env(fields);
    } else if (k == "gone") {
        decoded = decode_gone(fields);
    } else if (k == "timer") {
        decoded = decode_timer(fields);
    }
    return decoded;
}

} // namespace daemon_main
