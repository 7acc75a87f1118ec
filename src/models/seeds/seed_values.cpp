#include "models/seeds/seed_values.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

// Each function mirrors one Python cast that dbt runs on a seed value, rule for
// rule, because the point is to type a seed exactly as `dbt seed` would; the
// Python each follows is named above it. Deliberately not followed: Unicode
// digits in dates and times (strptime's \d takes "٢٠٢٤"; here only 0-9, while
// numbers do take them, as Decimal does), and Decimal arithmetic's 28-digit
// rounding inside isodate's fractional minutes and hours (exact arithmetic
// here; it differs only past 26 fraction digits).

namespace wharf::models::seeds::internal {
namespace {

// ---------------------------------------------------------------------------------------------
// Text helpers

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view text, std::string_view lower_word) {
  if (text.size() != lower_word.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (AsciiLower(text[i]) != lower_word[i]) return false;
  }
  return true;
}

// Python's str.isspace(): what str.strip(), Decimal() and strptime's \s treat as space.
bool IsPySpace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

// The code point starting at text[i] and its length in bytes; a byte that does not start a
// well-formed sequence decodes as U+FFFD (never a space) of length 1.
std::pair<char32_t, size_t> DecodeAt(std::string_view text, size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  if (lead < 0x80) return {lead, 1};
  const size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  if (len == 0 || i + len > text.size()) return {0xFFFD, 1};
  char32_t cp = lead & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) {
    const auto byte = static_cast<unsigned char>(text[i + k]);
    if ((byte & 0xC0) != 0x80) return {0xFFFD, 1};
    cp = (cp << 6) | (byte & 0x3F);
  }
  return {cp, len};
}

// Bytes taken by the whitespace code point starting at text[i] (0 if none).
size_t SpaceAt(std::string_view text, size_t i) {
  if (i >= text.size()) return 0;
  const auto [cp, len] = DecodeAt(text, i);
  return IsPySpace(cp) ? len : 0;
}

// The whitespace code point ending at text[end) (its length, 0 if none).
size_t SpaceBefore(std::string_view text, size_t end) {
  size_t start = end;
  while (start > 0 && end - start < 4) {
    --start;
    if ((static_cast<unsigned char>(text[start]) & 0xC0) != 0x80) break;
  }
  if (start == end) return 0;
  const auto [cp, len] = DecodeAt(text, start);
  return (start + len == end && IsPySpace(cp)) ? len : 0;
}

// dbt's null_values for every type: ("null", ""), compared after strip().lower().
bool IsNullWord(std::string_view stripped) {
  return stripped.empty() || EqualsIgnoreCase(stripped, "null");
}

// Python's str.strip(chars) for one character (given as its UTF-8 bytes).
std::string_view StripAll(std::string_view text, std::string_view symbol) {
  while (text.size() >= symbol.size() && text.substr(0, symbol.size()) == symbol) {
    text.remove_prefix(symbol.size());
  }
  while (text.size() >= symbol.size() && text.substr(text.size() - symbol.size()) == symbol) {
    text.remove_suffix(symbol.size());
  }
  return text;
}

// text without any `drop`: text itself when it has none (the common case, no copy), else a copy
// in `storage`.
std::string_view WithoutChar(std::string_view text, char drop, std::string& storage) {
  if (text.find(drop) == std::string_view::npos) return text;
  storage.clear();
  for (char c : text) {
    if (c != drop) storage += c;
  }
  return storage;
}

// ---------------------------------------------------------------------------------------------
// Numbers: agate.data_types.Number.cast and Python's decimal module

// agate's DEFAULT_CURRENCY_SYMBOLS, in its order (the order of the strips matters: "$€5" is a
// number, "€$5" is not).
constexpr std::array<std::string_view, 19> kCurrencySymbols = {
    "\u060B", "$",      "\u0192", "\u17DB", "\u00A5", "\u20A1", "\u20B1",
    "\u00A3", "\u20AC", "\u00A2", "\uFDFC", "\u20AA", "\u20A9", "\u20AD",
    "\u20AE", "\u20A6", "\u0E3F", "\u20A4", "\u20AB"};

