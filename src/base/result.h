// Owns Result<T> and Error: how every fallible call in startd reports failure.
// Not here: logging of errors (startd's own log: daemon/daemon_log.h) or showing them to users
// (startctl: cli/command_context.h).
#pragma once

#include <cassert>
#include <cstring>
#include <string>
#include <utility>
#include <variant>

namespace base {

// An error as a value: what failed (context), and the errno if it came from the kernel.
// Member names follow std::expected's error type conventions so Result can become an alias later.
class Error {
public:
    Error() = default;
    explicit Error(std::string message) : m_message(std::move(message)) {}

    // A failed system call: "open /etc/init: No such file or directory".
    static Error from_errno(std::string_view call, int err, std::string_view context = {}) {
        Error e;
        e.m_errno = err;
        e.m_message = std::string(call);
        if (!context.empty()) {
            e.m_message += ' ';
            e.m_message += context;
        }
        e.m_message += ": ";
        e.m_message += std::strerror(err);
        return e;
    }

    // `message` in full, keeping the errno it stems from (for callers that act on it).
    static Error with_errno(int err, std::string message) {
        Error e(std::move(message));
        e.m_errno = err;
        return e;
    }

    int code() const { return m_errno; }
    const std::string& message() const { return m_message; }

private:
    int m_errno = 0;
    std::string m_message;
};

// Result<T, E>: a T or an E (by default an Error). API-compatible subset of std::expected<T, E>.
template <typename T, typename E = Error> class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Result(E error) : m_v(std::in_place_index<1>, std::move(error)) {}

    bool has_value() const { return m_v.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & {
        assert(has_value());
        return std::get<0>(m_v);
    }
    const T& value() const& {
        assert(has_value());
        return std::get<0>(m_v);
    }
    T&& value() && {
        assert(has_value());
        return std::get<0>(std::move(m_v));
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const E& error() const& {
        assert(!has_value());
        return std::get<1>(m_v);
    }
    E&& error() && {
        assert(!has_value());
        return std::get<1>(std::move(m_v));
    }

private:
    std::variant<T, E> m_v;
};

template <typename E> class [[nodiscard]] Result<void, E> {
public:
    Result() = default;
    Result(E error) : m_error(std::move(error)), m_ok(false) {}

    bool has_value() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const E& error() const& {
        assert(!m_ok);
        return m_error;
    }
    E&& error() && {
        assert(!m_ok);
        return std::move(m_error);
    }

private:
    E m_error{};
    bool m_ok = true;
};

} // namespace base
