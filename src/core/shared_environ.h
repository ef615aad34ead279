// Owns SharedEnviron and EnvironPool: a job instance's environment table, shared between every
// instance whose table is the same. A user-mode startd hands its whole environment (often 40-60
// variables, 3-5 KB) to every job; a thousand jobs started by one event would otherwise hold a
// thousand identical copies. Tables are interned when a job starts and copied on first write
// (set-env inside a job), so sharing never changes what any job sees.
// Not here: what goes into a table (core/engine.cpp instance_env, core/environ.h).
#pragma once

#include "core/environ.h"

#include <cstddef>
#include <memory>
#include <unordered_map>

namespace core {

class SharedEnviron {
  public:
    SharedEnviron() = default;
    explicit SharedEnviron(std::shared_ptr<Environ> table) : m_table(std::move(table)) {}

    const Environ& get() const { return m_table ? *m_table : empty(); }
    operator const Environ&() const { return get(); } // NOLINT(google-explicit-constructor)
    // The table to change in place: this instance's own (copied first if others share it).
    Environ& edit();
    // Whether other instances hold the same table (tests, memory accounting).
    bool shared() const { return m_table && m_table.use_count() > 1; }

  private:
    static const Environ& empty();
    std::shared_ptr<Environ> m_table; // null: the empty table
};

// Hands out one table per distinct content. Holds only weak references: a table lives as long
// as some instance uses it.
class EnvironPool {
  public:
    SharedEnviron intern(Environ&& table);
    // Distinct tables alive now.
    std::size_t live() const;

  private:
    std::unordered_multimap<std::size_t, std::weak_ptr<Environ>> m_tables; // content hash → table
    std::size_t m_sweep_at = 64; // drop expired entries when the pool grows past this
};

} // namespace core