// Every symbol is "$" or starts and ends with a non-ASCII byte: a quick test that skips the
// 19 strips for the usual number.
bool MayHaveCurrency(std::string_view text) {
  auto maybe = [](char c) { return c == '$' || static_cast<unsigned char>(c) >= 0x80; };
  return !text.empty() && (maybe(text.front()) || maybe(text.back()));
}

constexpr size_t kContextPrecision = 28;                   // decimal.getcontext().prec by default
constexpr int64_t kExponentLimit = 1'000'000'000'000'000;  // saturate absurd exponents

// The first code point of each run of ten Unicode decimal digits (category Nd, Unicode 14 as
// in Python 3.11): Arabic-Indic, Devanagari, fullwidth and the rest.
constexpr std::array<char32_t, 65> kUnicodeDigitZeros = {
    0x660,   0x6F0,   0x7C0,   0x966,   0x9E6,   0xA66,   0xAE6,   0xB66,   0xBE6,   0xC66,
    0xCE6,   0xD66,   0xDE6,   0xE50,   0xED0,   0xF20,   0x1040,  0x1090,  0x17E0,  0x1810,
    0x1946,  0x19D0,  0x1A80,  0x1A90,  0x1B50,  0x1BB0,  0x1C40,  0x1C50,  0xA620,  0xA8D0,
    0xA900,  0xA9D0,  0xA9F0,  0xAA50,  0xABF0,  0xFF10,  0x104A0, 0x10D30, 0x11066, 0x110F0,
    0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730, 0x118E0, 0x11950,
    0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC,
    0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0};

// The value of a non-ASCII decimal digit, or -1.
int UnicodeDigit(char32_t c) {
  for (char32_t zero : kUnicodeDigitZeros) {
    if (c >= zero && c < zero + 10) return static_cast<int>(c - zero);
  }
  return -1;
}

// What Python's Decimal() parses, as its numeric_as_ascii makes it from stripped text:
// underscores dropped (after the strip: "_ 3" keeps its space and fails), a Unicode decimal
// digit ("١٢", fullwidth "１２") as its ASCII digit, Unicode whitespace as a space; nullopt for
// any other non-ASCII character. The usual text is returned as it is.
std::optional<std::string_view> DecimalAscii(std::string_view text, std::string& storage) {
  bool plain = text.find('_') == std::string_view::npos;
  for (size_t i = 0; plain && i < text.size(); ++i) {
    plain = static_cast<unsigned char>(text[i]) < 0x80;
  }
  if (plain) return text;
  storage.clear();
  for (size_t i = 0; i < text.size();) {
    const auto [cp, len] = DecodeAt(text, i);
    i += len;
    if (cp == '_') continue;
    if (cp > 0 && cp < 0x80) {
      storage += static_cast<char>(cp);
    } else if (IsPySpace(cp)) {
      storage += ' ';
    } else if (const int digit = UnicodeDigit(cp); digit >= 0) {
      storage += static_cast<char>('0' + digit);
    } else {
      return std::nullopt;
    }
  }
  return storage;
}

// Decimal's "nan"/"snan" with optional payload digits.
bool IsNaNWord(std::string_view text, std::string_view word) {
  if (text.size() < word.size() || !EqualsIgnoreCase(text.substr(0, word.size()), word)) {
    return false;
  }
  for (char c : text.substr(word.size())) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// Digits [. digits] [e [sign] digits] after the sign: Decimal's finite grammar.
bool ParseFinite(std::string_view text, DecimalNumber& out) {
  size_t i = 0;
  std::string digits;
  while (i < text.size() && IsDigit(text[i])) digits += text[i++];
  int64_t fraction_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && IsDigit(text[i])) {
      digits += text[i++];
      ++fraction_digits;
    }
  }
  if (digits.empty()) return false;
  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    if (i == text.size()) return false;
    while (i < text.size() && IsDigit(text[i])) {
      if (exponent < kExponentLimit) exponent = exponent * 10 + (text[i] - '0');
      ++i;
    }
    if (negative) exponent = -exponent;
  }
  if (i != text.size()) return false;
  const size_t first = digits.find_first_not_of('0');
  out.digits = first == std::string::npos ? "0" : digits.substr(first);
  out.exponent = exponent - fraction_digits;
  return true;
}

