#include "core/convert.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <system_error>
#include <utility>
#include <vector>

// Every parser here reads PostgreSQL's *output* under wharf's fixed session settings, so the
// grammar accepted is deliberately narrow: whatever else arrives means a setting drifted or a
// value is not what the column type says, and is rejected rather than guessed at. Nothing here
// depends on the C locale (no strtod, isdigit, tolower), and all arithmetic that could overflow
// on hostile input is done in 128 bits or bounded by digit counts first.

namespace wharf::core {
namespace {

using Int128 = __int128;

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;
constexpr int kMaxFractionDigits = 6;  // PostgreSQL keeps microseconds
constexpr int kMaxInt64Digits = 18;    // any 18-digit number fits int64 without checks
constexpr int kMaxYearDigits = 9;      // beyond PostgreSQL's 5874897 AD, small enough to be safe

// ---------------------------------------------------------------------------------------------
// Results

// The offending text for a reject reason: bounded in length, and with every byte outside
// printable ASCII escaped, so a reason is always valid UTF-8 whatever the source sent.
std::string Quote(std::string_view text) {
  constexpr size_t kMaxShown = 64;
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte >= 0x7f || byte == '"' || byte == '\\') {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += static_cast<char>(byte);
    }
  }
  if (text.size() > kMaxShown) out += "...";
  out += '"';
  return out;
}

// Built in place: this runs once per converted value, and every move of a
// Value visits its alternatives.
template <typename T>
ConvertResult Accept(T&& value) {
  ConvertResult r;
  r.value.emplace<std::decay_t<T>>(std::forward<T>(value));
  return r;
}

ConvertResult Reject(std::string reason) {
  return ConvertResult{std::monostate{}, std::move(reason)};
}

ConvertResult Malformed(std::string_view type_name, std::string_view text,
                        std::string_view expected) {
  return Reject(fmt::format("invalid {} {}: expected {}", type_name, Quote(text), expected));
}

