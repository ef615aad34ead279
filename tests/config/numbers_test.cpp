// Tests the strict number parsers used by stanza arguments.
#include "config/numbers.h"

#include <gtest/gtest.h>

#include <climits>
#include <limits>

namespace {

using config::parse_decimal;
using config::parse_octal;
using config::parse_unsigned_wrapping;

constexpr unsigned long long ull_max = std::numeric_limits<unsigned long long>::max();

TEST(ParseDecimal, ReadsPlainSignedAndZeroValues) {
    EXPECT_EQ(parse_decimal("0", -10, 10), 0);
    EXPECT_EQ(parse_decimal("7", -10, 10), 7);
    EXPECT_EQ(parse_decimal("-7", -10, 10), -7);
    EXPECT_EQ(parse_decimal("+7", -10, 10), 7);
    EXPECT_EQ(parse_decimal("007", -10, 10), 7);
}

TEST(ParseDecimal, AcceptsBothEndsOfTheRange) {
    EXPECT_EQ(parse_decimal("-20", -20, 19), -20);
    EXPECT_EQ(parse_decimal("19", -20, 19), 19);
}

TEST(ParseDecimal, RejectsValuesJustOutsideTheRange) {
    EXPECT_EQ(parse_decimal("-21", -20, 19), std::nullopt);
    EXPECT_EQ(parse_decimal("20", -20, 19), std::nullopt);
    EXPECT_EQ(parse_decimal("-1", 0, INT_MAX), std::nullopt);
}

TEST(ParseDecimal, RequiresTheWholeStringToBeDigits) {
    EXPECT_EQ(parse_decimal("", 0, 100), std::nullopt);
    EXPECT_EQ(parse_decimal("-", 0, 100), std::nullopt);
    EXPECT_EQ(parse_decimal("+", 0, 100), std::nullopt);
    EXPECT_EQ(parse_decimal("12a", 0, 100), std::nullopt);
    EXPECT_EQ(parse_decimal("a12", 0, 100), std::nullopt);
    EXPECT_EQ(parse_decimal(" 12", 0, 100), std::nullopt);
    EXPECT_EQ(parse_decimal("12 ", 0, 100), std::nullopt);
    EXPECT_EQ(parse_decimal("1.5", 0, 100), std::nullopt);
    EXPECT_EQ(parse_decimal("0x10", 0, 100), std::nullopt);
    EXPECT_EQ(parse_decimal("--1", -100, 100), std::nullopt);
    EXPECT_EQ(parse_decimal("+-1", -100, 100), std::nullopt);
}

TEST(ParseDecimal, ReadsTheExtremesOfLongLong) {
    constexpr long long min = std::numeric_limits<long long>::min();
    constexpr long long max = std::numeric_limits<long long>::max();
    EXPECT_EQ(parse_decimal("9223372036854775807", min, max), max);
    EXPECT_EQ(parse_decimal("-9223372036854775807", min, max), min + 1);
    EXPECT_EQ(parse_decimal("-9223372036854775808", min, max), min);
}

TEST(ParseDecimal, RejectsOverflowInsteadOfWrapping) {
    constexpr long long min = std::numeric_limits<long long>::min();
    constexpr long long max = std::numeric_limits<long long>::max();
    EXPECT_EQ(parse_decimal("9223372036854775808", min, max), std::nullopt);
    EXPECT_EQ(parse_decimal("-9223372036854775809", min, max), std::nullopt);
    EXPECT_EQ(parse_decimal("18446744073709551616", min, max), std::nullopt);
    EXPECT_EQ(parse_decimal("99999999999999999999999999", min, max), std::nullopt);
    EXPECT_EQ(parse_decimal("2147483648", 0, INT_MAX), std::nullopt);
}

TEST(ParseOctal, ReadsOctalDigits) {
    EXPECT_EQ(parse_octal("022", 0777), 022u);
    EXPECT_EQ(parse_octal("0022", 0777), 022u);
    EXPECT_EQ(parse_octal("77", 0777), 077u);
    EXPECT_EQ(parse_octal("0", 0777), 0u);
    EXPECT_EQ(parse_octal("777", 0777), 0777u);
}

TEST(ParseOctal, RejectsValuesAboveTheMaximum) {
    EXPECT_EQ(parse_octal("1000", 0777), std::nullopt);
    EXPECT_EQ(parse_octal("01000", 0777), std::nullopt);
}

TEST(ParseOctal, RejectsNonOctalDigitsSignsAndEmptyText) {
    EXPECT_EQ(parse_octal("8", 0777), std::nullopt);
    EXPECT_EQ(parse_octal("999", 0777), std::nullopt);
    EXPECT_EQ(parse_octal("-1", 0777), std::nullopt);
    EXPECT_EQ(parse_octal("+1", 0777), std::nullopt);
    EXPECT_EQ(parse_octal("", 0777), std::nullopt);
    EXPECT_EQ(parse_octal("0x1", 0777), std::nullopt);
    EXPECT_EQ(parse_octal("12a", 0777), std::nullopt);
}

TEST(ParseOctal, RejectsOverflow) {
    EXPECT_EQ(parse_octal(std::string(40, '7'), std::numeric_limits<unsigned long>::max()), std::nullopt);
}

TEST(ParseUnsignedWrapping, ReadsPlainValues) {
    EXPECT_EQ(parse_unsigned_wrapping("0"), 0u);
    EXPECT_EQ(parse_unsigned_wrapping("1024"), 1024u);
    EXPECT_EQ(parse_unsigned_wrapping("+5"), 5u);
}

TEST(ParseUnsignedWrapping, MinusOneWrapsToTheMaximumLikeStrtoul) {
    EXPECT_EQ(parse_unsigned_wrapping("-1"), ull_max);
    EXPECT_EQ(parse_unsigned_wrapping("-2"), ull_max - 1);
}

TEST(ParseUnsignedWrapping, ReadsTheLargestValueAndRejectsOneMore) {
    EXPECT_EQ(parse_unsigned_wrapping("18446744073709551615"), ull_max);
    EXPECT_EQ(parse_unsigned_wrapping("18446744073709551616"), std::nullopt);
    EXPECT_EQ(parse_unsigned_wrapping("99999999999999999999"), std::nullopt);
}

TEST(ParseUnsignedWrapping, RejectsTextThatIsNotANumber) {
    EXPECT_EQ(parse_unsigned_wrapping(""), std::nullopt);
    EXPECT_EQ(parse_unsigned_wrapping("-"), std::nullopt);
    EXPECT_EQ(parse_unsigned_wrapping("unlimited"), std::nullopt);
    EXPECT_EQ(parse_unsigned_wrapping("10k"), std::nullopt);
    EXPECT_EQ(parse_unsigned_wrapping(" 1"), std::nullopt);
}

} // namespace

TEST(ParseSecondsMs, ReadsWholeAndFractionalSeconds) {
    EXPECT_EQ(config::parse_seconds_ms("0", 10'000), 0u);
    EXPECT_EQ(config::parse_seconds_ms("5", 10'000), 5000u);
    EXPECT_EQ(config::parse_seconds_ms("0.5", 10'000), 500u);
    EXPECT_EQ(config::parse_seconds_ms("1.25", 10'000), 1250u);
    EXPECT_EQ(config::parse_seconds_ms("0.05", 10'000), 50u);
    EXPECT_EQ(config::parse_seconds_ms("2.001", 10'000), 2001u);
    EXPECT_EQ(config::parse_seconds_ms("10", 10'000), 10'000u) << "the maximum itself";
}

TEST(ParseSecondsMs, RejectsSignsPointsAloneFinerThanAMillisecondAndTooLarge) {
    for (const char* bad :
         {"", "-1", "+1", ".5", "1.", "1.0001", "1,5", "1e3", " 1", "10.001", "11", "18446744073709551616"}) {
        EXPECT_EQ(config::parse_seconds_ms(bad, 10'000), std::nullopt) << bad;
    }
}
