#pragma once
// Internal to wharf::models::seeds: one seed value read the way each agate type
// that dbt's type tester tries reads it (agate 1.9 data_types, isodate 0.7 for
// ISO datetimes; seed_csv.cpp says which and why). Each Cast* is that type's
// cast(): a CastError (kInvalid), None (kNull), or a value; `out` may be null
// when only the verdict matters (type inference).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wharf::models::seeds::internal {

enum class CastStatus { kInvalid, kNull, kValue };

// A Python decimal.Decimal: value = (-1)^negative * digits * 10^exponent.
struct DecimalNumber {
  enum class Kind { kFinite, kNaN, kSignalingNaN, kInfinity };
  Kind kind = Kind::kFinite;
  bool negative = false;
  std::string digits = "0";  // no leading zeros ("0" for zero)
  int64_t exponent = 0;
};

struct DateValue {
  int year = 1, month = 1, day = 1;
};

struct DateTimeValue {
  DateValue date;
  int hour = 0, minute = 0, second = 0, micros = 0;
  std::optional<int> offset_minutes;  // east of UTC; nullopt: naive
};

// Python's str.strip(): Unicode whitespace at both ends.
std::string_view PyStrip(std::string_view text);
// agate Text with dbt's null_values ("null", ""): stripped, case-insensitive.
bool IsNullText(std::string_view raw);

// agate Number (en_US: "," groups, "%" and currency symbols stripped), the
// result rounded to Python's default context (28 significant digits) as
// agate's `Decimal(d) * sign` does.
CastStatus CastNumber(std::string_view raw, DecimalNumber* out);
// agate Boolean with dbt's true_values ("true",) and false_values ("false",).
CastStatus CastBoolean(std::string_view raw, bool* out);
// agate Date with date_format "%Y-%m-%d" (Python strptime).
CastStatus CastDate(std::string_view raw, DateValue* out);
// agate DateTime with datetime_format "%Y-%m-%d %H:%M:%S" (Python strptime).
CastStatus CastDateTimeFormat(std::string_view raw, DateTimeValue* out);
// dbt's ISODateTime: isodate.parse_datetime (a date and a time around one "T").
CastStatus CastIsoDateTime(std::string_view raw, DateTimeValue* out);

// agate's MaxPrecision over a column's numbers (utils.max_precision): the most
// digits after the point, trailing zeros dropped, NaN and infinities skipped;
// then, if the most whole digits plus that exceed the context's 28, it becomes
// 28 less the whole digits, which can be 0 (1e27 with 0.5: integer) or
// negative (1e30: float8, as dbt's `if decimals` takes any nonzero).
class MaxPrecision {
 public:
  void Add(const DecimalNumber& number);
  int64_t Result() const;

 private:
  int64_t max_whole_ = 1;
  int64_t max_decimal_ = 0;
};
// Plain decimal text ("-12.5", "1000", "NaN", "Infinity"), trailing zeros
// dropped; nullopt if that would take more than kMaxNumberChars characters.
// `integral` (an integer column) rounds half away from zero, as PostgreSQL's
// numeric-to-integer cast does with the Decimal dbt binds: agate's 28-digit
// cap can make a column with 1e27 and 0.5 an integer one.
inline constexpr size_t kMaxNumberChars = 1000;
std::optional<std::string> FormatNumber(const DecimalNumber& number, bool integral);
std::string FormatDate(const DateValue& date);
// "YYYY-MM-DD HH:MM:SS[.ffffff]", moved to UTC when it has an offset; nullopt
// if that leaves years 1..9999 or the offset is a day or more (isodate reads
// up to +99:99, and Python fails when such a value is used).
std::optional<std::string> FormatDateTime(const DateTimeValue& value);

}  // namespace wharf::models::seeds::internal