// ---------------------------------------------------------------------------------------------
// Lexing

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A forward-only reader over the text. Every method either consumes what it matched or, on a
// mismatch, leaves the position where a caller's error would point (callers reject the whole
// text on any mismatch, so partial consumption never leaks).
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ == text_.size(); }
  bool PeekIs(char c) const { return !AtEnd() && text_[pos_] == c; }

  bool Consume(char c) {
    if (!PeekIs(c)) return false;
    ++pos_;
    return true;
  }

  bool Consume(std::string_view word) {
    if (text_.substr(pos_).substr(0, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  // The whole run of ASCII digits at the position (possibly empty).
  std::string_view DigitRun() {
    const size_t start = pos_;
    while (!AtEnd() && IsDigit(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
  }

  // The whole run of lowercase ASCII letters at the position (possibly empty).
  std::string_view WordRun() {
    const size_t start = pos_;
    while (!AtEnd() && text_[pos_] >= 'a' && text_[pos_] <= 'z') ++pos_;
    return text_.substr(start, pos_ - start);
  }

  // A run of between min_count and max_count digits (max_count <= 18, so no overflow). A longer
  // run fails rather than stopping early: "123" is not a two-digit month followed by "3".
  bool Number(int min_count, int max_count, int64_t* value) {
    const std::string_view digits = DigitRun();
    if (digits.size() < static_cast<size_t>(min_count) ||
        digits.size() > static_cast<size_t>(max_count)) {
      return false;
    }
    int64_t result = 0;
    for (char c : digits) result = result * 10 + (c - '0');
    *value = result;
    return true;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

bool FitsInt64(Int128 v) {
  return v >= std::numeric_limits<int64_t>::min() && v <= std::numeric_limits<int64_t>::max();
}

bool FitsInt32(Int128 v) {
  return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
}

// ---------------------------------------------------------------------------------------------
// Calendar and clock pieces shared by date, time, timestamp, timestamptz and interval

struct CivilDate {
  int64_t year = 0;  // as written: 1 or more, era given separately by " BC"
  int64_t month = 0;
  int64_t day = 0;
};

bool IsLeapYear(int64_t astronomical_year) {
  return astronomical_year % 4 == 0 &&
         (astronomical_year % 100 != 0 || astronomical_year % 400 == 0);
}

int64_t DaysInMonth(int64_t astronomical_year, int64_t month) {
  static constexpr int64_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(astronomical_year)) return 29;
  return kDays[month - 1];
}

// Howard Hinnant's days_from_civil: days since 1970-01-01 in the proleptic Gregorian calendar,
// valid for any astronomical year (year 0 is 1 BC). Exact integer arithmetic, no tables.
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;                                    // [0, 399]
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + doe - 719468;
}

// "YYYY-MM-DD": the year has at least 4 digits (PostgreSQL zero-pads) and may have more.
bool ParseCivilDate(Cursor& c, CivilDate* date) {
  return c.Number(4, kMaxYearDigits, &date->year) && c.Consume('-') &&
         c.Number(2, 2, &date->month) && c.Consume('-') && c.Number(2, 2, &date->day);
}

// Days since 1970-01-01 for a date as written, or nullopt if no such day exists. Year Y BC is
// astronomical year 1 - Y, so 1 BC is year 0 (a leap year); PostgreSQL never writes year 0.
std::optional<int64_t> ResolveCivilDate(const CivilDate& date, bool bc) {
  if (date.year == 0 || date.month < 1 || date.month > 12 || date.day < 1) return std::nullopt;
  const int64_t year = bc ? 1 - date.year : date.year;
  if (date.day > DaysInMonth(year, date.month)) return std::nullopt;
  return DaysFromCivil(year, date.month, date.day);
}

// ".f" to ".ffffff" as microseconds; absent is zero. More than six digits is not PostgreSQL's
// output and would need rounding, so it fails.
bool ParseFraction(Cursor& c, int64_t* micros) {
  *micros = 0;
  if (!c.Consume('.')) return true;
  const std::string_view digits = c.DigitRun();
  if (digits.empty() || digits.size() > kMaxFractionDigits) return false;
  int64_t value = 0;
  for (char ch : digits) value = value * 10 + (ch - '0');
  for (size_t i = digits.size(); i < kMaxFractionDigits; ++i) value *= 10;
  *micros = value;
  return true;
}

// ":MM:SS[.ffffff]" after the hours, as microseconds.
bool ParseMinutesSeconds(Cursor& c, int64_t* micros) {
  int64_t minutes = 0, seconds = 0, fraction = 0;
  if (!c.Consume(':') || !c.Number(2, 2, &minutes) || !c.Consume(':') ||
      !c.Number(2, 2, &seconds) || !ParseFraction(c, &fraction)) {
    return false;
  }
  if (minutes > 59 || seconds > 59) return false;
  *micros = minutes * kMicrosPerMinute + seconds * kMicrosPerSecond + fraction;
  return true;
}

// "HH:MM:SS[.ffffff]" as microseconds since midnight. "24:00:00" is a valid time (the end of the
// day) but not a valid timestamp clock, which PostgreSQL would have carried into the next day.
bool ParseTimeOfDay(Cursor& c, bool allow_end_of_day, int64_t* micros) {
  int64_t hours = 0, rest = 0;
  if (!c.Number(2, 2, &hours) || !ParseMinutesSeconds(c, &rest)) return false;
  const int64_t total = hours * kMicrosPerHour + rest;
  const int64_t limit = allow_end_of_day ? kMicrosPerDay : kMicrosPerDay - 1;
  if (total > limit) return false;
  *micros = total;
  return true;
}

// A UTC offset as timestamptz output writes it: "+HH", "-HH:MM" or "+HH:MM:SS" (historical
// local mean times have seconds). Result in seconds east of UTC.
bool ParseUtcOffset(Cursor& c, int64_t* seconds_east) {
  int sign = 0;
  if (c.Consume('+')) {
    sign = 1;
  } else if (c.Consume('-')) {
    sign = -1;
  } else {
    return false;
  }
  int64_t hours = 0, minutes = 0, seconds = 0;
  if (!c.Number(2, 2, &hours)) return false;
  if (c.Consume(':')) {
    if (!c.Number(2, 2, &minutes)) return false;
    if (c.Consume(':') && !c.Number(2, 2, &seconds)) return false;
  }
  if (hours > 23 || minutes > 59 || seconds > 59) return false;
  *seconds_east = sign * (hours * 3600 + minutes * 60 + seconds);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Converters, one per logical kind

ConvertResult ConvertBool(std::string_view text) {
  // PostgreSQL writes "t"/"f"; the long spellings cover values that went through a cast to text.
  if (text == "t" || text == "true") return Accept(true);
  if (text == "f" || text == "false") return Accept(false);
  return Malformed("boolean", text, "\"t\" or \"f\"");
}

ConvertResult ConvertInteger(LogicalKind kind, std::string_view text) {
  int64_t min = std::numeric_limits<int64_t>::min();
  int64_t max = std::numeric_limits<int64_t>::max();
  const char* name = "bigint";
  if (kind == LogicalKind::kInt16) {
    min = std::numeric_limits<int16_t>::min();
    max = std::numeric_limits<int16_t>::max();
    name = "smallint";
  } else if (kind == LogicalKind::kInt32) {
    min = std::numeric_limits<int32_t>::min();
    max = std::numeric_limits<int32_t>::max();
    name = "integer";
  }
  int64_t value = 0;
  const char* end = text.data() + text.size();
  // from_chars takes no leading '+' or whitespace, which PostgreSQL never writes either.
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec == std::errc::result_out_of_range && ptr == end) {
    return Reject(fmt::format("{} value {} is out of range {}..{}", name, Quote(text), min, max));
  }
  if (ec != std::errc() || ptr != end) {
    return Malformed(name, text, fmt::format("a decimal integer in {}..{}", min, max));
  }
  if (value < min || value > max) {
    return Reject(fmt::format("{} value {} is out of range {}..{}", name, Quote(text), min, max));
  }
  return Accept(value);
}

// float4/float8 in PostgreSQL's shortest-exact output (extra_float_digits > 0): parsing it back
// with a correctly rounded parser of the same width gives the identical bits. float4 is parsed as
// float, not double, or "1.0000001" would land on a double that is not the stored float.
template <typename Float>
ConvertResult ConvertFloat(std::string_view text) {
  const char* name = sizeof(Float) == 4 ? "real" : "double precision";
  if (text == "NaN") return Accept(std::numeric_limits<double>::quiet_NaN());
  if (text == "Infinity") return Accept(std::numeric_limits<double>::infinity());
  if (text == "-Infinity") return Accept(-std::numeric_limits<double>::infinity());
  // from_chars would also take "inf", "nan(...)" and other spellings PostgreSQL never writes.
  for (char c : text) {
    if (!IsDigit(c) && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E') {
      return Malformed(name, text, "a decimal number, \"NaN\", \"Infinity\" or \"-Infinity\"");
    }
  }
  Float value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value, std::chars_format::general);
  if (ec == std::errc::result_out_of_range && ptr == end) {
    return Reject(fmt::format("{} value {} is out of range", name, Quote(text)));
  }
  if (ec != std::errc() || ptr != end) {
    return Malformed(name, text, "a decimal number, \"NaN\", \"Infinity\" or \"-Infinity\"");
  }
  return Accept(static_cast<double>(value));
}

// numeric text "[-]digits[.digits]" (PostgreSQL's numeric output never uses an exponent) into
// value * 10^scale. The value must be held exactly: too many integer digits is a reject, and so
// are fractional digits beyond the scale unless they are all zeros (only the display scale is
// lost then, never the value). PostgreSQL has already rounded constrained columns to their
// typmod, so this only rejects in earnest for unconstrained numeric mapped to DECIMAL(38,9).
ConvertResult ConvertDecimal(const LogicalType& type, std::string_view text) {
  const int precision = type.precision;
  const int scale = type.scale;
  // Built only on a reject: this runs once per value of every numeric column.
  const auto target = [&] { return LogicalTypeName(type); };
  if (precision < 1 || precision > 38 || scale > precision) {
    return Reject(fmt::format("{} is not a valid conversion target", target()));
  }
  if (text == "NaN" || text == "Infinity" || text == "-Infinity") {
    return Reject(fmt::format("DECIMAL cannot hold {} (target {})", text, target()));
  }

  Cursor c(text);
  const bool negative = c.Consume('-');
  std::string_view integer_digits = c.DigitRun();
  std::string_view fraction_digits;
  const bool has_point = c.Consume('.');
  if (has_point) fraction_digits = c.DigitRun();
  if (!c.AtEnd() || integer_digits.empty() || (has_point && fraction_digits.empty())) {
    return Malformed("numeric", text, "[-]digits[.digits], e.g. \"-12.50\"");
  }

  while (integer_digits.size() > 1 && integer_digits.front() == '0') {
    integer_digits.remove_prefix(1);
  }
  if (integer_digits == "0") integer_digits = {};  // "0.5" has no integer digits to hold
  if (integer_digits.size() > static_cast<size_t>(precision - scale)) {
    return Reject(fmt::format("numeric value {} has more than {} integer digits (target {})",
                              Quote(text), precision - scale, target()));
  }
  if (fraction_digits.size() > static_cast<size_t>(scale)) {
    for (char d : fraction_digits.substr(scale)) {
      if (d != '0') {
        return Reject(fmt::format("numeric value {} has more than {} fractional digits (target {})",
                                  Quote(text), scale, target()));
      }
    }
    fraction_digits = fraction_digits.substr(0, scale);
  }

  // At most 38 significant digits now, so the 128-bit accumulator cannot overflow.
  Int128 scaled = 0;
  for (char d : integer_digits) scaled = scaled * 10 + (d - '0');
  for (char d : fraction_digits) scaled = scaled * 10 + (d - '0');
  for (size_t i = fraction_digits.size(); i < static_cast<size_t>(scale); ++i) scaled *= 10;
  return Accept(DecimalValue{negative ? -scaled : scaled});
}

// bytea_output=hex: "\x" then two hex digits per byte ("\x" alone is the empty value).
ConvertResult ConvertHexBlob(std::string_view text) {
  const std::string_view hex = text.substr(2);
  if (hex.size() % 2 != 0) {
    return Malformed("bytea", text, "\"\\x\" followed by pairs of hex digits");
  }
  std::string bytes;
  bytes.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int high = HexValue(hex[i]);
    const int low = HexValue(hex[i + 1]);
    if (high < 0 || low < 0) {
      return Malformed("bytea", text, "\"\\x\" followed by pairs of hex digits");
    }
    bytes += static_cast<char>(high * 16 + low);
  }
  return Accept(BlobValue{std::move(bytes)});
}

// bytea_output=escape, accepted in case a value reached us in that format: "\\" is a backslash,
// "\nnn" an octal byte (first digit 0-3), every other byte stands for itself.
ConvertResult ConvertEscapeBlob(std::string_view text) {
  std::string bytes;
  bytes.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      bytes += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '\\') {
      bytes += '\\';
      i += 1;
      continue;
    }
    if (i + 3 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '3' && text[i + 2] >= '0' &&
        text[i + 2] <= '7' && text[i + 3] >= '0' && text[i + 3] <= '7') {
      bytes += static_cast<char>((text[i + 1] - '0') * 64 + (text[i + 2] - '0') * 8 +
                                 (text[i + 3] - '0'));
      i += 3;
      continue;
    }
    return Malformed("bytea", text,
                     "hex format \"\\x...\" or escape format with \"\\\\\" and \"\\nnn\"");
  }
  return Accept(BlobValue{std::move(bytes)});
}