// decimal.Decimal(text): whitespace stripped, read as DecimalAscii says, then
// [sign] (digits[.digits][e[sign]digits] | Inf | Infinity | NaN[digits] | sNaN[digits]).
std::optional<DecimalNumber> ParsePyDecimal(std::string_view raw) {
  std::string storage;
  const auto ascii = DecimalAscii(PyStrip(raw), storage);
  if (!ascii) return std::nullopt;
  std::string_view text = *ascii;
  DecimalNumber out;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    out.negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (EqualsIgnoreCase(text, "inf") || EqualsIgnoreCase(text, "infinity")) {
    out.kind = DecimalNumber::Kind::kInfinity;
  } else if (IsNaNWord(text, "nan")) {
    out.kind = DecimalNumber::Kind::kNaN;
  } else if (IsNaNWord(text, "snan")) {
    out.kind = DecimalNumber::Kind::kSignalingNaN;
  } else if (!ParseFinite(text, out)) {
    return std::nullopt;
  }
  return out;
}

// Adds one to a string of decimal digits; false if it carried out of the top digit.
bool IncrementDigits(std::string& digits) {
  for (size_t i = digits.size(); i-- > 0;) {
    if (digits[i] != '9') {
      ++digits[i];
      return true;
    }
    digits[i] = '0';
  }
  return false;
}

// Python's default context on an arithmetic result: at most 28 significant digits, rounded
// half to even. agate's `Decimal(d) * sign` is such a result, so "1.000...0001" with 31
// digits becomes 1.000...000 and counts as having no decimals.
void RoundToContext(DecimalNumber& number) {
  if (number.kind != DecimalNumber::Kind::kFinite || number.digits.size() <= kContextPrecision) {
    return;
  }
  std::string& digits = number.digits;
  const char next = digits[kContextPrecision];
  const bool rest_nonzero =
      digits.find_first_not_of('0', kContextPrecision + 1) != std::string::npos;
  const bool last_odd = (digits[kContextPrecision - 1] - '0') % 2 == 1;
  const bool round_up = next > '5' || (next == '5' && (rest_nonzero || last_odd));
  number.exponent += static_cast<int64_t>(digits.size() - kContextPrecision);
  digits.resize(kContextPrecision);
  if (round_up && !IncrementDigits(digits)) {
    digits.insert(digits.begin(), '1');  // 99..9 + 1: keep 28 digits, one place up
    digits.pop_back();
    ++number.exponent;
  }
}

// Decimal.normalize(): trailing zeros moved into the exponent; zero is 0E0.
DecimalNumber Normalized(DecimalNumber number) {
  if (number.digits == "0") {
    number.exponent = 0;
    return number;
  }
  const size_t last = number.digits.find_last_not_of('0');
  number.exponent += static_cast<int64_t>(number.digits.size() - last - 1);
  number.digits.resize(last + 1);
  return number;
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian, as Python's datetime)

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

DateValue CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2);
  return {static_cast<int>(y), static_cast<int>(m), static_cast<int>(d)};
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// What Python's date(y, m, d) accepts.
bool IsValidDate(int y, int m, int d) {
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= DaysInMonth(y, m);
}

const int64_t kFirstDay = DaysFromCivil(1, 1, 1);
const int64_t kLastDay = DaysFromCivil(9999, 12, 31);

// Python's date + timedelta: OverflowError outside years 1..9999.
std::optional<DateValue> DateFromDays(int64_t days) {
  if (days < kFirstDay || days > kLastDay) return std::nullopt;
  return CivilFromDays(days);
}

// ISO weekday, Monday 1 .. Sunday 7 (1970-01-01 was a Thursday).
int IsoWeekday(int64_t days) { return static_cast<int>(((days % 7) + 7 + 3) % 7) + 1; }

// ---------------------------------------------------------------------------------------------
// strptime("%Y-%m-%d %H:%M:%S"), as Python's _strptime compiles it: %Y is \d\d\d\d; %m is
// 1[0-2]|0[1-9]|[1-9]; %d 3[01]|[12]\d|0[1-9]|[1-9]| [1-9]; %H 2[0-3]|[0-1]\d|\d; %M [0-5]\d|\d;
// %S 6[0-1]|[0-5]\d|\d; the format's space is \s+; and the whole string must be consumed.
// Every field is followed by a non-digit (or the end), so the regex's first alternative that
// fits the next token is the only one that can match: no backtracking is needed here.

