// Tests of the PostgreSQL type mapping and the text converters. Expected values marked "PG" were
// taken from PostgreSQL 15 under wharf's session settings (DateStyle=ISO, IntervalStyle=postgres,
// TimeZone=UTC, extra_float_digits=3, bytea_output=hex), e.g. `'0044-03-15 BC'::date -
// '1970-01-01'` and `extract(epoch from ts) * 1000000`.
#include "core/convert.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "core/pg_types.hpp"
#include "core/relation.hpp"
#include "core/value.hpp"

namespace wharf::core {

// Readable failure messages for the value types (found by GoogleTest through ADL).
void PrintTo(const DecimalValue& v, std::ostream* os) {
  unsigned __int128 magnitude = v.scaled < 0 ? -static_cast<unsigned __int128>(v.scaled)
                                             : static_cast<unsigned __int128>(v.scaled);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  *os << "DecimalValue{" << (v.scaled < 0 ? "-" : "") << digits << "}";
}
void PrintTo(const DateValue& v, std::ostream* os) {
  *os << "DateValue{" << v.days << ", inf=" << int{v.infinity} << "}";
}
void PrintTo(const TimeValue& v, std::ostream* os) { *os << "TimeValue{" << v.micros << "}"; }
void PrintTo(const TimestampValue& v, std::ostream* os) {
  *os << "TimestampValue{" << v.micros << ", inf=" << int{v.infinity} << "}";
}
void PrintTo(const IntervalValue& v, std::ostream* os) {
  *os << "IntervalValue{" << v.months << " months, " << v.days << " days, " << v.micros << " us}";
}
void PrintTo(const UuidValue& v, std::ostream* os) {
  *os << std::hex << "UuidValue{" << v.hi << ", " << v.lo << "}" << std::dec;
}
void PrintTo(const ListValue& v, std::ostream* os);
void PrintValue(const Value& value, std::ostream* os) {
  std::visit(
      [os](const auto& x) {
        using X = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<X, std::monostate>) {
          *os << "NULL";
        } else if constexpr (std::is_same_v<X, bool> || std::is_same_v<X, int64_t> ||
                             std::is_same_v<X, double>) {
          *os << x;
        } else if constexpr (std::is_same_v<X, std::string>) {
          *os << '"' << x << '"';
        } else {
          PrintTo(x, os);
        }
      },
      value);
}
void PrintTo(const ListValue& v, std::ostream* os) {
  *os << "[";
  for (size_t i = 0; i < v.items.size(); ++i) {
    if (i > 0) *os << ", ";
    PrintValue(v.items[i], os);
  }
  *os << "]";
}
void PrintTo(const BlobValue& v, std::ostream* os) {
  *os << "BlobValue{";
  for (unsigned char c : v.bytes) *os << std::hex << int{c} << " " << std::dec;
  *os << "}";
}

namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
constexpr int32_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int32_t kInt32Min = std::numeric_limits<int32_t>::min();

LogicalType T(LogicalKind kind) { return LogicalType{kind, 0, 0}; }
LogicalType Dec(int precision, int scale) {
  return LogicalType{LogicalKind::kDecimal, static_cast<uint8_t>(precision),
                     static_cast<uint8_t>(scale)};
}

// numeric(p,s)'s atttypmod, as PostgreSQL 15 builds it (scale is an 11-bit signed field).
int32_t NumericTypmod(int precision, int scale) {
  return ((precision << 16) | (scale & 0x7ff)) + 4;
}

// The converted value if accepted with the expected alternative; nullopt otherwise.
template <typename V>
std::optional<V> As(const LogicalType& type, std::string_view text) {
  const ConvertResult result = ConvertText(type, text);
  if (result.reject) return std::nullopt;
  if (const V* value = std::get_if<V>(&result.value)) return *value;
  return std::nullopt;
}
template <typename V>
std::optional<V> As(LogicalKind kind, std::string_view text) {
  return As<V>(T(kind), text);
}

// The reject reason, or "" if the text was accepted. A rejected result must carry no value.
std::string RejectOf(const LogicalType& type, std::string_view text) {
  const ConvertResult result = ConvertText(type, text);
  if (!result.reject) return "";
  EXPECT_TRUE(std::holds_alternative<std::monostate>(result.value)) << text;
  EXPECT_FALSE(result.reject->empty()) << text;
  return *result.reject;
}
std::string RejectOf(LogicalKind kind, std::string_view text) { return RejectOf(T(kind), text); }
bool Rejects(const LogicalType& type, std::string_view text) {
  return !RejectOf(type, text).empty();
}
bool Rejects(LogicalKind kind, std::string_view text) { return Rejects(T(kind), text); }