ConvertResult ConvertBlob(std::string_view text) {
  // In escape format a leading backslash byte is written "\\", so "\x" can only mean hex.
  if (text.substr(0, 2) == "\\x") return ConvertHexBlob(text);
  return ConvertEscapeBlob(text);
}

ConvertResult ConvertDate(std::string_view text) {
  if (text == "infinity") return Accept(DateValue{0, 1});
  if (text == "-infinity") return Accept(DateValue{0, -1});
  Cursor c(text);
  CivilDate date;
  if (!ParseCivilDate(c, &date)) {
    return Malformed("date", text, "YYYY-MM-DD[ BC], \"infinity\" or \"-infinity\"");
  }
  const bool bc = c.Consume(" BC");
  if (!c.AtEnd()) {
    return Malformed("date", text, "YYYY-MM-DD[ BC], \"infinity\" or \"-infinity\"");
  }
  const std::optional<int64_t> days = ResolveCivilDate(date, bc);
  if (!days) return Reject(fmt::format("date {} is not a day of the calendar", Quote(text)));
  if (!FitsInt32(*days)) return Reject(fmt::format("date {} is out of range", Quote(text)));
  return Accept(DateValue{static_cast<int32_t>(*days), 0});
}

ConvertResult ConvertTime(std::string_view text) {
  Cursor c(text);
  int64_t micros = 0;
  if (!ParseTimeOfDay(c, /*allow_end_of_day=*/true, &micros) || !c.AtEnd()) {
    return Malformed("time", text, "HH:MM:SS[.ffffff] between 00:00:00 and 24:00:00");
  }
  return Accept(TimeValue{micros});
}

