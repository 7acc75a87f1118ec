#pragma once
// One converter per logical type: PostgreSQL's text output (under wharf's fixed
// session settings: DateStyle=ISO, IntervalStyle=postgres, TimeZone=UTC,
// extra_float_digits=3, bytea_output=hex) to a typed Value. Pure: no I/O.
// Arrays (kList) are parsed from their text and each element converted with the
// element type's converter, so full-load and streamed arrays meet the same rules.
//
// A text the target type cannot hold (numeric NaN, too many digits, a date
// out of range) is not an error of wharf: it is returned as a rejection with a
// reason, so the loader stores NULL and records it in _wharf.rejects.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/pg_types.hpp"
#include "core/value.hpp"

namespace wharf::core {

struct ConvertResult {
  Value value;                        // monostate when rejected
  std::optional<std::string> reject;  // why the value could not be held
};

ConvertResult ConvertText(const LogicalType& type, std::string_view text);

// The commonest spellings, for bulk loads that convert millions of values:
// what ConvertText gives for them, without building a ConvertResult; nullopt
// when `text` is not in that plain shape (then ConvertText decides, and
// explains a reject).
//   PlainDateDays: "YYYY-MM-DD" (a four-digit year, AD): days since 1970-01-01.
//   PlainTimestampMicros: "YYYY-MM-DD HH:MM:SS[.ffffff]", with time zone
//   followed by "+HH" or "-HH:MM": microseconds since 1970-01-01 UTC.
std::optional<int32_t> PlainDateDays(std::string_view text);
std::optional<int64_t> PlainTimestampMicros(std::string_view text, bool with_time_zone);

}  // namespace wharf::core