// An independent reading of a digit string, to build expected 128-bit values.
__int128 Digits128(std::string_view digits) {
  __int128 v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

__int128 Pow10(int n) {
  __int128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

// ------------------------------------------------------------------------------------------
// MapPgType

TEST(MapPgTypeTest, ScalarTypes) {
  EXPECT_EQ(MapPgType(oid::kBool, -1), T(LogicalKind::kBool));
  EXPECT_EQ(MapPgType(oid::kInt2, -1), T(LogicalKind::kInt16));
  EXPECT_EQ(MapPgType(oid::kInt4, -1), T(LogicalKind::kInt32));
  EXPECT_EQ(MapPgType(oid::kInt8, -1), T(LogicalKind::kInt64));
  EXPECT_EQ(MapPgType(oid::kOid, -1), T(LogicalKind::kInt64));  // unsigned 32-bit
  EXPECT_EQ(MapPgType(oid::kFloat4, -1), T(LogicalKind::kFloat32));
  EXPECT_EQ(MapPgType(oid::kFloat8, -1), T(LogicalKind::kFloat64));
  EXPECT_EQ(MapPgType(oid::kJson, -1), T(LogicalKind::kJson));
  EXPECT_EQ(MapPgType(oid::kJsonb, -1), T(LogicalKind::kJson));
  EXPECT_EQ(MapPgType(oid::kBytea, -1), T(LogicalKind::kBlob));
  EXPECT_EQ(MapPgType(oid::kDate, -1), T(LogicalKind::kDate));
  EXPECT_EQ(MapPgType(oid::kTime, -1), T(LogicalKind::kTime));
  EXPECT_EQ(MapPgType(oid::kTime, 3), T(LogicalKind::kTime));  // time(3)
  EXPECT_EQ(MapPgType(oid::kTimestamp, -1), T(LogicalKind::kTimestamp));
  EXPECT_EQ(MapPgType(oid::kTimestampTz, 6), T(LogicalKind::kTimestampTz));
  EXPECT_EQ(MapPgType(oid::kInterval, -1), T(LogicalKind::kInterval));
  EXPECT_EQ(MapPgType(oid::kUuid, -1), T(LogicalKind::kUuid));
}

TEST(MapPgTypeTest, TextAndTypesWithoutFaithfulNative) {
  for (uint32_t type_oid : {oid::kText, oid::kVarchar, oid::kBpchar, oid::kName, oid::kChar,
                            oid::kTimeTz, oid::kMoney, oid::kXml}) {
    EXPECT_EQ(MapPgType(type_oid, -1), T(LogicalKind::kText)) << type_oid;
  }
  EXPECT_EQ(MapPgType(oid::kVarchar, 14), T(LogicalKind::kText));  // varchar(10)
  EXPECT_EQ(MapPgType(869, -1), T(LogicalKind::kText));            // inet
  EXPECT_EQ(MapPgType(3904, -1), T(LogicalKind::kText));           // int4range
  EXPECT_EQ(MapPgType(123456, -1), T(LogicalKind::kText));         // some user type
}

TEST(MapPgTypeTest, NumericTypmodMatchesPostgres) {
  // atttypmod values read from pg_attribute.
  EXPECT_EQ(NumericTypmod(38, 9), 2490381);
  EXPECT_EQ(NumericTypmod(5, -2), 329730);
  EXPECT_EQ(NumericTypmod(3, 5), 196617);
  EXPECT_EQ(NumericTypmod(1000, 0), 65536004);
}

TEST(MapPgTypeTest, ConstrainedNumeric) {
  EXPECT_EQ(MapPgType(oid::kNumeric, NumericTypmod(12, 2)), Dec(12, 2));
  EXPECT_EQ(MapPgType(oid::kNumeric, NumericTypmod(1, 0)), Dec(1, 0));
  EXPECT_EQ(MapPgType(oid::kNumeric, NumericTypmod(38, 0)), Dec(38, 0));
  EXPECT_EQ(MapPgType(oid::kNumeric, NumericTypmod(38, 38)), Dec(38, 38));
  EXPECT_EQ(MapPgType(oid::kNumeric, NumericTypmod(38, 9)), Dec(38, 9));
  // Too wide for a 128-bit DECIMAL: kept exact as text.
  EXPECT_EQ(MapPgType(oid::kNumeric, NumericTypmod(39, 0)), T(LogicalKind::kText));
  EXPECT_EQ(MapPgType(oid::kNumeric, NumericTypmod(1000, 500)), T(LogicalKind::kText));
  EXPECT_EQ(MapPgType(oid::kNumeric, 65536004), T(LogicalKind::kText));
}

TEST(MapPgTypeTest, NumericWithNegativeScale) {
  // numeric(5,-2) holds multiples of 100 below 10^7: seven integer digits, no fraction.
  EXPECT_EQ(MapPgType(oid::kNumeric, NumericTypmod(5, -2)), Dec(7, 0));
  EXPECT_EQ(MapPgType(oid::kNumeric, NumericTypmod(36, -2)), Dec(38, 0));
  // 39 or more integer digits cannot all be held by DECIMAL(38,0).
  EXPECT_EQ(MapPgType(oid::kNumeric, NumericTypmod(37, -2)), T(LogicalKind::kText));
  EXPECT_EQ(MapPgType(oid::kNumeric, NumericTypmod(10, -1000)), T(LogicalKind::kText));
}

TEST(MapPgTypeTest, NumericWithScaleAbovePrecision) {
  // numeric(3,5) holds |x| < 0.01 with five fractional digits.
  EXPECT_EQ(MapPgType(oid::kNumeric, NumericTypmod(3, 5)), Dec(5, 5));
  EXPECT_EQ(MapPgType(oid::kNumeric, NumericTypmod(1, 38)), Dec(38, 38));
  EXPECT_EQ(MapPgType(oid::kNumeric, NumericTypmod(1, 39)), T(LogicalKind::kText));
  EXPECT_EQ(MapPgType(oid::kNumeric, NumericTypmod(1, 1000)), T(LogicalKind::kText));
}

TEST(MapPgTypeTest, UnconstrainedNumericFollowsOptions) {
  EXPECT_EQ(MapPgType(oid::kNumeric, -1), Dec(38, 9));
  TypeOptions options;
  options.unconstrained_numeric = NumericMapping::kDecimal;
  EXPECT_EQ(MapPgType(oid::kNumeric, -1, options), Dec(38, 9));
  options.unconstrained_numeric = NumericMapping::kString;
  EXPECT_EQ(MapPgType(oid::kNumeric, -1, options), T(LogicalKind::kText));
  options.unconstrained_numeric = NumericMapping::kDouble;
  EXPECT_EQ(MapPgType(oid::kNumeric, -1, options), T(LogicalKind::kFloat64));
  // Options only matter for unconstrained numeric.
  EXPECT_EQ(MapPgType(oid::kNumeric, NumericTypmod(12, 2), options), Dec(12, 2));
  EXPECT_EQ(MapPgType(oid::kInt4, -1, options), T(LogicalKind::kInt32));
}

TEST(LogicalTypeNameTest, Names) {
  EXPECT_EQ(LogicalTypeName(Dec(12, 2)), "DECIMAL(12,2)");
  EXPECT_EQ(LogicalTypeName(Dec(38, 9)), "DECIMAL(38,9)");
  EXPECT_EQ(LogicalTypeName(T(LogicalKind::kBool)), "BOOLEAN");
  EXPECT_EQ(LogicalTypeName(T(LogicalKind::kInt16)), "SMALLINT");
  EXPECT_EQ(LogicalTypeName(T(LogicalKind::kInt32)), "INTEGER");
  EXPECT_EQ(LogicalTypeName(T(LogicalKind::kInt64)), "BIGINT");
  EXPECT_EQ(LogicalTypeName(T(LogicalKind::kFloat32)), "FLOAT");
  EXPECT_EQ(LogicalTypeName(T(LogicalKind::kFloat64)), "DOUBLE");
  EXPECT_EQ(LogicalTypeName(T(LogicalKind::kText)), "VARCHAR");
  EXPECT_EQ(LogicalTypeName(T(LogicalKind::kJson)), "JSON");
  EXPECT_EQ(LogicalTypeName(T(LogicalKind::kBlob)), "BLOB");
  EXPECT_EQ(LogicalTypeName(T(LogicalKind::kDate)), "DATE");
  EXPECT_EQ(LogicalTypeName(T(LogicalKind::kTime)), "TIME");
  EXPECT_EQ(LogicalTypeName(T(LogicalKind::kTimestamp)), "TIMESTAMP");
  EXPECT_EQ(LogicalTypeName(T(LogicalKind::kTimestampTz)), "TIMESTAMPTZ");
  EXPECT_EQ(LogicalTypeName(T(LogicalKind::kInterval)), "INTERVAL");
  EXPECT_EQ(LogicalTypeName(T(LogicalKind::kUuid)), "UUID");
}

// ------------------------------------------------------------------------------------------
// bool and integers

TEST(ConvertBoolTest, Values) {
  EXPECT_EQ(As<bool>(LogicalKind::kBool, "t"), true);
  EXPECT_EQ(As<bool>(LogicalKind::kBool, "f"), false);
  EXPECT_EQ(As<bool>(LogicalKind::kBool, "true"), true);
  EXPECT_EQ(As<bool>(LogicalKind::kBool, "false"), false);
  for (std::string_view bad : {"", "T", "F", "yes", "1", "0", "t ", "tr"}) {
    EXPECT_TRUE(Rejects(LogicalKind::kBool, bad)) << bad;
  }
}

TEST(ConvertIntegerTest, Int16Bounds) {
  EXPECT_EQ(As<int64_t>(LogicalKind::kInt16, "0"), 0);
  EXPECT_EQ(As<int64_t>(LogicalKind::kInt16, "-0"), 0);
  EXPECT_EQ(As<int64_t>(LogicalKind::kInt16, "32767"), 32767);
  EXPECT_EQ(As<int64_t>(LogicalKind::kInt16, "-32768"), -32768);
  EXPECT_NE(RejectOf(LogicalKind::kInt16, "32768").find("out of range"), std::string::npos);
  EXPECT_NE(RejectOf(LogicalKind::kInt16, "-32769").find("out of range"), std::string::npos);
}

TEST(ConvertIntegerTest, Int32AndInt64Bounds) {
  EXPECT_EQ(As<int64_t>(LogicalKind::kInt32, "2147483647"), kInt32Max);
  EXPECT_EQ(As<int64_t>(LogicalKind::kInt32, "-2147483648"), kInt32Min);
  EXPECT_TRUE(Rejects(LogicalKind::kInt32, "2147483648"));
  EXPECT_TRUE(Rejects(LogicalKind::kInt32, "-2147483649"));
  EXPECT_EQ(As<int64_t>(LogicalKind::kInt64, "9223372036854775807"), kInt64Max);
  EXPECT_EQ(As<int64_t>(LogicalKind::kInt64, "-9223372036854775808"), kInt64Min);
  EXPECT_EQ(As<int64_t>(LogicalKind::kInt64, "4294967295"), 4294967295);  // max oid
  EXPECT_NE(RejectOf(LogicalKind::kInt64, "9223372036854775808").find("out of range"),
            std::string::npos);
  EXPECT_TRUE(Rejects(LogicalKind::kInt64, "-9223372036854775809"));
  EXPECT_TRUE(Rejects(LogicalKind::kInt64, "99999999999999999999999999999"));
}

TEST(ConvertIntegerTest, Malformed) {
  for (LogicalKind kind : {LogicalKind::kInt16, LogicalKind::kInt32, LogicalKind::kInt64}) {
    for (std::string_view bad :
         {"", "+1", " 1", "1 ", "1.0", "1e3", "0x10", "--1", "-", "abc", "１"}) {
      const std::string reason = RejectOf(kind, bad);
      EXPECT_NE(reason.find("expected a decimal integer"), std::string::npos) << bad;
    }
  }
}

// ------------------------------------------------------------------------------------------
// float4 and float8

TEST(ConvertFloatTest, Float4RoundTripsExactly) {
  // float4 text parsed as float, then widened: the double is the stored float exactly.
  EXPECT_EQ(As<double>(LogicalKind::kFloat32, "3.4028235e+38"),
            static_cast<double>(std::numeric_limits<float>::max()));
  EXPECT_EQ(As<double>(LogicalKind::kFloat32, "3.4028235e+38"), 3.4028234663852886e+38);  // PG
  EXPECT_EQ(As<double>(LogicalKind::kFloat32, "1.0000001"), 1.0000001192092896);  // PG float8
  EXPECT_EQ(As<double>(LogicalKind::kFloat32, "1.0000001"), static_cast<double>(1.0000001f));
  EXPECT_EQ(As<double>(LogicalKind::kFloat32, "0.1"), static_cast<double>(0.1f));
  EXPECT_EQ(As<double>(LogicalKind::kFloat32, "-2.5"), -2.5);
  EXPECT_EQ(As<double>(LogicalKind::kFloat32, "1.1754944e-38"),
            static_cast<double>(std::numeric_limits<float>::min()));
}

TEST(ConvertFloatTest, Denormals) {
  // The smallest float4 denormal prints as "1e-45" and reads back as 2^-149.
  EXPECT_EQ(As<double>(LogicalKind::kFloat32, "1e-45"),
            static_cast<double>(std::numeric_limits<float>::denorm_min()));
  EXPECT_EQ(As<double>(LogicalKind::kFloat32, "1e-45"), 1.401298464324817e-45);  // PG
  EXPECT_EQ(As<double>(LogicalKind::kFloat64, "5e-324"), std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(As<double>(LogicalKind::kFloat64, "2.2250738585072014e-308"),
            std::numeric_limits<double>::min());
  EXPECT_EQ(As<double>(LogicalKind::kFloat64, "1e-310"), 1e-310);
}

TEST(ConvertFloatTest, Float8) {
  EXPECT_EQ(As<double>(LogicalKind::kFloat64, "0.1"), 0.1);
  EXPECT_EQ(As<double>(LogicalKind::kFloat64, "1.7976931348623157e+308"),
            std::numeric_limits<double>::max());
  EXPECT_EQ(As<double>(LogicalKind::kFloat64, "-1.2345678901234567e-100"),
            -1.2345678901234567e-100);
  EXPECT_EQ(As<double>(LogicalKind::kFloat64, "123456789012"), 123456789012.0);
  const std::optional<double> negative_zero = As<double>(LogicalKind::kFloat64, "-0");
  ASSERT_TRUE(negative_zero.has_value());
  EXPECT_EQ(*negative_zero, 0.0);
  EXPECT_TRUE(std::signbit(*negative_zero));
}

TEST(ConvertFloatTest, NanAndInfinities) {
  for (LogicalKind kind : {LogicalKind::kFloat32, LogicalKind::kFloat64}) {
    const std::optional<double> nan = As<double>(kind, "NaN");
    ASSERT_TRUE(nan.has_value());
    EXPECT_TRUE(std::isnan(*nan));
    EXPECT_EQ(As<double>(kind, "Infinity"), std::numeric_limits<double>::infinity());
    EXPECT_EQ(As<double>(kind, "-Infinity"), -std::numeric_limits<double>::infinity());
  }
}

TEST(ConvertFloatTest, OutOfRangeAndMalformed) {
  EXPECT_NE(RejectOf(LogicalKind::kFloat32, "1e39").find("out of range"), std::string::npos);
  EXPECT_NE(RejectOf(LogicalKind::kFloat64, "1e309").find("out of range"), std::string::npos);
  for (LogicalKind kind : {LogicalKind::kFloat32, LogicalKind::kFloat64}) {
    for (std::string_view bad : {"", "inf", "-inf", "infinity", "nan", "NAN", "+Infinity", "+1",
                                 " 1", "1 ", "1.5x", "0x1p3", "1,5", "-", ".", "e5", "1e"}) {
      EXPECT_TRUE(Rejects(kind, bad)) << bad;
    }
  }
}

// ------------------------------------------------------------------------------------------
// numeric → DECIMAL

TEST(ConvertDecimalTest, Values) {
  EXPECT_EQ(As<DecimalValue>(Dec(12, 2), "123.45"), DecimalValue{12345});
  EXPECT_EQ(As<DecimalValue>(Dec(12, 2), "-12.5"), DecimalValue{-1250});
  EXPECT_EQ(As<DecimalValue>(Dec(12, 2), "7"), DecimalValue{700});
  EXPECT_EQ(As<DecimalValue>(Dec(12, 2), "0"), DecimalValue{0});
  EXPECT_EQ(As<DecimalValue>(Dec(12, 2), "0.00"), DecimalValue{0});
  EXPECT_EQ(As<DecimalValue>(Dec(12, 2), "-0.01"), DecimalValue{-1});
  EXPECT_EQ(As<DecimalValue>(Dec(38, 9), "-0.5"), DecimalValue{-500000000});
  EXPECT_EQ(As<DecimalValue>(Dec(38, 9), "0"), DecimalValue{0});
  EXPECT_EQ(As<DecimalValue>(Dec(38, 9), "0.000000001"), DecimalValue{1});
  EXPECT_EQ(As<DecimalValue>(Dec(5, 0), "-12345"), DecimalValue{-12345});
  EXPECT_EQ(As<DecimalValue>(Dec(3, 3), "0.123"), DecimalValue{123});
  EXPECT_EQ(As<DecimalValue>(Dec(3, 3), "-0.999"), DecimalValue{-999});
  EXPECT_EQ(As<DecimalValue>(Dec(7, 0), "12345600"), std::nullopt);  // 8 digits
  EXPECT_EQ(As<DecimalValue>(Dec(7, 0), "1234500"), DecimalValue{1234500});
}

TEST(ConvertDecimalTest, ThirtyEightDigits) {
  const std::string nines(38, '9');
  EXPECT_EQ(As<DecimalValue>(Dec(38, 0), nines), DecimalValue{Pow10(38) - 1});
  EXPECT_EQ(As<DecimalValue>(Dec(38, 0), "-" + nines), DecimalValue{-(Pow10(38) - 1)});
  EXPECT_EQ(As<DecimalValue>(Dec(38, 38), "0." + nines), DecimalValue{Pow10(38) - 1});
  // 29 integer digits and 9 fractional digits: the widest value DECIMAL(38,9) holds.
  EXPECT_EQ(As<DecimalValue>(Dec(38, 9), std::string(29, '9') + ".999999999"),
            DecimalValue{Pow10(38) - 1});
  EXPECT_EQ(As<DecimalValue>(Dec(38, 9), "12345678901234567890123456789.123456789"),
            DecimalValue{Digits128("12345678901234567890123456789123456789")});
  // Leading zeros are not digits to hold.
  EXPECT_EQ(As<DecimalValue>(Dec(2, 1), "00001.5"), DecimalValue{15});
}

TEST(ConvertDecimalTest, TooManyDigits) {
  EXPECT_NE(RejectOf(Dec(38, 0), std::string(39, '9')).find("more than 38 integer digits"),
            std::string::npos);
  EXPECT_NE(RejectOf(Dec(38, 9), std::string(30, '1')).find("more than 29 integer digits"),
            std::string::npos);
  EXPECT_TRUE(Rejects(Dec(12, 2), "12345678901.5"));
  EXPECT_TRUE(Rejects(Dec(3, 3), "1.000"));
  EXPECT_NE(RejectOf(Dec(38, 9), "0.1234567891").find("more than 9 fractional digits"),
            std::string::npos);
  EXPECT_TRUE(Rejects(Dec(38, 9), "-1.0000000001"));
  EXPECT_TRUE(Rejects(Dec(38, 9), "1e-20"));
  EXPECT_TRUE(Rejects(Dec(38, 9), "0.00000000000000000001"));
  // Extra fractional zeros lose only the display scale, never the value.
  EXPECT_EQ(As<DecimalValue>(Dec(38, 9), "1.500000000000"), DecimalValue{1500000000});
}

TEST(ConvertDecimalTest, NanAndInfinitiesAreRejected) {
  EXPECT_NE(RejectOf(Dec(38, 9), "NaN").find("DECIMAL cannot hold NaN"), std::string::npos);
  EXPECT_NE(RejectOf(Dec(12, 2), "Infinity").find("cannot hold Infinity"), std::string::npos);
  EXPECT_NE(RejectOf(Dec(12, 2), "-Infinity").find("cannot hold -Infinity"), std::string::npos);
}

TEST(ConvertDecimalTest, Malformed) {
  for (std::string_view bad : {"", "-", "+1", " 1", "1 ", ".5", "1.", "1e5", "1E5", "1,5", "1.2.3",
                               "--1", "0x10", "nan", "1_000"}) {
    EXPECT_NE(RejectOf(Dec(38, 9), bad).find("expected [-]digits[.digits]"), std::string::npos)
        << bad;
  }
}

TEST(ConvertDecimalTest, InvalidTargetIsRejectedNotUndefined) {
  EXPECT_TRUE(Rejects(Dec(0, 0), "1"));
  EXPECT_TRUE(Rejects(Dec(39, 0), "1"));
  EXPECT_TRUE(Rejects(Dec(3, 4), "0.1"));
}

// ------------------------------------------------------------------------------------------
// text, json, bytea

TEST(ConvertTextTest, CopiedAsIs) {
  EXPECT_EQ(As<std::string>(LogicalKind::kText, ""), "");
  EXPECT_EQ(As<std::string>(LogicalKind::kText, " padded  "), " padded  ");
  EXPECT_EQ(As<std::string>(LogicalKind::kText, "h\xc3\xa9llo\n\\x00"), "h\xc3\xa9llo\n\\x00");
  EXPECT_EQ(As<std::string>(LogicalKind::kText, std::string_view("a\0b", 3)),
            std::string("a\0b", 3));
  EXPECT_EQ(As<std::string>(LogicalKind::kText, "$1,000.00"), "$1,000.00");
  EXPECT_EQ(As<std::string>(LogicalKind::kJson, R"({"a": [1, null]})"), R"({"a": [1, null]})");
  EXPECT_EQ(As<std::string>(LogicalKind::kJson, "null"), "null");
}

TEST(ConvertBlobTest, Hex) {
  EXPECT_EQ(As<BlobValue>(LogicalKind::kBlob, "\\x"), BlobValue{""});
  EXPECT_EQ(As<BlobValue>(LogicalKind::kBlob, "\\x00ff"), BlobValue{std::string("\x00\xff", 2)});
  EXPECT_EQ(As<BlobValue>(LogicalKind::kBlob, "\\xDEADbeef"), BlobValue{"\xde\xad\xbe\xef"});
  EXPECT_EQ(As<BlobValue>(LogicalKind::kBlob, "\\x5c78"), BlobValue{"\\x"});
  for (std::string_view bad : {"\\x0", "\\x0g", "\\xzz", "\\x 00", "\\x00 ", "\\X00"}) {
    EXPECT_TRUE(Rejects(LogicalKind::kBlob, bad)) << bad;
  }
}

TEST(ConvertBlobTest, EscapeFormat) {
  // PG with bytea_output=escape writes '\x00ff5c41'::bytea as \000\377\\A.
  EXPECT_EQ(As<BlobValue>(LogicalKind::kBlob, "\\000\\377\\\\A"),
            BlobValue{std::string("\x00\xff\\A", 4)});
  EXPECT_EQ(As<BlobValue>(LogicalKind::kBlob, ""), BlobValue{""});
  EXPECT_EQ(As<BlobValue>(LogicalKind::kBlob, "abc"), BlobValue{"abc"});
  EXPECT_EQ(As<BlobValue>(LogicalKind::kBlob, "a\\\\b"), BlobValue{"a\\b"});
  for (std::string_view bad : {"\\", "a\\", "\\9", "\\400", "\\08", "\\00", "\\abc"}) {
    EXPECT_TRUE(Rejects(LogicalKind::kBlob, bad)) << bad;
  }
}

// ------------------------------------------------------------------------------------------
// date

std::optional<int32_t> Days(std::string_view text) {
  const std::optional<DateValue> date = As<DateValue>(LogicalKind::kDate, text);
  if (!date || date->infinity != 0) return std::nullopt;
  return date->days;
}

TEST(ConvertDateTest, Values) {
  EXPECT_EQ(Days("1970-01-01"), 0);
  EXPECT_EQ(Days("1969-12-31"), -1);
  EXPECT_EQ(Days("2000-03-01"), 11017);  // PG
  EXPECT_EQ(Days("2024-02-29"), 19782);  // PG
  EXPECT_EQ(Days("0001-01-01"), -719162);
  EXPECT_EQ(Days("10000-01-01"), 2932897);       // PG
  EXPECT_EQ(Days("294276-12-31"), 106762939);    // PG
  EXPECT_EQ(Days("5874897-12-31"), 2145042905);  // PG's last date
}

TEST(ConvertDateTest, BeforeChrist) {
  EXPECT_EQ(Days("0044-03-15 BC"), -735160);   // PG
  EXPECT_EQ(Days("4713-01-01 BC"), -2440550);  // PG
  EXPECT_EQ(Days("4714-11-24 BC"), -2440588);  // PG's first date (Julian day 0)
  EXPECT_EQ(Days("0001-01-01 BC"), -719528);   // PG
  EXPECT_EQ(Days("0001-12-31 BC"), -719163);   // PG: the day before 0001-01-01
  // 1 BC is astronomical year 0 and 5 BC year -4: leap years. 4 BC is not.
  EXPECT_EQ(Days("0001-02-29 BC"), -719469);  // PG
  EXPECT_EQ(Days("0005-02-29 BC"), -720930);  // PG
  EXPECT_TRUE(Rejects(LogicalKind::kDate, "0004-02-29 BC"));
}

TEST(ConvertDateTest, ConsecutiveDaysAcrossTheEra) {
  // Walk every day from 400 BC to 400 AD and check each is one more than the last.
  static constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  std::optional<int32_t> previous;
  for (int astronomical = -399; astronomical <= 400; ++astronomical) {
    const bool leap = astronomical % 4 == 0 && (astronomical % 100 != 0 || astronomical % 400 == 0);
    const bool bc = astronomical <= 0;
    const int written_year = bc ? 1 - astronomical : astronomical;
    for (int month = 1; month <= 12; ++month) {
      const int month_days = kMonthDays[month - 1] + (month == 2 && leap ? 1 : 0);
      for (int day = 1; day <= month_days; ++day) {
        char text[32];
        std::snprintf(text, sizeof text, "%04d-%02d-%02d%s", written_year, month, day,
                      bc ? " BC" : "");
        const std::optional<int32_t> days = Days(text);
        ASSERT_TRUE(days.has_value()) << text;
        if (previous) {
          ASSERT_EQ(*days, *previous + 1) << text;
        }
        previous = days;
      }
      const std::string past_end = std::to_string(10000 + written_year).substr(1) + "-" +
                                   (month < 10 ? "0" : "") + std::to_string(month) + "-" +
                                   std::to_string(month_days + 1) + (bc ? " BC" : "");
      ASSERT_TRUE(Rejects(LogicalKind::kDate, past_end)) << past_end;
    }
  }
  EXPECT_EQ(previous, Days("0400-12-31"));
}

TEST(ConvertDateTest, Infinity) {
  EXPECT_EQ(As<DateValue>(LogicalKind::kDate, "infinity"), (DateValue{0, 1}));
  EXPECT_EQ(As<DateValue>(LogicalKind::kDate, "-infinity"), (DateValue{0, -1}));
  EXPECT_TRUE(Rejects(LogicalKind::kDate, "Infinity"));
  EXPECT_TRUE(Rejects(LogicalKind::kDate, "+infinity"));
}

TEST(ConvertDateTest, Malformed) {
  for (std::string_view bad : {"",
                               "2024-1-01",
                               "24-01-01",
                               "024-01-01",
                               "2024-01-1",
                               "2024/01/01",
                               "2024-01-01 AD",
                               "2024-01-01BC",
                               "2024-01-01 BC ",
                               " 2024-01-01",
                               "2024-01-01 00:00:00",
                               "-2024-01-01",
                               "2024-13-01",
                               "2024-00-10",
                               "2024-01-00",
                               "2023-02-29",
                               "2024-04-31",
                               "0000-01-01",
                               "1234567890-01-01",
                               "99999999999999999999-01-01",
                               "2024-01-32"}) {
    EXPECT_TRUE(Rejects(LogicalKind::kDate, bad)) << bad;
  }
  EXPECT_NE(RejectOf(LogicalKind::kDate, "2024/01/01").find("expected YYYY-MM-DD"),
            std::string::npos);
}

// ------------------------------------------------------------------------------------------
// time

TEST(ConvertTimeTest, Values) {
  EXPECT_EQ(As<TimeValue>(LogicalKind::kTime, "00:00:00"), TimeValue{0});
  EXPECT_EQ(As<TimeValue>(LogicalKind::kTime, "24:00:00"), TimeValue{kDay});
  EXPECT_EQ(As<TimeValue>(LogicalKind::kTime, "23:59:59.999999"), TimeValue{kDay - 1});
  EXPECT_EQ(As<TimeValue>(LogicalKind::kTime, "12:34:56.5"),
            TimeValue{12 * kHour + 34 * kMinute + 56 * kSecond + 500000});
  EXPECT_EQ(As<TimeValue>(LogicalKind::kTime, "00:00:00.000001"), TimeValue{1});
  EXPECT_EQ(As<TimeValue>(LogicalKind::kTime, "01:02:03.04"),
            TimeValue{kHour + 2 * kMinute + 3 * kSecond + 40000});
}

TEST(ConvertTimeTest, Malformed) {
  for (std::string_view bad : {"", "24:00:00.000001", "25:00:00", "12:60:00", "12:00:60", "1:00:00",
                               "12:0:00", "12:00", "12:00:00.", "12:00:00.1234567", "12:00:00+00",
                               "12:00:00 ", "-01:00:00", "12.00.00", "123:00:00"}) {
    EXPECT_TRUE(Rejects(LogicalKind::kTime, bad)) << bad;
  }
}

// ------------------------------------------------------------------------------------------
// timestamp and timestamptz

std::optional<int64_t> Micros(LogicalKind kind, std::string_view text) {
  const std::optional<TimestampValue> ts = As<TimestampValue>(kind, text);
  if (!ts || ts->infinity != 0) return std::nullopt;
  return ts->micros;
}

TEST(ConvertTimestampTest, Values) {
  constexpr LogicalKind kTs = LogicalKind::kTimestamp;
  EXPECT_EQ(Micros(kTs, "1970-01-01 00:00:00"), 0);
  EXPECT_EQ(Micros(kTs, "1969-12-31 23:59:59.999999"), -1);                // PG
  EXPECT_EQ(Micros(kTs, "2024-02-29 23:59:59.999999"), 1709251199999999);  // PG
  EXPECT_EQ(Micros(kTs, "0001-01-01 00:00:00"), -62135596800000000);       // PG
  EXPECT_EQ(Micros(kTs, "0044-03-15 12:00:00 BC"), -63517780800000000);    // PG
  EXPECT_EQ(Micros(kTs, "4714-11-24 00:00:00 BC"), -210866803200000000);   // PG's first
  EXPECT_EQ(Micros(kTs, "2000-01-01 00:00:00.5"), 946684800000000 + 500000);
  EXPECT_EQ(Micros(kTs, "294247-01-10 04:00:54.775807"), kInt64Max);
}

TEST(ConvertTimestampTest, BeyondInt64MicrosSince1970IsRejected) {
  // PostgreSQL counts from 2000, so its last 30 years do not fit int64 microseconds since 1970.
  EXPECT_NE(RejectOf(LogicalKind::kTimestamp, "294247-01-10 04:00:54.775808").find("out of range"),
            std::string::npos);
  EXPECT_TRUE(Rejects(LogicalKind::kTimestamp, "294276-12-31 23:59:59.999999"));
  EXPECT_TRUE(Rejects(LogicalKind::kTimestampTz, "294276-12-31 23:59:59.999999+00"));
  // Hostile years do not overflow anything.
  EXPECT_TRUE(Rejects(LogicalKind::kTimestamp, "999999999-12-31 23:59:59.999999"));
  EXPECT_TRUE(Rejects(LogicalKind::kTimestamp, "999999999-12-31 23:59:59.999999 BC"));
}

TEST(ConvertTimestampTest, Infinity) {
  for (LogicalKind kind : {LogicalKind::kTimestamp, LogicalKind::kTimestampTz}) {
    EXPECT_EQ(As<TimestampValue>(kind, "infinity"), (TimestampValue{0, 1}));
    EXPECT_EQ(As<TimestampValue>(kind, "-infinity"), (TimestampValue{0, -1}));
    EXPECT_TRUE(Rejects(kind, "Infinity"));
  }
}

TEST(ConvertTimestampTest, Malformed) {
  for (std::string_view bad :
       {"", "2024-01-01", "2024-01-01T00:00:00", "2024-01-01  00:00:00", "2024-01-01 24:00:00",
        "2024-01-01 00:00:00+00", "2024-01-01 00:00:00Z", "2024-01-01 00:00", "2024-02-30 00:00:00",
        "2024-01-01 00:00:00 AD", "0000-01-01 00:00:00", "2024-01-01 00:00:00.1234567",
        "2024-01-01 00:00:00 BC BC"}) {
    EXPECT_TRUE(Rejects(LogicalKind::kTimestamp, bad)) << bad;
  }
}

// The plain fast paths (PlainDateDays, PlainTimestampMicros) give exactly
// what ConvertText gives, or nothing; every text PostgreSQL writes for a
// common date or timestamp takes them.
TEST(PlainDateTime, SameAsConvertTextOrNothing) {
  const std::vector<std::string_view> dates = {
      "2024-01-01", "1970-01-01", "1969-12-31", "2024-02-29", "2023-02-29", "2000-02-29", "1900-02-29",
      "0001-01-01", "9999-12-31", "0000-01-01", "2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32",
      "2024-04-31", "2024-1-01", "2024-01-1", "12024-01-01", "2024-01-01 BC", "infinity", "-infinity",
      "2024/01/01", "20x4-01-01", "", "2024-01-011"};
  size_t plain = 0;
  for (std::string_view t : dates) {
    SCOPED_TRACE(std::string(t));
    if (auto d = PlainDateDays(t)) {
      ++plain;
      EXPECT_EQ(Days(t), *d);
    }
  }
  EXPECT_EQ(plain, 7u);  // the first nine but 2023-02-29 and 1900-02-29, which are no days
  const std::vector<std::string_view> stamps = {
      "2024-01-01 00:00:00", "2024-01-01 10:20:30.5", "2024-02-29 23:59:59.999999", "1969-12-31 23:59:59.999999",
      "0001-01-01 00:00:00", "2024-01-01 00:00:00.1234567", "2024-01-01 24:00:00", "2024-01-01 00:60:00",
      "2024-01-01 00:00:60", "2024-01-01 00:00:00.", "2024-01-01T00:00:00", "2024-01-01 0:00:00",
      "2024-01-01 00:00:00 BC", "12024-01-01 00:00:00", "2024-02-30 00:00:00", "infinity", ""};
  for (bool tz : {false, true}) {
    const LogicalKind kind = tz ? LogicalKind::kTimestampTz : LogicalKind::kTimestamp;
    plain = 0;
    for (std::string_view base : stamps) {
      for (std::string_view offset : {"", "+00", "-08", "+05:30", "+05:30:15", "+24", "-00:60", "+1", "Z"}) {
        std::string t = std::string(base) + std::string(offset);
        SCOPED_TRACE(t + (tz ? " timestamptz" : " timestamp"));
        if (auto m = PlainTimestampMicros(t, tz)) {
          ++plain;
          EXPECT_EQ(Micros(kind, t), *m);
        }
      }
    }
    // Five plain stamps, each bare (timestamp) or with +00, -08 or +05:30 (timestamptz).
    EXPECT_EQ(plain, tz ? 15u : 5u);
  }
}

// Near misses of the fixed-width shapes (YYYY-MM-DD, HH:MM:SS): one digit too
// many or too few anywhere, or a field out of range, fails; a longer year
// still reads.
TEST(ConvertTimestampTest, NearMissesOfTheFixedWidthShapes) {
  for (std::string_view bad :
       {"2024-01-011 00:00:00", "2024-01-01 00:00:001", "2024-01-01 000:00:00", "2024-01-01 00:60:00",
        "2024-01-01 00:00:60", "20x4-01-01 00:00:00", "2024-01-01 0a:00:00", "2024-01-01 00:00:00."}) {
    EXPECT_TRUE(Rejects(LogicalKind::kTimestamp, bad)) << bad;
  }
  EXPECT_EQ(Micros(LogicalKind::kTimestamp, "2024-01-01 10:20:30.5"),
            1704067200000000 + 10 * kHour + 20 * kMinute + 30 * kSecond + 500000);
  EXPECT_EQ(Micros(LogicalKind::kTimestamp, "12024-01-01 00:00:00"),
            Micros(LogicalKind::kTimestamp, "2024-01-01 00:00:00").value() + 3652425 * 24 * kHour);
  EXPECT_EQ(Days("12024-01-01"), Days("2024-01-01").value() + 3652425);
  EXPECT_FALSE(Days("2024-01-011"));
}

TEST(ConvertTimestampTzTest, Offsets) {
  constexpr LogicalKind kTz = LogicalKind::kTimestampTz;
  EXPECT_EQ(Micros(kTz, "1970-01-01 00:00:00+00"), 0);
  EXPECT_EQ(Micros(kTz, "2024-02-29 23:59:59.999999+00"), 1709251199999999);
  EXPECT_EQ(Micros(kTz, "2024-01-01 00:00:00+05:30"), 1704047400000000);      // PG
  EXPECT_EQ(Micros(kTz, "2024-01-01 00:00:00-08"), 1704096000000000);         // PG
  EXPECT_EQ(Micros(kTz, "1850-01-01 00:00:00-07:52:58"), -3786797222000000);  // PG, LMT
  EXPECT_EQ(Micros(kTz, "2024-02-29 23:59:59.999999+05:30:15"),
            1709251199999999 - (5 * kHour + 30 * kMinute + 15 * kSecond));
  EXPECT_EQ(Micros(kTz, "0044-03-15 12:00:00+00 BC"), -63517780800000000);
  EXPECT_EQ(Micros(kTz, "0044-03-15 12:00:00+05:53:28 BC"), -63517802008000000);  // PG
  // The offset carries the instant across the int64 boundary either way.
  EXPECT_EQ(Micros(kTz, "294247-01-10 05:00:54.775807+01"), kInt64Max);
  EXPECT_TRUE(Rejects(kTz, "294247-01-10 04:00:54.775807-01"));
}

TEST(ConvertTimestampTzTest, Malformed) {
  for (std::string_view bad :
       {"2024-01-01 00:00:00", "2024-01-01 00:00:00+5", "2024-01-01 00:00:00+05:3",
        "2024-01-01 00:00:00+0530", "2024-01-01 00:00:00 +00", "2024-01-01 00:00:00+05:30:",
        "2024-01-01 00:00:00+24", "2024-01-01 00:00:00+05:60", "2024-01-01 00:00:00Z",
        "2024-01-01 00:00:00 UTC", "0044-03-15 12:00:00 BC+00", "2024-01-01 00:00:00+00 "}) {
    EXPECT_TRUE(Rejects(LogicalKind::kTimestampTz, bad)) << bad;
  }
}

// ------------------------------------------------------------------------------------------
// interval

std::optional<IntervalValue> Interval(std::string_view text) {
  return As<IntervalValue>(LogicalKind::kInterval, text);
}

TEST(ConvertIntervalTest, Values) {
  EXPECT_EQ(Interval("1 year 2 mons 3 days 04:05:06.789"),
            (IntervalValue{14, 3, 4 * kHour + 5 * kMinute + 6 * kSecond + 789000}));
  EXPECT_EQ(Interval("-1 days +02:00:00"), (IntervalValue{0, -1, 2 * kHour}));
  EXPECT_EQ(Interval("-1 days -02:00:00"), (IntervalValue{0, -1, -2 * kHour}));
  EXPECT_EQ(Interval("00:00:00"), (IntervalValue{0, 0, 0}));
  EXPECT_EQ(Interval("3 mons"), (IntervalValue{3, 0, 0}));
  EXPECT_EQ(Interval("-2 years -3 mons +4 days -05:06:07"),
            (IntervalValue{-27, 4, -(5 * kHour + 6 * kMinute + 7 * kSecond)}));
  EXPECT_EQ(Interval("1 day"), (IntervalValue{0, 1, 0}));
  EXPECT_EQ(Interval("1 mon -1 days"), (IntervalValue{1, -1, 0}));
  EXPECT_EQ(Interval("-1 years"), (IntervalValue{-12, 0, 0}));
  EXPECT_EQ(Interval("11 mons"), (IntervalValue{11, 0, 0}));
  EXPECT_EQ(Interval("-00:00:00.000001"), (IntervalValue{0, 0, -1}));
  EXPECT_EQ(Interval("1 mon -1 days -00:00:01"), (IntervalValue{1, -1, -kSecond}));
  EXPECT_EQ(Interval("100000:00:00"), (IntervalValue{0, 0, 100000 * kHour}));
  EXPECT_EQ(Interval("1 year"), (IntervalValue{12, 0, 0}));
}

TEST(ConvertIntervalTest, Extremes) {
  // PG's smallest and largest intervals print like this; they must land exactly on the limits.
  EXPECT_EQ(Interval("-178956970 years -8 mons -2147483648 days -2562047788:00:54.775808"),
            (IntervalValue{kInt32Min, kInt32Min, kInt64Min}));
  EXPECT_EQ(Interval("178956970 years 7 mons 2147483647 days 2562047788:00:54.775807"),
            (IntervalValue{kInt32Max, kInt32Max, kInt64Max}));
  EXPECT_NE(RejectOf(LogicalKind::kInterval, "2147483648 days").find("out of range"),
            std::string::npos);
  EXPECT_TRUE(Rejects(LogicalKind::kInterval, "178956970 years 8 mons"));
  EXPECT_TRUE(Rejects(LogicalKind::kInterval, "2562047788:00:54.775808"));
  EXPECT_TRUE(Rejects(LogicalKind::kInterval, "-2562047788:00:54.775809"));
  EXPECT_TRUE(Rejects(LogicalKind::kInterval, "999999999999999999 years"));
  EXPECT_TRUE(Rejects(LogicalKind::kInterval, "999999999999999999:00:00"));
}

TEST(ConvertIntervalTest, Malformed) {
  for (std::string_view bad : {"",
                               " ",
                               "@ 1 year",
                               "1 year ago",
                               "1 year 1 year",
                               "2 days 1 mon",
                               "1 yr",
                               "1 years2 mons",
                               "1 day  02:00:00",
                               "1 day 02:00:00 3 days",
                               "01:02",
                               "1:2:3",
                               "01:02:60",
                               "01:60:00",
                               "P1Y",
                               "-",
                               "1.5 days",
                               "1 Day",
                               "1 day ",
                               " 1 day",
                               "1",
                               "1 hour",
                               "--1 day",
                               "00:00:00.1234567",
                               "00:00:00 00:00:00",
                               "1 day,02:00:00"}) {
    EXPECT_TRUE(Rejects(LogicalKind::kInterval, bad)) << bad;
  }
}

// ------------------------------------------------------------------------------------------
// uuid

TEST(ConvertUuidTest, Values) {
  EXPECT_EQ(As<UuidValue>(LogicalKind::kUuid, "123e4567-e89b-12d3-a456-426614174000"),
            (UuidValue{0x123e4567e89b12d3ull, 0xa456426614174000ull}));
  EXPECT_EQ(As<UuidValue>(LogicalKind::kUuid, "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"),
            (UuidValue{0xa0eebc999c0b4ef8ull, 0xbb6d6bb9bd380a11ull}));
  EXPECT_EQ(As<UuidValue>(LogicalKind::kUuid, "00000000-0000-0000-0000-000000000000"),
            (UuidValue{0, 0}));
  EXPECT_EQ(As<UuidValue>(LogicalKind::kUuid, "ffffffff-ffff-ffff-ffff-ffffffffffff"),
            (UuidValue{~0ull, ~0ull}));
}

TEST(ConvertUuidTest, Malformed) {
  for (std::string_view bad :
       {"", "123e4567e89b12d3a456426614174000", "{123e4567-e89b-12d3-a456-426614174000}",
        "123e4567-e89b-12d3-a456-42661417400", "123e4567-e89b-12d3-a456-4266141740000",
        "123e4567-e89b-12d3-a456-42661417400g", "123e4567e-89b-12d3-a456-426614174000",
        "123e4567-e89b-12d3-a456_426614174000", " 23e4567-e89b-12d3-a456-426614174000"}) {
    EXPECT_TRUE(Rejects(LogicalKind::kUuid, bad)) << bad;
  }
}

// ------------------------------------------------------------------------------------------
// reject reasons

TEST(RejectReasonTest, QuotesTheTextSafely) {
  // Control and non-ASCII bytes are escaped, so a reason is always valid UTF-8 and one line.
  const std::string reason = RejectOf(LogicalKind::kInt32, "1\n\xff\xc3\xa9");
  EXPECT_NE(reason.find("\"1\\x0a\\xff\\xc3\\xa9\""), std::string::npos) << reason;
  EXPECT_EQ(reason.find('\n'), std::string::npos);
  // Long texts are cut short.
  const std::string long_reason = RejectOf(LogicalKind::kUuid, std::string(100000, 'z'));
  EXPECT_LT(long_reason.size(), 300u);
  EXPECT_NE(long_reason.find("...\""), std::string::npos);
  // The reason names the type and the expected form.
  EXPECT_NE(RejectOf(LogicalKind::kUuid, "nope").find("invalid uuid \"nope\": expected"),
            std::string::npos);
}

TEST(RejectReasonTest, UnknownKindIsARejectNotACrash) {
  EXPECT_TRUE(Rejects(LogicalType{static_cast<LogicalKind>(99), 0, 0}, "1"));
}

// ------------------------------------------------------------------------------------------
// arrays: the catalog tables and the column mapping

LogicalType ListOf(const LogicalType& element, int dims, char delimiter = ',') {
  return LogicalType::List(element, dims, delimiter);
}

Column ArrayColumn(uint32_t array_oid, uint32_t elem_oid, int32_t typmod, int32_t ndims) {
  Column c;
  c.name = "a";
  c.type_oid = array_oid;
  c.typmod = typmod;
  c.elem_oid = elem_oid;
  c.ndims = ndims;
  return c;
}

TEST(ArrayTypesTest, BuiltinArrayElements) {
  // Read from pg_type (typelem) on PostgreSQL 15.
  EXPECT_EQ(BuiltinArrayElement(1007), oid::kInt4);
  EXPECT_EQ(BuiltinArrayElement(1000), oid::kBool);
  EXPECT_EQ(BuiltinArrayElement(1231), oid::kNumeric);
  EXPECT_EQ(BuiltinArrayElement(1009), oid::kText);
  EXPECT_EQ(BuiltinArrayElement(3807), oid::kJsonb);
  EXPECT_EQ(BuiltinArrayElement(1041), 869u);  // inet
  EXPECT_EQ(BuiltinArrayElement(1020), oid::kBox);
  EXPECT_EQ(BuiltinArrayElement(1006), 22u);  // int2vector[] is an array of int2vector texts
  // int2vector and oidvector print "1 2 3": not arrays for wharf. Scalars are not either.
  EXPECT_EQ(BuiltinArrayElement(22), 0u);
  EXPECT_EQ(BuiltinArrayElement(30), 0u);
  EXPECT_EQ(BuiltinArrayElement(oid::kInt4), 0u);
  EXPECT_EQ(BuiltinArrayElement(0), 0u);
  EXPECT_EQ(BuiltinArrayElement(16385), 0u);
  EXPECT_EQ(BuiltinArrayOf(oid::kInt4), 1007u);
  EXPECT_EQ(BuiltinArrayOf(oid::kTimestampTz), 1185u);
  EXPECT_EQ(BuiltinArrayOf(oid::kText), 1009u);
  EXPECT_EQ(BuiltinArrayOf(16385), 0u);
  EXPECT_EQ(ArrayDelimiter(oid::kBox), ';');
  EXPECT_EQ(ArrayDelimiter(oid::kInt4), ',');
  EXPECT_EQ(ArrayDelimiter(oid::kText), ',');
}

TEST(ArrayTypesTest, TableIsConsistent) {
  // Every built-in array's element is a scalar, and each element has exactly that array.
  int arrays = 0;
  for (uint32_t array_oid = 1; array_oid < 10000; ++array_oid) {
    const uint32_t element = BuiltinArrayElement(array_oid);
    if (element == 0) continue;
    ++arrays;
    EXPECT_EQ(BuiltinArrayElement(element), 0u) << array_oid;
    EXPECT_EQ(BuiltinArrayOf(element), array_oid) << array_oid;
  }
  EXPECT_EQ(arrays, 81);
}

TEST(MapColumnTypeTest, ScalarsAreMappedAsBefore) {
  Column c;
  c.type_oid = oid::kNumeric;
  c.typmod = NumericTypmod(12, 2);
  EXPECT_EQ(MapColumnType(c), Dec(12, 2));
  c.type_oid = oid::kInt8;
  c.typmod = -1;
  EXPECT_EQ(MapColumnType(c), T(LogicalKind::kInt64));
}

TEST(MapColumnTypeTest, ArraysBecomeListsOfTheirElement) {
  EXPECT_EQ(MapColumnType(ArrayColumn(1007, oid::kInt4, -1, 1)), ListOf(T(LogicalKind::kInt32), 1));
  EXPECT_EQ(MapColumnType(ArrayColumn(1007, oid::kInt4, -1, 2)), ListOf(T(LogicalKind::kInt32), 2));
  EXPECT_EQ(MapColumnType(ArrayColumn(1185, oid::kTimestampTz, -1, 1)),
            ListOf(T(LogicalKind::kTimestampTz), 1));
  EXPECT_EQ(MapColumnType(ArrayColumn(3807, oid::kJsonb, -1, 1)), ListOf(T(LogicalKind::kJson), 1));
  // The array's typmod is its element's.
  EXPECT_EQ(MapColumnType(ArrayColumn(1231, oid::kNumeric, NumericTypmod(10, 2), 1)),
            ListOf(Dec(10, 2), 1));
  // Elements without a faithful native type are their PostgreSQL text.
  EXPECT_EQ(MapColumnType(ArrayColumn(1041, 869, -1, 1)), ListOf(T(LogicalKind::kText), 1));
  EXPECT_EQ(MapColumnType(ArrayColumn(791, oid::kMoney, -1, 1)), ListOf(T(LogicalKind::kText), 1));
  // box elements are separated by ';'.
  EXPECT_EQ(MapColumnType(ArrayColumn(1020, oid::kBox, -1, 1)),
            ListOf(T(LogicalKind::kText), 1, ';'));
  // No recorded dimensions means one; more than PostgreSQL's six is capped.
  EXPECT_EQ(MapColumnType(ArrayColumn(1007, oid::kInt4, -1, 0)), ListOf(T(LogicalKind::kInt32), 1));
  EXPECT_EQ(MapColumnType(ArrayColumn(1007, oid::kInt4, -1, 9)), ListOf(T(LogicalKind::kInt32), 6));
}

TEST(MapColumnTypeTest, UnconstrainedNumericElementsFollowOptions) {
  const Column c = ArrayColumn(1231, oid::kNumeric, -1, 1);
  EXPECT_EQ(MapColumnType(c), ListOf(Dec(38, 9), 1));
  TypeOptions options;
  options.unconstrained_numeric = NumericMapping::kString;
  EXPECT_EQ(MapColumnType(c, options), ListOf(T(LogicalKind::kText), 1));
  options.unconstrained_numeric = NumericMapping::kDouble;
  EXPECT_EQ(MapColumnType(c, options), ListOf(T(LogicalKind::kFloat64), 1));
}

TEST(MapColumnTypeTest, ListTypeNames) {
  EXPECT_EQ(LogicalTypeName(ListOf(T(LogicalKind::kInt32), 1)), "INTEGER[]");
  EXPECT_EQ(LogicalTypeName(ListOf(T(LogicalKind::kInt32), 3)), "INTEGER[][][]");
  EXPECT_EQ(LogicalTypeName(ListOf(Dec(10, 2), 2)), "DECIMAL(10,2)[][]");
  EXPECT_EQ(LogicalTypeName(ListOf(T(LogicalKind::kText), 1)), "VARCHAR[]");
  EXPECT_EQ(ListOf(Dec(10, 2), 2).Element(), Dec(10, 2));
}

// ------------------------------------------------------------------------------------------
// arrays: the text parser

const LogicalType kIntList = LogicalType::List(LogicalType{LogicalKind::kInt32, 0, 0}, 1, ',');
const LogicalType kIntMatrix = LogicalType::List(LogicalType{LogicalKind::kInt32, 0, 0}, 2, ',');
const LogicalType kTextList = LogicalType::List(LogicalType{LogicalKind::kText, 0, 0}, 1, ',');

ListValue L(std::vector<Value> items) { return ListValue{std::move(items)}; }
Value I(int64_t v) { return Value{v}; }
Value S(std::string v) { return Value{std::move(v)}; }
const Value kNull = std::monostate{};

std::optional<ListValue> List(const LogicalType& type, std::string_view text) {
  return As<ListValue>(type, text);
}

TEST(ConvertArrayTest, OneDimension) {
  EXPECT_EQ(List(kIntList, "{1,2,NULL}"), L({I(1), I(2), kNull}));
  EXPECT_EQ(List(kIntList, "{-2147483648,2147483647}"), L({I(-2147483648LL), I(2147483647)}));
  EXPECT_EQ(List(kIntList, "{7}"), L({I(7)}));
  EXPECT_EQ(List(kIntList, "{NULL}"), L({kNull}));
  // array_in reads a bare NULL in any case as a null element.
  EXPECT_EQ(List(kIntList, "{null,NuLl}"), L({kNull, kNull}));
}

TEST(ConvertArrayTest, QuotedElements) {
  // PG: SELECT array['a b','c"d',null,'NULL','','x\y','{}',',','null']::text[]
  EXPECT_EQ(
      List(kTextList, R"({"a b","c\"d",NULL,"NULL","","x\\y","{}",",","null"})"),
      L({S("a b"), S("c\"d"), kNull, S("NULL"), S(""), S("x\\y"), S("{}"), S(","), S("null")}));
  // Quoted elements keep every byte, newlines and UTF-8 included; bare ones may be UTF-8 too.
  EXPECT_EQ(List(kTextList, "{\"line\nbreak\",h\xc3\xa9llo,\xe2\x98\x83}"),
            L({S("line\nbreak"), S("h\xc3\xa9llo"), S("\xe2\x98\x83")}));
  // A backslash escapes any byte, not only quotes and backslashes.
  EXPECT_EQ(List(kTextList, R"({"\a\b"})"), L({S("ab")}));
  // Quoting does not change what an element converts to.
  EXPECT_EQ(List(kIntList, R"({"1",2})"), L({I(1), I(2)}));
}

TEST(ConvertArrayTest, SeveralDimensions) {
  EXPECT_EQ(List(kIntMatrix, "{{1,2},{3,4}}"), L({L({I(1), I(2)}), L({I(3), I(4)})}));
  EXPECT_EQ(List(kIntMatrix, "{{NULL},{5}}"), L({L({kNull}), L({I(5)})}));
  const LogicalType cube = LogicalType::List(T(LogicalKind::kInt32), 3, ',');
  EXPECT_EQ(List(cube, "{{{1},{2}},{{3},{4}}}"),
            L({L({L({I(1)}), L({I(2)})}), L({L({I(3)}), L({I(4)})})}));
  const LogicalType six = LogicalType::List(T(LogicalKind::kInt32), 6, ',');
  EXPECT_EQ(List(six, "{{{{{{1}}}}}}"), L({L({L({L({L({L({I(1)})})})})})}));
  const LogicalType text_matrix = LogicalType::List(T(LogicalKind::kText), 2, ',');
  EXPECT_EQ(List(text_matrix, R"({{"a,b",c},{"}",NULL}})"),
            L({L({S("a,b"), S("c")}), L({S("}"), kNull})}));
}

TEST(ConvertArrayTest, EmptyArrayFitsAnyDimensions) {
  EXPECT_EQ(List(kIntList, "{}"), L({}));
  EXPECT_EQ(List(kIntMatrix, "{}"), L({}));
}

TEST(ConvertArrayTest, BoundsDecorations) {
  // Bounds of 1 are what a LIST holds (PostgreSQL omits them, but they are valid input).
  EXPECT_EQ(List(kIntList, "[1:2]={1,2}"), L({I(1), I(2)}));
  EXPECT_EQ(List(kIntMatrix, "[1:2][1:1]={{1},{2}}"), L({L({I(1)}), L({I(2)})}));
  // Other lower bounds cannot be held by a LIST: '[0:1]={1,2}' <> '{1,2}' in PostgreSQL.
  EXPECT_NE(RejectOf(kIntList, "[0:1]={1,2}").find("[0:1]"), std::string::npos);
  EXPECT_TRUE(Rejects(kIntList, "[-2:-1]={1,2}"));
  EXPECT_NE(RejectOf(kIntMatrix, "[0:1][1:2]={{1,2},{3,4}}").find("[0:1][1:2]"), std::string::npos);
  EXPECT_TRUE(Rejects(kIntMatrix, "[1:2][5:6]={{1,2},{3,4}}"));
  // Reasons for these say "bounds", not "invalid".
  EXPECT_EQ(RejectOf(kIntList, "[0:1]={1,2}").find("invalid"), std::string::npos);
}

TEST(ConvertArrayTest, OtherDimensionsThanTheColumnsAreRejected) {
  // PostgreSQL does not enforce attndims: an int[] column can hold {{1,2},{3,4}}.
  const std::string reason = RejectOf(kIntList, "{{1,2},{3,4}}");
  EXPECT_NE(reason.find("2 dimension(s), the column declares 1"), std::string::npos) << reason;
  EXPECT_TRUE(Rejects(kIntMatrix, "{1,2}"));
  EXPECT_TRUE(Rejects(kIntMatrix, "{{{1}}}"));
}

TEST(ConvertArrayTest, AnElementTheTypeCannotHoldRejectsTheArray) {
  const LogicalType decimals = LogicalType::List(Dec(38, 9), 1, ',');
  EXPECT_EQ(List(decimals, "{1.5,-0.000000001,NULL}"),
            L({Value{DecimalValue{1'500'000'000}}, Value{DecimalValue{-1}}, kNull}));
  const std::string reason = RejectOf(decimals, "{1.5,NULL,NaN}");
  EXPECT_NE(reason.find("element 3"), std::string::npos) << reason;
  EXPECT_NE(reason.find("NaN"), std::string::npos) << reason;
  EXPECT_TRUE(Rejects(decimals, "{1.0000000001}"));  // ten fractional digits
  EXPECT_TRUE(Rejects(decimals, "{" + std::string(39, '9') + "}"));
  EXPECT_TRUE(Rejects(kIntList, "{1,2147483648}"));
  EXPECT_TRUE(Rejects(kIntList, "{1,x}"));
  const LogicalType smallints = LogicalType::List(T(LogicalKind::kInt16), 1, ',');
  EXPECT_TRUE(Rejects(smallints, "{32768}"));
}

TEST(ConvertArrayTest, ElementsUseTheirTypesConverter) {
  const LogicalType floats = LogicalType::List(T(LogicalKind::kFloat64), 1, ',');
  const ConvertResult f = ConvertText(floats, "{NaN,Infinity,-Infinity,1.5e-300}");
  ASSERT_FALSE(f.reject);
  const auto& items = std::get<ListValue>(f.value).items;
  ASSERT_EQ(items.size(), 4u);
  EXPECT_TRUE(std::isnan(std::get<double>(items[0])));
  EXPECT_EQ(std::get<double>(items[1]), std::numeric_limits<double>::infinity());
  EXPECT_EQ(std::get<double>(items[2]), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(std::get<double>(items[3]), 1.5e-300);

  const LogicalType dates = LogicalType::List(T(LogicalKind::kDate), 1, ',');
  EXPECT_EQ(List(dates, R"({infinity,"0044-03-15 BC",-infinity})"),
            L({Value{DateValue{0, 1}}, Value{DateValue{-735160, 0}}, Value{DateValue{0, -1}}}));
  const LogicalType stamps = LogicalType::List(T(LogicalKind::kTimestampTz), 1, ',');
  EXPECT_EQ(List(stamps, R"({"2000-01-01 05:45:00+05:45",infinity})"),
            L({Value{TimestampValue{946684800 * kSecond, 0}}, Value{TimestampValue{0, 1}}}));
  const LogicalType intervals = LogicalType::List(T(LogicalKind::kInterval), 1, ',');
  EXPECT_EQ(List(intervals, R"({"1 year 2 mons -3 days +04:05:06",NULL})"),
            L({Value{IntervalValue{14, -3, 4 * kHour + 5 * kMinute + 6 * kSecond}}, kNull}));
  const LogicalType blobs = LogicalType::List(T(LogicalKind::kBlob), 1, ',');
  EXPECT_EQ(List(blobs, R"({"\\xdead00","\\x",NULL})"),
            L({Value{BlobValue{std::string("\xde\xad\x00", 3)}}, Value{BlobValue{""}}, kNull}));
  const LogicalType uuids = LogicalType::List(T(LogicalKind::kUuid), 1, ',');
  EXPECT_EQ(List(uuids, "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}"),
            L({Value{UuidValue{0xa0eebc999c0b4ef8ULL, 0xbb6d6bb9bd380a11ULL}}}));
  const LogicalType bools = LogicalType::List(T(LogicalKind::kBool), 1, ',');
  EXPECT_EQ(List(bools, "{t,f,NULL}"), L({Value{true}, Value{false}, kNull}));
}

TEST(ConvertArrayTest, JsonNullAndSqlNullStayDistinct) {
  const LogicalType json = LogicalType::List(T(LogicalKind::kJson), 1, ',');
  // PG: SELECT array['{"a": 1}'::jsonb, 'null', null]
  EXPECT_EQ(List(json, R"({"{\"a\": 1}","null",NULL})"), L({S(R"({"a": 1})"), S("null"), kNull}));
  EXPECT_EQ(List(json, R"({"{\"n\": 12345678901234567890}"})"),
            L({S(R"({"n": 12345678901234567890})")}));
}

TEST(ConvertArrayTest, BoxUsesSemicolons) {
  // PG: SELECT array[box '(1,1),(0,0)', box '(2,2),(1,1)']
  const LogicalType boxes = LogicalType::List(T(LogicalKind::kText), 1, ';');
  EXPECT_EQ(List(boxes, "{(1,1),(0,0);(2,2),(1,1)}"), L({S("(1,1),(0,0)"), S("(2,2),(1,1)")}));
  EXPECT_EQ(List(boxes, "{(1,1),(0,0);NULL}"), L({S("(1,1),(0,0)"), kNull}));
  // With the wrong delimiter the same text is one array of four texts: the delimiter matters.
  EXPECT_EQ(List(kTextList, "{(1,1),(0,0)}"), L({S("(1"), S("1)"), S("(0"), S("0)")}));
}

TEST(ConvertArrayTest, MalformedTextIsRejected) {
  for (std::string_view bad : {"",
                               "{",
                               "}",
                               "{1,2",
                               "1,2}",
                               "{1,,2}",
                               "{,}",
                               "{,1}",
                               "{1,}",
                               "{1 ,2}",
                               "{ 1}",
                               "{1}x",
                               "x{1}",
                               "{1}}",
                               "{{1},2}",
                               "{1,{2}}",
                               "{{1,2},{3}}",
                               "{{1},{{2}}}",
                               "{{{1}},{2}}",
                               "{{}}",
                               "{{},{}}",
                               R"({"a})",
                               R"({"a\)",
                               R"({"a)",
                               R"({a"b"})",
                               R"({"a"b})",
                               R"({a\b})",
                               "{a{b}",
                               "[1:2]{1,2}",
                               "[1:2]=",
                               "[1:2]=1",
                               "[a:b]={1}",
                               "[2:1]={}",
                               "[1:1]={}",
                               "[1:3]={1,2}",
                               "[0:1]={{1},{2}}",
                               "[1:2][1:1][1:1]={{1},{2}}",
                               "[1:2]=[1:2]={1,2}",
                               "[1:2] ={1,2}",
                               "[1:99999999999]={1}",
                               "[:1]={1}",
                               "[1]={1}",
                               "{{1,2},{3,4}}}",
                               " {1}",
                               "{1} ",
                               "{1\t}",
                               "NULL"}) {
    // Structural faults are named as such, not as a dimension or element problem.
    for (const LogicalType& type : {kIntList, kIntMatrix}) {
      const std::string reason = RejectOf(type, bad);
      EXPECT_NE(reason.find("invalid array"), std::string::npos) << bad << ": " << reason;
    }
  }
  EXPECT_TRUE(Rejects(kIntList, std::string_view("{1,\0}", 5)));
}

TEST(ConvertArrayTest, NestingIsBoundedByPostgresMaximum) {
  const LogicalType six = LogicalType::List(T(LogicalKind::kInt32), 6, ',');
  EXPECT_TRUE(Rejects(six, "{{{{{{{1}}}}}}}"));  // seven dimensions
  // Deep nesting is refused at the seventh level, not followed down the stack.
  std::string deep(1'000'000, '{');
  EXPECT_TRUE(Rejects(six, deep));
  EXPECT_TRUE(Rejects(six, deep + "1" + std::string(1'000'000, '}')));
}

TEST(ConvertArrayTest, InvalidListTargetIsRejectedNotUndefined) {
  LogicalType bad = kIntList;
  bad.dims = 0;
  EXPECT_TRUE(Rejects(bad, "{1}"));
  bad.dims = 7;
  EXPECT_TRUE(Rejects(bad, "{1}"));
  bad = kIntList;
  bad.element = LogicalKind::kList;
  EXPECT_TRUE(Rejects(bad, "{1}"));
}

// PostgreSQL's array_out for text elements, written independently of the parser: an element is
// quoted when empty, when it is "NULL" in any case, or when it holds a delimiter, brace, quote,
// backslash or whitespace; quotes and backslashes inside are escaped.
std::string ArrayOut(const std::vector<std::optional<std::string>>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    if (!items[i]) {
      out += "NULL";
      continue;
    }
    const std::string& e = *items[i];
    bool quote = e.empty();
    std::string upper;
    for (char c : e) upper += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
    if (upper == "NULL") quote = true;
    for (char c : e) {
      if (c == ',' || c == '{' || c == '}' || c == '"' || c == '\\' || c == ' ' || c == '\t' ||
          c == '\n' || c == '\r' || c == '\v' || c == '\f') {
        quote = true;
      }
    }
    if (quote) out += '"';
    for (char c : e) {
      if (quote && (c == '"' || c == '\\')) out += '\\';
      out += c;
    }
    if (quote) out += '"';
  }
  return out + "}";
}

TEST(ConvertArrayTest, RoundTripsRandomTextArrays) {
  // Elements from an alphabet rich in the characters array text treats specially.
  const std::string alphabet = "ab,{}\"\\ \tNUL[]:=1\xc3\xa9";
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(state >> 33);
  };
  for (int round = 0; round < 5000; ++round) {
    std::vector<std::optional<std::string>> items(1 + next() % 5);
    std::vector<Value> expected;
    for (auto& item : items) {
      if (next() % 6 == 0) {
        expected.push_back(kNull);
        continue;
      }
      std::string e;
      const uint32_t length = next() % 6;
      for (uint32_t i = 0; i < length; ++i) e += alphabet[next() % alphabet.size()];
      if (next() % 10 == 0) e = (next() % 2) ? "NULL" : "null";
      item = e;
      expected.push_back(S(e));
    }
    const std::string text = ArrayOut(items);
    EXPECT_EQ(List(kTextList, text), L(expected)) << text;
  }
}

TEST(ConvertArrayTest, RandomBytesNeverCrash) {
  // Whatever arrives is either a list or a reject with a reason; never undefined behaviour.
  const std::string alphabet = "{}\",\\NUL1[]:=- ;a";
  uint64_t state = 42;
  auto next = [&] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<uint32_t>(state >> 33);
  };
  const LogicalType types[] = {kIntList, kIntMatrix, kTextList,
                               LogicalType::List(T(LogicalKind::kText), 3, ';')};
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const uint32_t length = next() % 24;
    for (uint32_t i = 0; i < length; ++i) text += alphabet[next() % alphabet.size()];
    for (const LogicalType& type : types) {
      const ConvertResult r = ConvertText(type, text);
      if (r.reject) {
        EXPECT_TRUE(std::holds_alternative<std::monostate>(r.value)) << text;
      } else {
        EXPECT_TRUE(std::holds_alternative<ListValue>(r.value)) << text;
      }
    }
  }
}

}  // namespace
}  // namespace wharf::core