// "YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM[:SS]]][ BC]" (the offset only with time zone; PostgreSQL
// writes it before the era). With time zone the result is UTC: local time minus the offset.
ConvertResult ConvertTimestamp(std::string_view text, bool with_time_zone) {
  const char* name = with_time_zone ? "timestamptz" : "timestamp";
  const char* expected = with_time_zone
                             ? "YYYY-MM-DD HH:MM:SS[.ffffff]+HH[:MM[:SS]][ BC], \"infinity\" or "
                               "\"-infinity\""
                             : "YYYY-MM-DD HH:MM:SS[.ffffff][ BC], \"infinity\" or \"-infinity\"";
  if (text == "infinity") return Accept(TimestampValue{0, 1});
  if (text == "-infinity") return Accept(TimestampValue{0, -1});

  Cursor c(text);
  CivilDate date;
  int64_t clock_micros = 0;
  int64_t offset_seconds = 0;
  if (!ParseCivilDate(c, &date) || !c.Consume(' ') ||
      !ParseTimeOfDay(c, /*allow_end_of_day=*/false, &clock_micros) ||
      (with_time_zone && !ParseUtcOffset(c, &offset_seconds))) {
    return Malformed(name, text, expected);
  }
  const bool bc = c.Consume(" BC");
  if (!c.AtEnd()) return Malformed(name, text, expected);

  const std::optional<int64_t> days = ResolveCivilDate(date, bc);
  if (!days) return Reject(fmt::format("{} {} is not a day of the calendar", name, Quote(text)));
  const Int128 micros = static_cast<Int128>(*days) * kMicrosPerDay + clock_micros -
                        static_cast<Int128>(offset_seconds) * kMicrosPerSecond;
  // PostgreSQL counts from 2000-01-01, so its last ~30 years (after 294247-01-10 04:00:54.775807
  // UTC) do not fit 64-bit microseconds since 1970.
  if (!FitsInt64(micros)) {
    return Reject(
        fmt::format("{} {} is out of range for 64-bit microseconds since 1970", name, Quote(text)));
  }
  return Accept(TimestampValue{static_cast<int64_t>(micros), 0});
}

