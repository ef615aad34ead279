// Owns the event table and its blocker accounting.
#include "core/event_queue.h"


namespace core {

Event& EventQueue::emit(std::string name, Environ env) {
    std::uint64_t id = m_next_id++;
    Event& ev = m_events[id];
    ev.id = id;
    ev.name = std::move(name);
    ev.env = std::move(env);
    m_unhandled.push_back(id);
    return ev;
}

const Event* EventQueue::find(std::uint64_t id) const {
    auto it = m_events.find(id);
    return it == m_events.end() ? nullptr : &it->second;
}

Event* EventQueue::find(std::uint64_t id) {
    auto it = m_events.find(id);
    return it == m_events.end() ? nullptr : &it->second;
}

void EventQueue::block(std::uint64_t id) {
    if (Event* ev = find(id)) {
        ++ev->blockers;
    }
}

void EventQueue::unblock(std::uint64_t id, bool failed) {
    Event* ev = find(id);
    if (ev == nullptr) {
        return;
    }
    if (ev->blockers > 0) { // an unmatched unblock must not wrap round and hold the event forever
        --ev->blockers;
    }
    ev->failed = ev->failed || failed;
    if (ev->blockers == 0 && ev->handled) {
        m_ready.push_back(id);
    }
}

Event* EventQueue::next_unhandled() {
    while (!m_unhandled.empty()) {
        Event* ev = find(m_unhandled.front());
        if (ev != nullptr && !ev->handled) {
            return ev;
        }
        m_unhandled.pop_front();
    }
    return nullptr;
}

void EventQueue::mark_handled(Event& ev) {
    ev.handled = true;
    if (ev.blockers == 0) {
        m_ready.push_back(ev.id);
    }
}

std::optional<Event> EventQueue::take_finished() {
    while (!m_ready.empty()) {
        std::uint64_t id = m_ready.front();
        m_ready.pop_front();
        auto it = m_events.find(id);
        // Skip stale entries: an event blocked again after it was queued as ready.
        if (it == m_events.end() || it->second.blockers != 0) {
            continue;
        }
        Event ev = std::move(it->second);
        m_events.erase(it);
        return ev;
    }
    return std::nullopt;
}

} // namespace core