struct TwoDigitField {
  int min_two, max_two;  // the two-digit forms' range ("01".."12" for %m)
  int min_one;           // the one-digit forms are min_one..9
};
constexpr TwoDigitField kMonthField{1, 12, 1};
constexpr TwoDigitField kDayField{1, 31, 1};
constexpr TwoDigitField kHourField{0, 23, 0};
constexpr TwoDigitField kMinuteField{0, 59, 0};
constexpr TwoDigitField kSecondField{0, 61, 0};

// Reads one strptime field at text[i] that must be followed by `next` ('\0': the end, ' ':
// whitespace, else that character); advances i.
std::optional<int> ReadField(std::string_view text, size_t& i, const TwoDigitField& field,
                             char next) {
  auto followed_ok = [&](size_t at) {
    if (next == '\0') return at == text.size();
    if (next == ' ') return SpaceAt(text, at) > 0;
    return at < text.size() && text[at] == next;
  };
  if (i + 1 < text.size() && IsDigit(text[i]) && IsDigit(text[i + 1])) {
    const int value = (text[i] - '0') * 10 + (text[i + 1] - '0');
    if (value >= field.min_two && value <= field.max_two && followed_ok(i + 2)) {
      i += 2;
      return value;
    }
  }
  if (i < text.size() && IsDigit(text[i]) && text[i] - '0' >= field.min_one && followed_ok(i + 1)) {
    return text[i++] - '0';
  }
  return std::nullopt;
}

