// Owns strict number parsing for stanza arguments.
#include "config/numbers.h"

#include <limits>

namespace config {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Accumulates digits of `base` into value; false on a non-digit, no digits or overflow.
bool accumulate(std::string_view digits, unsigned base, unsigned long long& value) {
    if (digits.empty()) {
        return false;
    }
    value = 0;
    for (char c : digits) {
        if (!is_digit(c) || static_cast<unsigned>(c - '0') >= base) {
            return false;
        }
        unsigned long long next = value * base + static_cast<unsigned>(c - '0');
        if (value > (std::numeric_limits<unsigned long long>::max() - (c - '0')) / base) {
            return false;
        }
        value = next;
    }
    return true;
}

} // namespace

std::optional<long long> parse_decimal(std::string_view text, long long min, long long max) {
    bool negative = false;
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    // A negative value may reach one further than a positive one: LLONG_MIN has no positive twin.
    constexpr auto max_magnitude = static_cast<unsigned long long>(std::numeric_limits<long long>::max());
    unsigned long long magnitude = 0;
    if (!accumulate(text, 10, magnitude) || magnitude > max_magnitude + (negative ? 1 : 0)) {
        return std::nullopt;
    }
    long long value = negative ? static_cast<long long>(0ULL - magnitude) : static_cast<long long>(magnitude);
    if (value < min || value > max) {
        return std::nullopt;
    }
    return value;
}

std::optional<std::uint32_t> parse_seconds_ms(std::string_view text, std::uint32_t max_ms) {
    std::string_view whole = text.substr(0, text.find('.'));
    std::string_view fraction;
    if (whole.size() < text.size()) {
        fraction = text.substr(whole.size() + 1);
        if (fraction.empty() || fraction.size() > 3) {
            return std::nullopt; // "1." or finer than a millisecond
        }
    }
    unsigned long long seconds = 0;
    unsigned long long millis = 0;
    if (!accumulate(whole, 10, seconds) || (!fraction.empty() && !accumulate(fraction, 10, millis))) {
        return std::nullopt;
    }
    for (std::size_t i = fraction.size(); i < 3; ++i) {
        millis *= 10; // "0.5" is 500 ms
    }
    if (seconds > max_ms / 1000 + 1) {
        return std::nullopt;
    }
    unsigned long long total = seconds * 1000 + millis;
    if (total > max_ms) {
        return std::nullopt;
    }
    return static_cast<std::uint32_t>(total);
}

std::optional<unsigned long> parse_octal(std::string_view text, unsigned long max) {
    unsigned long long value = 0;
    if (!accumulate(text, 8, value) || value > max) {
        return std::nullopt;
    }
    return static_cast<unsigned long>(value);
}

std::optional<unsigned long long> parse_unsigned_wrapping(std::string_view text) {
    bool negative = false;
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
        negative = text.front() == '-';
        text.remove_prefix(1);
    }
    unsigned long long value = 0;
    if (!accumulate(text, 10, value)) {
        return std::nullopt;
    }
    return negative ? 0ULL - value : value;
}

} // namespace config
