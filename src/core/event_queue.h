// Owns events and their life: pending → handled (offered to every job once) → finished (when no
// job holds it any longer). Finishing releases the jobs blocked on it and the emitters waiting.
// Not here: matching events against `start on`/`stop on` (the engine does that while handling).
#pragma once

#include "base/boxed_vector.h"
#include "core/environ.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace core {

class Job;

struct Event;
using EventWaiter = std::function<void(const Event&)>;

// A bring-up of N jobs has N job events in flight at once, so an event is kept small: what
// only some events have (failures, waiting emitters) is boxed.
struct Event {
    std::uint64_t id = 0;
    std::string name;
    Environ env;
    int blockers = 0;                        // jobs holding the event until they reach their rest state
    bool failed = false;                     // some job it started or stopped failed
    bool handled = false;                    // already offered to the jobs
    base::BoxedVector<std::string> failures; // why: one line per failed job
    std::chrono::steady_clock::time_point at{}; // when it was handled (offered to the jobs)
    Job* blocked_job = nullptr; // the job whose starting/stopping event this is, waiting for it to finish
    base::BoxedVector<EventWaiter> waiters; // emitters waiting for it to finish
};

class EventQueue {
public:
    // Queues a new event; it is handled on the next Engine::poll().
    Event& emit(std::string name, Environ env);

    Event* find(std::uint64_t id);
    const Event* find(std::uint64_t id) const;

    // A job starts/stops holding an event.
    void block(std::uint64_t id);
    // Releases one hold; `failed` marks the event failed (its emitter then learns "Event failed").
    void unblock(std::uint64_t id, bool failed);

    // The oldest event not yet offered to the jobs, or nullptr. Call mark_handled() once it has
    // been offered.
    Event* next_unhandled();
    void mark_handled(Event& ev);
    // Removes and returns the oldest handled event nobody holds, if any.
    std::optional<Event> take_finished();

    bool empty() const { return m_events.empty(); }
    std::size_t size() const { return m_events.size(); }

private:
    // Every operation is O(1) on average, so thousands of events in flight (a bring-up of
    // thousands of jobs, each with its starting event) cost linear time in total.
    std::unordered_map<std::uint64_t, Event> m_events;
    std::deque<std::uint64_t> m_unhandled; // FIFO of events to offer to the jobs
    std::deque<std::uint64_t> m_ready;     // handled events whose blockers reached zero
    std::uint64_t m_next_id = 1;
};

} // namespace core
