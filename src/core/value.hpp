#pragma once
// A typed value converted from PostgreSQL text, ready for a warehouse
// appender. Date/time values use PostgreSQL's ranges; ±infinity are flagged.
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace wharf::core {

struct DateValue {
  int32_t days = 0;     // days since 1970-01-01 (proleptic Gregorian, astronomical years)
  int8_t infinity = 0;  // +1 infinity, -1 -infinity, 0 finite
  bool operator==(const DateValue&) const = default;
};
struct TimeValue {
  int64_t micros = 0;  // since midnight, 0..86400000000
  bool operator==(const TimeValue&) const = default;
};
struct TimestampValue {
  int64_t micros = 0;  // since 1970-01-01 00:00:00 (UTC for timestamptz)
  int8_t infinity = 0;
  bool operator==(const TimestampValue&) const = default;
};
struct IntervalValue {
  int32_t months = 0;
  int32_t days = 0;
  int64_t micros = 0;
  bool operator==(const IntervalValue&) const = default;
};
struct UuidValue {
  uint64_t hi = 0;  // first 8 bytes, big-endian order as written
  uint64_t lo = 0;
  bool operator==(const UuidValue&) const = default;
};
struct DecimalValue {
  __int128 scaled = 0;  // value * 10^scale
  bool operator==(const DecimalValue&) const = default;
};
struct BlobValue {
  std::string bytes;
  bool operator==(const BlobValue&) const = default;
};

struct ListValue;

using Value = std::variant<std::monostate,  // SQL NULL
                           bool, int64_t, double, DecimalValue, std::string, BlobValue, DateValue,
                           TimeValue, TimestampValue, IntervalValue, UuidValue, ListValue>;

// A PostgreSQL array as a (nested) list: a one-dimensional array holds element values (monostate
// for a NULL element); an N-dimensional one holds N-1-dimensional ListValues, all of one length,
// as PostgreSQL arrays are rectangular. The array's lower bounds are not kept: a LIST counts from
// 1, so an array with other bounds is rejected rather than converted (see ConvertText).
struct ListValue {
  std::vector<Value> items;  // std::vector allows the incomplete element type here (C++17)
  bool operator==(const ListValue&) const = default;
};

}  // namespace wharf::core
