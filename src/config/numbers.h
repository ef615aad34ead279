// Owns the strict number parsing used by stanzas (whole string, range-checked, no locale).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace config {

// Decimal integer with optional sign, the whole string, within [min, max].
std::optional<long long> parse_decimal(std::string_view text, long long min, long long max);

// Seconds as a decimal with at most three digits after the point ("5", "0.5", "1.250"), no
// sign, within [0, max_ms] once in milliseconds; returns the milliseconds.
std::optional<std::uint32_t> parse_seconds_ms(std::string_view text, std::uint32_t max_ms);

// Octal integer, the whole string, within [0, max].
std::optional<unsigned long> parse_octal(std::string_view text, unsigned long max);

// Unsigned value as strtoul reads it (a leading '-' wraps around, so "-1" is the maximum value,
// which is how Upstart's `limit nofile -1 5` means unlimited). Out of range → nullopt.
std::optional<unsigned long long> parse_unsigned_wrapping(std::string_view text);

} // namespace config