// IntervalStyle=postgres: "[N year[s]] [N mon[s]] [N day[s]] [[+-]H+:MM:SS[.ffffff]]", each part
// optional but at least one present, each number with its own sign (PostgreSQL writes "+" on a
// positive part after a negative one), the hours of the time part unbounded. The time part's
// sign covers all of it: "-05:06:07" is minus five hours, six minutes and seven seconds.
ConvertResult ConvertInterval(std::string_view text) {
  constexpr std::string_view kExpected =
      "IntervalStyle postgres, e.g. \"1 year 2 mons -3 days +04:05:06.789\"";
  enum Part { kYears, kMonths, kDays, kTime, kNone };
  Cursor c(text);
  Int128 months = 0, days = 0, micros = 0;
  int next_part = kYears;  // parts come in this order, each at most once
  bool any = false;
  while (!c.AtEnd()) {
    if (next_part == kNone) return Malformed("interval", text, kExpected);  // after time part
    if (any && !c.Consume(' ')) return Malformed("interval", text, kExpected);
    any = true;
    const bool negative = c.Consume('-');
    if (!negative) c.Consume('+');
    int64_t number = 0;
    if (!c.Number(1, kMaxInt64Digits, &number)) return Malformed("interval", text, kExpected);
    const int sign = negative ? -1 : 1;

    if (c.PeekIs(':')) {  // the time part: number is the hours
      int64_t rest = 0;
      if (!ParseMinutesSeconds(c, &rest)) return Malformed("interval", text, kExpected);
      micros = sign * (static_cast<Int128>(number) * kMicrosPerHour + rest);
      next_part = kNone;
      continue;
    }

    if (!c.Consume(' ')) return Malformed("interval", text, kExpected);
    const std::string_view unit = c.WordRun();
    int part = kNone;
    if (unit == "year" || unit == "years") part = kYears;
    if (unit == "mon" || unit == "mons") part = kMonths;
    if (unit == "day" || unit == "days") part = kDays;
    if (part == kNone || part < next_part) return Malformed("interval", text, kExpected);
    next_part = part + 1;
    if (part == kYears) months += sign * static_cast<Int128>(number) * 12;
    if (part == kMonths) months += sign * static_cast<Int128>(number);
    if (part == kDays) days = sign * static_cast<Int128>(number);
  }
  if (!any) return Malformed("interval", text, kExpected);
  if (!FitsInt32(months) || !FitsInt32(days) || !FitsInt64(micros)) {
    return Reject(fmt::format("interval {} is out of range", Quote(text)));
  }
  return Accept(IntervalValue{static_cast<int32_t>(months), static_cast<int32_t>(days),
                              static_cast<int64_t>(micros)});
}

// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", hex digits in either case. hi is the first 8 bytes
// read as a big-endian number, lo the last 8.
ConvertResult ConvertUuid(std::string_view text) {
  constexpr size_t kLength = 36;
  if (text.size() != kLength) {
    return Malformed("uuid", text, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hex digits)");
  }
  uint64_t halves[2] = {0, 0};
  int nibbles = 0;
  for (size_t i = 0; i < kLength; ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') {
        return Malformed("uuid", text, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hex digits)");
      }
      continue;
    }
    const int nibble = HexValue(text[i]);
    if (nibble < 0) {
      return Malformed("uuid", text, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hex digits)");
    }
    uint64_t& half = halves[nibbles / 16];
    half = (half << 4) | static_cast<uint64_t>(nibble);
    ++nibbles;
  }
  return Accept(UuidValue{halves[0], halves[1]});
}