// %Y-%m-%d at the start of text; the day followed by `after_day` (see ReadField).
std::optional<DateValue> ReadStrptimeDate(std::string_view text, size_t& i, char after_day) {
  if (text.size() < 4) return std::nullopt;
  for (size_t k = 0; k < 4; ++k) {
    if (!IsDigit(text[k])) return std::nullopt;
  }
  DateValue date;
  date.year =
      (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
  i = 4;
  if (i >= text.size() || text[i++] != '-') return std::nullopt;
  const auto month = ReadField(text, i, kMonthField, '-');
  if (!month) return std::nullopt;
  ++i;
  // %d's last alternative, " [1-9]": a space-padded day.
  std::optional<int> day;
  if (i + 1 < text.size() && text[i] == ' ' && text[i + 1] >= '1' && text[i + 1] <= '9') {
    size_t j = i + 1;
    day = ReadField(text, j, {10, 0, 1}, after_day);  // one digit only
    if (day) i = j;
  } else {
    day = ReadField(text, i, kDayField, after_day);
  }
  if (!day) return std::nullopt;
  date.month = *month;
  date.day = *day;
  if (!IsValidDate(date.year, date.month, date.day)) return std::nullopt;
  return date;
}

// ---------------------------------------------------------------------------------------------
// isodate 0.7 parse_date / parse_time (the version pip resolves for dbt-common's isodate>=0.6,
// <0.8; 0.6 did not anchor the time at its end and rounded microseconds instead of flooring).

// text matches `shape`: '#' an ASCII digit, any other character itself.
bool HasShape(std::string_view text, std::string_view shape) {
  if (text.size() != shape.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (shape[i] == '#' ? !IsDigit(text[i]) : text[i] != shape[i]) return false;
  }
  return true;
}

int DigitsAt(std::string_view text, size_t at, size_t count) {
  int value = 0;
  for (size_t k = 0; k < count; ++k) value = value * 10 + (text[at + k] - '0');
  return value;
}

// isodate's week dates: Jan 1 plus weeks (one fewer if Jan 1 is in ISO week 1) plus the
// day less Jan 1's weekday; week and day are not range-checked ("W00-0" is accepted).
std::optional<DateValue> IsoWeekDate(int year, int week, int day) {
  if (year < 1) return std::nullopt;
  const int64_t jan1 = DaysFromCivil(year, 1, 1);
  const int weekday = IsoWeekday(jan1);
  const int64_t weeks = week - (weekday <= 4 ? 1 : 0);
  return DateFromDays(jan1 + weeks * 7 - weekday + day);
}

std::optional<DateValue> IsoOrdinalDate(int year, int day) {
  if (year < 1) return std::nullopt;
  return DateFromDays(DaysFromCivil(year, 1, 1) + day - 1);
}

// isodate's year-month-day forms: month 00 means January ("int(month) or defaultmonth").
std::optional<DateValue> IsoCalendarDate(int year, int month, int day) {
  if (month == 0) month = 1;
  if (!IsValidDate(year, month, day)) return std::nullopt;
  return DateValue{year, month, day};
}

// The date patterns of isodate.parse_date with 4-digit years, tried in its order.
std::optional<DateValue> ParseIsoDate(std::string_view s) {
  auto year = [&] { return DigitsAt(s, 0, 4); };
  if (HasShape(s, "####-##-##"))
    return IsoCalendarDate(year(), DigitsAt(s, 5, 2), DigitsAt(s, 8, 2));
  if (HasShape(s, "########")) return IsoCalendarDate(year(), DigitsAt(s, 4, 2), DigitsAt(s, 6, 2));
  if (HasShape(s, "####-W##-#")) return IsoWeekDate(year(), DigitsAt(s, 6, 2), DigitsAt(s, 9, 1));
  if (HasShape(s, "####W###")) return IsoWeekDate(year(), DigitsAt(s, 5, 2), DigitsAt(s, 7, 1));
  if (HasShape(s, "####-###")) return IsoOrdinalDate(year(), DigitsAt(s, 5, 3));
  if (HasShape(s, "#######")) return IsoOrdinalDate(year(), DigitsAt(s, 4, 3));
  if (HasShape(s, "####-W##")) return IsoWeekDate(year(), DigitsAt(s, 6, 2), 1);
  if (HasShape(s, "####W##")) return IsoWeekDate(year(), DigitsAt(s, 5, 2), 1);
  if (HasShape(s, "####-##")) return IsoCalendarDate(year(), DigitsAt(s, 5, 2), 1);
  if (HasShape(s, "######")) return IsoCalendarDate(year(), DigitsAt(s, 4, 2), 1);
  if (HasShape(s, "####")) return IsoCalendarDate(year(), 1, 1);
  if (HasShape(s, "##")) return IsoCalendarDate(DigitsAt(s, 0, 2) * 100 + 1, 1, 1);  // century
  return std::nullopt;
}

// floor(0.<fraction> * factor) and whether the rest is above, at or below one half (1, 0, -1):
// exact on a fraction of any length (factor <= 3.6e9, so each step fits 64 bits).
std::pair<uint64_t, int> ScaleFraction(std::string_view fraction, uint64_t factor) {
  if (fraction.empty()) return {0, -1};
  // product = fraction digits (as an integer) * factor, least significant digit first
  std::string product;
  uint64_t carry = 0;
  for (size_t i = fraction.size(); i-- > 0;) {
    const uint64_t v = static_cast<uint64_t>(fraction[i] - '0') * factor + carry;
    product += static_cast<char>('0' + v % 10);
    carry = v / 10;
  }
  for (; carry > 0; carry /= 10) product += static_cast<char>('0' + carry % 10);
  const size_t n = fraction.size();
  if (product.size() < n) product.append(n - product.size(), '0');
  std::string rest(product.begin(), product.begin() + static_cast<std::ptrdiff_t>(n));
  std::reverse(rest.begin(), rest.end());
  uint64_t whole = 0;
  for (size_t i = product.size(); i-- > n;) whole = whole * 10 + (product[i] - '0');
  const int compare = rest.compare("5" + std::string(n - 1, '0'));
  return {whole, compare < 0 ? -1 : compare > 0 ? 1 : 0};
}

// The part of an isodate time after its clock fields: "" | Z | [+-]hh[[:]mm], then the end.
bool ParseIsoZone(std::string_view s, DateTimeValue& out) {
  if (s.empty()) return true;
  if (s == "Z") {
    out.offset_minutes = 0;
    return true;
  }
  if (s[0] != '+' && s[0] != '-') return false;
  const int sign = s[0] == '-' ? -1 : 1;
  const std::string_view rest = s.substr(1);
  int minutes;
  if (HasShape(rest, "##")) {
    minutes = DigitsAt(rest, 0, 2) * 60;
  } else if (HasShape(rest, "####")) {
    minutes = DigitsAt(rest, 0, 2) * 60 + DigitsAt(rest, 2, 2);
  } else if (HasShape(rest, "##:##")) {
    minutes = DigitsAt(rest, 0, 2) * 60 + DigitsAt(rest, 3, 2);
  } else {
    return false;
  }
  out.offset_minutes = sign * minutes;
  return true;
}

// Sets the clock from isodate's fields: the seconds form floors the fraction to microseconds;
// fractional minutes are floored likewise; fractional hours round the microseconds half to
// even, and a round up to a whole second is a ValueError there (time() gets 1000000).
bool SetIsoClock(int hour, std::optional<int> minute, std::optional<int> second,
                 std::string_view fraction, DateTimeValue& out) {
  out.hour = hour;
  if (second) {
    out.minute = *minute;
    out.second = *second;
    const std::string micros = std::string(fraction.substr(0, 6)) +
                               std::string(6 - std::min<size_t>(6, fraction.size()), '0');
    out.micros = DigitsAt(micros, 0, 6);
  } else if (minute) {
    const auto [micros, half] = ScaleFraction(fraction, 60'000'000);
    out.minute = *minute;
    out.second = static_cast<int>(micros / 1'000'000);
    out.micros = static_cast<int>(micros % 1'000'000);
  } else {
    const auto [micros, half] = ScaleFraction(fraction, 3'600'000'000);
    uint64_t rounded = micros % 1'000'000;
    if (half > 0 || (half == 0 && !fraction.empty() && rounded % 2 == 1)) ++rounded;
    if (rounded == 1'000'000) return false;
    const uint64_t seconds = micros / 1'000'000;
    out.minute = static_cast<int>(seconds / 60);
    out.second = static_cast<int>(seconds % 60);
    out.micros = static_cast<int>(rounded);
  }
  return out.hour <= 23 && out.minute <= 59 && out.second <= 59;
}

// isodate's time patterns, in its order: hh:mm:ss, hhmmss, hh:mm, hhmm, hh, each with an
// optional [,.]fraction on its last field and a zone. The separators decide the pattern.
bool ParseIsoTime(std::string_view s, DateTimeValue& out) {
  if (!HasShape(s.substr(0, 2), "##")) return false;
  const int hour = DigitsAt(s, 0, 2);
  std::optional<int> minute, second;
  size_t i = 2;
  const bool extended = i < s.size() && s[i] == ':';
  if (HasShape(s.substr(i + extended, 2), "##")) {
    minute = DigitsAt(s, i + extended, 2);
    i += extended + 2;
    if ((!extended || (i < s.size() && s[i] == ':')) && HasShape(s.substr(i + extended, 2), "##")) {
      second = DigitsAt(s, i + extended, 2);
      i += extended + 2;
    }
  } else if (extended) {
    return false;
  }
  std::string_view fraction;
  if (i + 1 < s.size() && (s[i] == '.' || s[i] == ',') && IsDigit(s[i + 1])) {
    size_t end = i + 1;
    while (end < s.size() && IsDigit(s[end])) ++end;
    fraction = s.substr(i + 1, end - i - 1);
    i = end;
  }
  return ParseIsoZone(s.substr(i), out) && SetIsoClock(hour, minute, second, fraction, out);
}

// math.isinf(value) on a Decimal converts it to a float first, so max_precision also skips a
// number past the largest double: at or above 2^1024 - 2^970 (the midpoint between DBL_MAX
// and 2^1024, which rounds up), i.e. 1.797693134862315807937289714053...e308. Such a number
// has at most 28 digits here, so its first 28 digits against the threshold's settle it.
bool IsInfiniteAsFloat(const DecimalNumber& normal) {
  constexpr std::string_view kThreshold = "1797693134862315807937289714";  // then 053..
  const int64_t adjusted = static_cast<int64_t>(normal.digits.size()) - 1 + normal.exponent;
  if (adjusted != 308) return adjusted > 308;
  std::string digits = normal.digits;
  digits.resize(kThreshold.size(), '0');
  return digits > kThreshold;
}

// The nearest integer, halves away from zero.
DecimalNumber RoundedToInteger(DecimalNumber number) {
  if (number.exponent >= 0) return number;
  const int64_t drop = -number.exponent;
  number.exponent = 0;
  if (drop > static_cast<int64_t>(number.digits.size())) {
    number.digits = "0";  // below 0.1: rounds to zero
    return number;
  }
  const bool round_up = number.digits[number.digits.size() - drop] >= '5';
  number.digits.resize(number.digits.size() - drop);
  if (number.digits.empty()) number.digits = "0";
  if (round_up && !IncrementDigits(number.digits)) number.digits.insert(number.digits.begin(), '1');
  return number;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public (internal) API

std::string_view PyStrip(std::string_view text) {
  while (size_t n = SpaceAt(text, 0)) text.remove_prefix(n);
  while (size_t n = SpaceBefore(text, text.size())) text.remove_suffix(n);
  return text;
}

bool IsNullText(std::string_view raw) { return IsNullWord(PyStrip(raw)); }

// agate Number.cast: strip; null_values; strip "%"; one leading "-" taken as the sign; each
// currency symbol stripped from both ends in turn; "," (en_US grouping) removed; Decimal();
// times the sign. So "$1,234.50", "50%", "-$5", " 7 ", "1e3", "1_000" and "NaN" are numbers.
CastStatus CastNumber(std::string_view raw, DecimalNumber* out) {
  std::string_view text = PyStrip(raw);
  if (IsNullWord(text)) return CastStatus::kNull;
  text = StripAll(text, "%");
  bool negative = false;
  if (!text.empty() && text[0] == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  if (MayHaveCurrency(text)) {
    for (std::string_view symbol : kCurrencySymbols) text = StripAll(text, symbol);
  }
  std::string storage;
  auto number = ParsePyDecimal(WithoutChar(text, ',', storage));
  // sNaN * sign signals InvalidOperation, which agate turns into a CastError.
  if (!number || number->kind == DecimalNumber::Kind::kSignalingNaN) return CastStatus::kInvalid;
  if (negative) number->negative = !number->negative;
  RoundToContext(*number);
  if (out) *out = std::move(*number);
  return CastStatus::kValue;
}

// agate Boolean.cast: commas removed (so "tr,ue" is true), strip, lower, then the null,
// true and false values dbt gives it: only "true" and "false" (not agate's yes/no/t/f/1/0).
CastStatus CastBoolean(std::string_view raw, bool* out) {
  std::string storage;
  const std::string_view text = PyStrip(WithoutChar(raw, ',', storage));
  if (IsNullWord(text)) return CastStatus::kNull;
  bool value;
  if (EqualsIgnoreCase(text, "true")) {
    value = true;
  } else if (EqualsIgnoreCase(text, "false")) {
    value = false;
  } else {
    return CastStatus::kInvalid;
  }
  if (out) *out = value;
  return CastStatus::kValue;
}

CastStatus CastDate(std::string_view raw, DateValue* out) {
  const std::string_view text = PyStrip(raw);
  if (IsNullWord(text)) return CastStatus::kNull;
  size_t i = 0;
  const auto date = ReadStrptimeDate(text, i, '\0');
  if (!date) return CastStatus::kInvalid;
  if (out) *out = *date;
  return CastStatus::kValue;
}

CastStatus CastDateTimeFormat(std::string_view raw, DateTimeValue* out) {
  const std::string_view text = PyStrip(raw);
  if (IsNullWord(text)) return CastStatus::kNull;
  size_t i = 0;
  const auto date = ReadStrptimeDate(text, i, ' ');
  if (!date) return CastStatus::kInvalid;
  while (size_t n = SpaceAt(text, i)) i += n;
  const auto hour = ReadField(text, i, kHourField, ':');
  if (!hour) return CastStatus::kInvalid;
  ++i;
  const auto minute = ReadField(text, i, kMinuteField, ':');
  if (!minute) return CastStatus::kInvalid;
  ++i;
  const auto second = ReadField(text, i, kSecondField, '\0');
  if (!second || *second > 59) return CastStatus::kInvalid;  // datetime() refuses 60 and 61
  if (out) *out = DateTimeValue{*date, *hour, *minute, *second, 0, std::nullopt};
  return CastStatus::kValue;
}

// dbt's ISODateTime.cast: strip; null_values; isodate.parse_datetime, which splits on "T"
// (exactly one, upper case) and parses each side; any exception is a CastError.
CastStatus CastIsoDateTime(std::string_view raw, DateTimeValue* out) {
  const std::string_view text = PyStrip(raw);
  if (IsNullWord(text)) return CastStatus::kNull;
  const size_t t = text.find('T');
  if (t == std::string_view::npos || text.find('T', t + 1) != std::string_view::npos) {
    return CastStatus::kInvalid;
  }
  const auto date = ParseIsoDate(text.substr(0, t));
  DateTimeValue value;
  if (!date || !ParseIsoTime(text.substr(t + 1), value)) return CastStatus::kInvalid;
  value.date = *date;
  if (out) *out = value;
  return CastStatus::kValue;
}

void MaxPrecision::Add(const DecimalNumber& number) {
  if (number.kind != DecimalNumber::Kind::kFinite) return;
  const DecimalNumber normal = Normalized(number);
  if (IsInfiniteAsFloat(normal)) return;
  max_whole_ = std::max(max_whole_, static_cast<int64_t>(normal.digits.size()) + normal.exponent);
  max_decimal_ = std::max(max_decimal_, -normal.exponent);
}

int64_t MaxPrecision::Result() const {
  const auto precision = static_cast<int64_t>(kContextPrecision);
  return max_whole_ + max_decimal_ > precision ? precision - max_whole_ : max_decimal_;
}

std::optional<std::string> FormatNumber(const DecimalNumber& number, bool integral) {
  using Kind = DecimalNumber::Kind;
  if (number.kind == Kind::kNaN || number.kind == Kind::kSignalingNaN) return "NaN";
  if (number.kind == Kind::kInfinity) return number.negative ? "-Infinity" : "Infinity";
  const DecimalNumber normal = Normalized(integral ? RoundedToInteger(number) : number);
  if (normal.digits == "0") return "0";  // no "-0": PostgreSQL's numeric has none either
  const auto digits = static_cast<int64_t>(normal.digits.size());
  const int64_t length =
      normal.exponent >= 0 ? digits + normal.exponent : std::max(digits, -normal.exponent) + 2;
  if (length > static_cast<int64_t>(kMaxNumberChars)) return std::nullopt;
  std::string text = normal.negative ? "-" : "";
  if (normal.exponent >= 0) {
    text += normal.digits;
    text.append(static_cast<size_t>(normal.exponent), '0');
  } else if (digits > -normal.exponent) {
    const auto point = static_cast<size_t>(digits + normal.exponent);
    text += normal.digits.substr(0, point);
    text += '.';
    text += normal.digits.substr(point);
  } else {
    text += "0.";
    text.append(static_cast<size_t>(-normal.exponent - digits), '0');
    text += normal.digits;
  }
  return text;
}

std::string FormatDate(const DateValue& date) {
  return fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day);
}

std::optional<std::string> FormatDateTime(const DateTimeValue& value) {
  DateValue date = value.date;
  int minute_of_day = value.hour * 60 + value.minute;
  if (value.offset_minutes && std::abs(*value.offset_minutes) >= 24 * 60) return std::nullopt;
  if (value.offset_minutes) {
    const int64_t minutes = DaysFromCivil(date.year, date.month, date.day) * 1440 + minute_of_day -
                            *value.offset_minutes;
    const int64_t days = minutes >= 0 ? minutes / 1440 : -((-minutes + 1439) / 1440);
    const auto utc = DateFromDays(days);
    if (!utc) return std::nullopt;
    date = *utc;
    minute_of_day = static_cast<int>(minutes - days * 1440);
  }
  std::string text = fmt::format("{} {:02}:{:02}:{:02}", FormatDate(date), minute_of_day / 60,
                                 minute_of_day % 60, value.second);
  if (value.micros != 0) text += fmt::format(".{:06}", value.micros);
  return text;
}

}  // namespace wharf::models::seeds::internal
