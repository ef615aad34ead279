// Owns the bookkeeping of job timers: arming, taking up a predecessor's state, due firings and
// the next wake-up, and cron timers after the wall clock jumped.
#include "core/timer_table.h"

#include <algorithm>

namespace core {

namespace {

std::int64_t seconds_of(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// How far the wall clock may move against the monotonic clock before it counts as set: the
// two are read at slightly different moments and in whole seconds.
constexpr std::int64_t jump_tolerance = 2;
// A jump back by at most this does not fire again a time that already fired (cron's rule).
constexpr std::int64_t repeat_window = 3 * 3600;

} // namespace

void TimerTable::remember(std::vector<TimerState> states, bool same_boot) {
    m_remembered_same_boot = same_boot;
    for (TimerState& s : states) {
        auto key = std::make_pair(s.job, s.timer);
        m_remembered[std::move(key)] = std::move(s);
    }
}

TimerTable::Entry TimerTable::arm(const std::string& job, const TimerSpec& spec, bool catch_up,
                                  TimerNow now) {
    Entry e;
    e.spec = spec;
    e.catch_up = catch_up;
    e.last = now.wall;
    auto interval = std::chrono::seconds(spec.interval);
    e.due_mono = now.mono + interval;
    if (spec.kind == TimerKind::Cron) {
        e.due_wall = cron_next_after(spec.cron, now.wall);
    }
    auto it = m_remembered.find({job, spec.text});
    if (it == m_remembered.end()) {
        return e; // a new timer: first due one interval (or the next cron time) from now
    }
    TimerState state = std::move(it->second);
    m_remembered.erase(it);
    e.last = state.last;
    if (spec.kind == TimerKind::Every && m_remembered_same_boot && state.due_ns > 0) {
        // The same boot: the predecessor's monotonic due time still holds.
        Clock::time_point due{std::chrono::nanoseconds(state.due_ns)};
        if (due <= now.mono) {
            e.fire_now = catch_up;
            auto periods = (now.mono - due) / interval + 1;
            due += periods * interval;
        }
        e.due_mono = due;
    } else if (spec.kind == TimerKind::Every) {
        e.fire_now = catch_up && state.last > 0 && state.last + spec.interval <= now.wall;
    } else {
        auto missed = cron_next_after(spec.cron, state.last);
        e.fire_now = catch_up && missed && *missed <= now.wall;
    }
    return e;
}

bool TimerTable::set_job(const JobClass& cls, TimerNow now) {
    if (cls.manual || cls.timers.empty()) {
        return remove_job(cls.name);
    }
    check_wall_clock(now);
    std::vector<Entry>& list = m_jobs[cls.name];
    std::vector<Entry> next;
    bool changed = false;
    for (const TimerSpec& spec : cls.timers) {
        auto old = std::find_if(list.begin(), list.end(), [&](const Entry& e) { return e.spec == spec; });
        if (old != list.end()) {
            old->catch_up = cls.timer_catch_up;
            next.push_back(std::move(*old));
            list.erase(old);
        } else {
            next.push_back(arm(cls.name, spec, cls.timer_catch_up, now));
            changed = true;
        }
    }
    changed = changed || !list.empty();
    list = std::move(next);
    return changed;
}

bool TimerTable::remove_job(const std::string& job) {
    return m_jobs.erase(job) > 0;
}

void TimerTable::check_wall_clock(TimerNow now) {
    std::int64_t offset = now.wall - seconds_of(now.mono);
    bool back = m_clock_offset && offset < *m_clock_offset - jump_tolerance;
    if (!m_clock_offset || back || offset > *m_clock_offset + jump_tolerance) {
        m_clock_offset = offset;
    }
    if (!back) {
        return; // a jump forward leaves the due times: those it passed over fire once
    }
    for (auto& [job, entries] : m_jobs) {
        for (Entry& e : entries) {
            if (e.spec.kind != TimerKind::Cron) {
                continue;
            }
            std::int64_t from = (e.last > now.wall && e.last - now.wall <= repeat_window) ? e.last : now.wall;
            e.due_wall = cron_next_after(e.spec.cron, from);
        }
    }
}

std::vector<TimerFiring> TimerTable::take_due(TimerNow now) {
    check_wall_clock(now);
    std::vector<TimerFiring> firings;
    for (auto& [job, entries] : m_jobs) {
        for (Entry& e : entries) {
            bool every = e.spec.kind == TimerKind::Every;
            bool due = every ? now.mono >= e.due_mono : (e.due_wall && now.wall >= *e.due_wall);
            if (!due && !e.fire_now) {
                continue;
            }
            firings.push_back(TimerFiring{job, e.spec.text, now.wall});
            e.fire_now = false;
            e.last = now.wall;
            if (every && due) {
                auto interval = std::chrono::seconds(e.spec.interval);
                e.due_mono += interval;
                if (e.due_mono <= now.mono) {
                    e.due_mono = now.mono + interval; // due several times over: once is enough
                }
            } else if (!every) {
                e.due_wall = cron_next_after(e.spec.cron, now.wall);
            }
        }
    }
    return firings;
}

std::optional<Clock::time_point> TimerTable::next_wake(TimerNow now) {
    check_wall_clock(now);
    std::optional<Clock::time_point> wake;
    auto consider = [&](Clock::time_point t) { wake = wake ? std::min(*wake, t) : t; };
    for (const auto& [job, entries] : m_jobs) {
        for (const Entry& e : entries) {
            if (e.fire_now) {
                consider(now.mono);
            } else if (e.spec.kind == TimerKind::Every) {
                consider(e.due_mono);
            } else if (e.due_wall) {
                Clock::duration wait =
                    std::chrono::seconds(std::max<std::int64_t>(*e.due_wall - now.wall, 0));
                consider(now.mono + std::min(wait, wall_check));
            }
        }
    }
    return wake;
}

std::vector<TimerState> TimerTable::states() const {
    std::vector<TimerState> out;
    for (const auto& [job, entries] : m_jobs) {
        for (const Entry& e : entries) {
            std::int64_t due = 0;
            if (e.spec.kind == TimerKind::Every) {
                due = std::chrono::duration_cast<std::chrono::nanoseconds>(e.due_mono.time_since_epoch())
                          .count();
            }
            out.push_back(TimerState{job, e.spec.text, e.last, due});
        }
    }
    return out;
}

std::optional<std::int64_t> TimerTable::next_firing(const std::string& job, TimerNow now) const {
    auto it = m_jobs.find(job);
    if (it == m_jobs.end()) {
        return std::nullopt;
    }
    std::optional<std::int64_t> next;
    auto consider = [&](std::int64_t t) { next = next ? std::min(*next, t) : t; };
    for (const Entry& e : it->second) {
        if (e.fire_now) {
            consider(now.wall);
        } else if (e.spec.kind == TimerKind::Every) {
            auto wait = std::chrono::ceil<std::chrono::seconds>(e.due_mono - now.mono).count();
            consider(now.wall + std::max<std::int64_t>(wait, 0));
        } else if (e.due_wall) {
            consider(*e.due_wall);
        }
    }
    return next;
}

} // namespace core