// ---------------------------------------------------------------------------------------------
// Arrays

bool IsArraySpace(char c) {
  // array_out quotes an element holding any of these (array_isspace), so none is ever bare.
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool IsNullWord(std::string_view token) {
  // array_in reads a bare NULL in any case as a null element; array_out quotes the string "NULL"
  // (in any case), so a bare one is never an element's text.
  if (token.size() != 4) return false;
  for (size_t i = 0; i < 4; ++i) {
    const char c = token[i];
    const char upper = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    if (upper != "NULL"[i]) return false;
  }
  return true;
}

// PostgreSQL's array text, as array_out writes it:
//   array      := [ bounds '=' ] '{' [ item { delim item } ] '}'
//   bounds     := ( '[' int ':' int ']' )+           one pair per dimension, written only when a
//                                                    lower bound is not 1
//   item       := '{' ... '}'                        one dimension down
//               | '"' { char | '\' char } '"'        a quoted element; '\' escapes the next byte
//               | bare                               no { } " \ delim or whitespace; bare NULL (any
//                                                    case) is a null element, "NULL" the string
// The only empty array is "{}" (zero dimensions). Arrays are rectangular: every item of a level is
// a sub-array or every one an element, and the sub-arrays of a level have one length. Anything
// else is malformed. Nesting is bounded by kMaxArrayDims, so recursion depth is too.
class ArrayParser {
 public:
  ArrayParser(std::string_view text, const LogicalType& type)
      : text_(text), element_type_(type.Element()), delimiter_(type.delimiter) {}

  // Parses the whole text into `out`. False on malformed text; element rejects are collected in
  // element_reject() instead, so the structure is always checked in full first.
  bool Parse(ListValue* out) {
    if (PeekIs('[') && !ParseBounds()) return false;
    if (!Consume('{')) return false;
    if (PeekIs('}')) {  // the empty array: no dimensions, so no bounds either
      ++pos_;
      return bounds_.empty() && AtEnd();
    }
    if (!ParseLevel(0, out) || !AtEnd()) return false;
    // Bounds, when written, describe each dimension exactly.
    if (!bounds_.empty()) {
      if (bounds_.size() != static_cast<size_t>(dims())) return false;
      for (size_t d = 0; d < bounds_.size(); ++d) {
        const int64_t length = bounds_[d].second - bounds_[d].first + 1;
        if (length != static_cast<int64_t>(*lengths_[d])) return false;
      }
    }
    return true;
  }

  // After a successful Parse of a non-empty array: the levels from the outermost to the elements.
  int dims() const { return leaf_depth_ ? static_cast<int>(*leaf_depth_) + 1 : 0; }
  const std::optional<std::string>& element_reject() const { return element_reject_; }
  // The bounds as written ("[0:1][1:2]") when some lower bound is not 1, else nullopt.
  std::optional<std::string> UnusualBounds() const {
    for (const auto& bound : bounds_) {
      if (bound.first != 1) {
        std::string written;
        for (const auto& [l, u] : bounds_) written += fmt::format("[{}:{}]", l, u);
        return written;
      }
    }
    return std::nullopt;
  }

 private:
  bool AtEnd() const { return pos_ == text_.size(); }
  bool PeekIs(char c) const { return !AtEnd() && text_[pos_] == c; }
  bool Consume(char c) {
    if (!PeekIs(c)) return false;
    ++pos_;
    return true;
  }

  // "[-]digits" as a 32-bit signed number, as array bounds are.
  bool ParseBound(int64_t* value) {
    const bool negative = Consume('-');
    const size_t start = pos_;
    while (!AtEnd() && IsDigit(text_[pos_]) && pos_ - start < 11) ++pos_;
    if (pos_ == start || (!AtEnd() && IsDigit(text_[pos_]))) return false;
    int64_t v = 0;
    for (size_t i = start; i < pos_; ++i) v = v * 10 + (text_[i] - '0');
    *value = negative ? -v : v;
    return FitsInt32(*value);
  }

  bool ParseBounds() {
    while (Consume('[')) {
      int64_t lower = 0, upper = 0;
      if (bounds_.size() == static_cast<size_t>(kMaxArrayDims) || !ParseBound(&lower) ||
          !Consume(':') || !ParseBound(&upper) || !Consume(']') || upper < lower) {
        return false;
      }
      bounds_.emplace_back(lower, upper);
    }
    return !bounds_.empty() && Consume('=');
  }

  // The items of one level after its '{', through its '}'. `depth` 0 is the outermost.
  bool ParseLevel(size_t depth, ListValue* out) {
    if (depth == static_cast<size_t>(kMaxArrayDims)) return false;
    const bool nested = PeekIs('{');
    while (true) {
      if (nested) {
        ListValue sub;
        if (!Consume('{') || !ParseLevel(depth + 1, &sub)) return false;
        out->items.emplace_back(std::move(sub));
      } else {
        if (!ParseElement(out)) return false;
      }
      if (Consume('}')) break;
      if (!Consume(delimiter_)) return false;
    }
    // Every level at one depth has the length of the first, and elements all sit at one depth.
    if (!lengths_[depth]) {
      lengths_[depth] = out->items.size();
    } else if (*lengths_[depth] != out->items.size()) {
      return false;
    }
    if (!nested) {
      if (leaf_depth_ && *leaf_depth_ != depth) return false;
      leaf_depth_ = depth;
    }
    return true;
  }

  bool ParseElement(ListValue* out) {
    ++elements_;
    std::string quoted;
    std::string_view token;
    if (Consume('"')) {
      while (true) {
        if (AtEnd()) return false;
        const char c = text_[pos_++];
        if (c == '"') break;
        if (c == '\\') {
          if (AtEnd()) return false;
          quoted += text_[pos_++];
        } else {
          quoted += c;
        }
      }
      token = quoted;
    } else {
      const size_t start = pos_;
      while (!AtEnd() && text_[pos_] != delimiter_ && text_[pos_] != '}') {
        const char c = text_[pos_];
        if (c == '{' || c == '"' || c == '\\' || IsArraySpace(c)) return false;
        ++pos_;
      }
      token = text_.substr(start, pos_ - start);
      if (token.empty()) return false;
      if (IsNullWord(token)) {
        out->items.emplace_back(std::monostate{});
        return true;
      }
    }
    ConvertResult element = ConvertText(element_type_, token);
    if (element.reject) {
      if (!element_reject_) {
        element_reject_ = fmt::format("element {} (in text order): {}", elements_, *element.reject);
      }
      out->items.emplace_back(std::monostate{});
    } else {
      out->items.push_back(std::move(element.value));
    }
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  LogicalType element_type_;
  char delimiter_;
  std::vector<std::pair<int64_t, int64_t>> bounds_;  // [lower:upper] per dimension, as written
  // Items per level by depth, set when the first level at that depth closes (innermost first).
  std::array<std::optional<size_t>, kMaxArrayDims> lengths_{};
  std::optional<size_t> leaf_depth_;           // the depth elements were found at; dims - 1
  std::optional<std::string> element_reject_;  // the first element the type cannot hold
  size_t elements_ = 0;                        // elements read so far, NULLs included
};

// A PostgreSQL array into a (nested) ListValue of the element type's values. The whole value is
// rejected when any element is (a LIST of DECIMAL cannot hold a NaN element, and storing the rest
// would change the value), when its dimensions are not the column's, and when a lower bound is
// not 1: a LIST counts from 1, and PostgreSQL's '[0:1]={1,2}' is not equal to '{1,2}'.
ConvertResult ConvertArray(const LogicalType& type, std::string_view text) {
  constexpr std::string_view kExpected =
      "an array such as \"{1,2,NULL}\", \"{{1,2},{3,4}}\" or \"[0:1]={1,2}\"";
  if (type.dims < 1 || type.dims > kMaxArrayDims || type.element == LogicalKind::kList) {
    return Reject(fmt::format("{} is not a valid conversion target", LogicalTypeName(type)));
  }
  ArrayParser parser(text, type);
  ListValue list;
  if (!parser.Parse(&list)) return Malformed("array", text, kExpected);
  if (list.items.empty()) return Accept(std::move(list));  // "{}" fits any number of dimensions
  if (parser.dims() != type.dims) {
    return Reject(fmt::format("array {} has {} dimension(s), the column declares {} (target {})",
                              Quote(text), parser.dims(), type.dims, LogicalTypeName(type)));
  }
  if (auto bounds = parser.UnusualBounds()) {
    return Reject(
        fmt::format("array {} has bounds {}; a LIST cannot hold a lower bound other than 1",
                    Quote(text), *bounds));
  }
  if (parser.element_reject()) {
    return Reject(fmt::format("array {}: {}", Quote(text), *parser.element_reject()));
  }
  return Accept(std::move(list));
}

bool IsDigits(const char* p, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (!IsDigit(p[i])) return false;
  return true;
}
int64_t TwoDigits(const char* p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

// "YYYY-MM-DD" at `p` (ten bytes there), a day of the calendar: days since 1970-01-01.
std::optional<int64_t> PlainDate(const char* p) {
  if (!IsDigits(p, 4) || p[4] != '-' || !IsDigits(p + 5, 2) || p[7] != '-' || !IsDigits(p + 8, 2)) {
    return std::nullopt;
  }
  return ResolveCivilDate(CivilDate{TwoDigits(p) * 100 + TwoDigits(p + 2), TwoDigits(p + 5), TwoDigits(p + 8)},
                          /*bc=*/false);
}

}  // namespace

std::optional<int32_t> PlainDateDays(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  std::optional<int64_t> days = PlainDate(text.data());
  if (!days) return std::nullopt;
  return static_cast<int32_t>(*days);  // years 1 to 9999 fit
}

std::optional<int64_t> PlainTimestampMicros(std::string_view text, bool with_time_zone) {
  const char* p = text.data();
  const size_t n = text.size();
  if (n < 19 || p[10] != ' ' || !IsDigits(p + 11, 2) || p[13] != ':' || !IsDigits(p + 14, 2) || p[16] != ':' ||
      !IsDigits(p + 17, 2)) {
    return std::nullopt;
  }
  const std::optional<int64_t> days = PlainDate(p);
  const int64_t hours = TwoDigits(p + 11), minutes = TwoDigits(p + 14), seconds = TwoDigits(p + 17);
  if (!days || hours > 23 || minutes > 59 || seconds > 59) return std::nullopt;
  size_t i = 19;
  int64_t fraction = 0;
  if (i < n && p[i] == '.') {
    constexpr size_t kMax = kMaxFractionDigits;
    const size_t start = ++i;
    while (i < n && IsDigit(p[i]) && i - start < kMax) fraction = fraction * 10 + (p[i++] - '0');
    size_t digits = i - start;
    if (digits == 0 || (i < n && IsDigit(p[i]))) return std::nullopt;  // none, or more than six
    for (; digits < kMax; ++digits) fraction *= 10;
  }
  int64_t offset_seconds = 0;
  if (with_time_zone) {
    if (i + 3 > n || (p[i] != '+' && p[i] != '-') || !IsDigits(p + i + 1, 2)) return std::nullopt;
    const int64_t sign = p[i] == '+' ? 1 : -1;
    const int64_t offset_hours = TwoDigits(p + i + 1);
    int64_t offset_minutes = 0;
    i += 3;
    if (i < n && p[i] == ':') {
      if (i + 3 > n || !IsDigits(p + i + 1, 2)) return std::nullopt;
      offset_minutes = TwoDigits(p + i + 1);
      i += 3;
    }
    if (offset_hours > 23 || offset_minutes > 59) return std::nullopt;
    offset_seconds = sign * (offset_hours * 3600 + offset_minutes * 60);
  }
  if (i != n) return std::nullopt;  // an offset with seconds, " BC", anything else
  return *days * kMicrosPerDay + hours * kMicrosPerHour + minutes * kMicrosPerMinute +
         seconds * kMicrosPerSecond + fraction - offset_seconds * kMicrosPerSecond;
}

ConvertResult ConvertText(const LogicalType& type, std::string_view text) {
  switch (type.kind) {
    case LogicalKind::kBool:
      return ConvertBool(text);
    case LogicalKind::kInt16:
    case LogicalKind::kInt32:
    case LogicalKind::kInt64:
      return ConvertInteger(type.kind, text);
    case LogicalKind::kFloat32:
      return ConvertFloat<float>(text);
    case LogicalKind::kFloat64:
      return ConvertFloat<double>(text);
    case LogicalKind::kDecimal:
      return ConvertDecimal(type, text);
    case LogicalKind::kText:
    case LogicalKind::kJson:
      return Accept(std::string(text));
    case LogicalKind::kBlob:
      return ConvertBlob(text);
    case LogicalKind::kDate:
      return ConvertDate(text);
    case LogicalKind::kTime:
      return ConvertTime(text);
    case LogicalKind::kTimestamp:
      return ConvertTimestamp(text, /*with_time_zone=*/false);
    case LogicalKind::kTimestampTz:
      return ConvertTimestamp(text, /*with_time_zone=*/true);
    case LogicalKind::kInterval:
      return ConvertInterval(text);
    case LogicalKind::kUuid:
      return ConvertUuid(text);
    case LogicalKind::kList:
      return ConvertArray(type, text);
  }
  return Reject(fmt::format("no converter for logical kind {}", static_cast<int>(type.kind)));
}

}  // namespace wharf::core
