#include "models/seeds/seed_csv.hpp"

#include <fmt/format.h>

#include <string>
#include <unordered_set>
#include <utility>

#include "core/error.hpp"
#include "models/seeds/seed_values.hpp"

// How dbt (1.8 to 1.11: dbt-core pins agate>=1.7,<1.10, dbt-common isodate>=0.6,<0.8) reads a
// seed, and so what this file does. Sources: dbt-common dbt_common/clients/agate_helper.py
// (from_csv, build_type_tester, Integer, Number, ISODateTime), agate 1.9 (table/from_csv.py,
// table/__init__.py, type_tester.py, data_types/*.py, utils.py max_precision/deduplicate),
// isodate 0.7 (parse_datetime/parse_date/parse_time), dbt-adapters sql/impl.py
// (SQLAdapter.convert_*_type), dbt-core context/providers.py (load_agate_table), dbt-duckdb
// macros/seed.sql and impl.py. Each point was checked against agate 1.9.1 + isodate 0.7.2
// running dbt-common's type tester.
//
// Reading. dbt opens the file as UTF-8 text (so universal newlines: CRLF and a lone CR become
// LF everywhere, inside quoted fields too), drops one leading BOM, and gives it to Python's
// csv module (excel dialect, not strict): a quote opens a quoted field only at a field's
// start, "" inside is a quote, text after the closing quote joins the field ("ab"c is abc), a
// quote inside an unquoted field is literal. A blank line is a record with no fields, which
// agate pads to a row of nulls (so a trailing blank line adds one null row); a row shorter
// than the header is padded with nulls; a longer one is an error ("Row 3 has 4 values, but
// Table only has 3 columns"). Header names are kept as written, but an empty one becomes
// agate's letter name ("a", "b", .., "aa") and a repeat gets "_2", "_3" (utils.deduplicate).
// Here, unlike Python's non-strict reader, a quote left open at the end of the file is an
// error: it swallows the rest of the seed into one field, which is never what was meant.
//
// Types. dbt's type tester tries, in this order: its Integer, Number, Date("%Y-%m-%d"),
// DateTime("%Y-%m-%d %H:%M:%S"), ISODateTime, Boolean(true_values=("true",),
// false_values=("false",)), Text; each with null_values ("null", ""), matched after strip()
// and lower(). A column takes the first type that every value it has fits (values missing
// from short rows are not tested). dbt's Integer only accepts Python ints, never a CSV string
// (even ""), so it wins only for a column no row reaches: a header-only seed. Consequences:
//  - null: "", whitespace, "null"/"NULL"/"Null" are null in every column, Text included and
//    columns given in column_types too (agate's wider defaults "na", "n/a", "none", "." are
//    not: dbt passes its own). A column of nulls is Number with no decimals: "integer".
//  - numbers (agate Number, en_US): surrounding space, "%", one leading "-", currency symbols
//    ($ EUR GBP JPY and agate's other 15) stripped, "," removed anywhere, then Python Decimal:
//    "007", "+5", "1e3", "1_000", "1.", ".5", "NaN", "Infinity", fullwidth "１２" are numbers;
//    "1 000", "0x1F", "(5)" are not. The SQL type is float8 when agate's MaxPrecision is
//    nonzero: a value has digits after the point once trailing zeros are dropped ("1.0" and
//    "1e3" are integers), or, through its cap of whole + decimal digits at 28, over 28 whole
//    digits ("1e30"); else integer. Values are first rounded to 28 significant digits, as
//    `Decimal(d) * sign` does.
//  - dates: strptime "%Y-%m-%d": a 4-digit year, month and day of 1 or 2 digits ("2024-1-5").
//  - datetimes: strptime "%Y-%m-%d %H:%M:%S" (any run of whitespace between, no fraction, no
//    zone) or ISO 8601 with a "T" (isodate: basic or extended, week and ordinal dates,
//    fractions of the last field, Z or +hh[:mm]). So "2024-01-01 10:00:00.5" is text, and a
//    column mixing the two forms, or dates with datetimes, is text.
//  - booleans: only true/false, any case ("yes", "t", "1" are not booleans: text or number).
//  - a column mixing types falls back to text, values as written (not stripped).
// SQL types: dbt-postgres and dbt-duckdb both keep SQLAdapter's convert_*_type: text,
// float8/integer, integer (Integer), boolean, timestamp without time zone, date.
//
// Values. dbt binds agate's values (Decimal, bool, date, datetime) as parameters; here they
// become text that reads back as the same value through a SQL literal of the column type:
// plain decimals ("1000", "0.001"; "NaN", "Infinity" as float8 spells them), true/false,
// YYYY-MM-DD, "YYYY-MM-DD HH:MM:SS[.ffffff]". A datetime with an offset becomes UTC: psycopg2
// sends it as timestamptz, so PostgreSQL stores it in the session's zone (UTC under wharf),
// and DuckDB's cast of such text to TIMESTAMP applies the offset too. dbt-duckdb's default "fast"
// seed load instead COPYs the raw file into the inferred table, where DuckDB's CSV reader, not
// agate, reads values (there "null" stays a string in a text column and "$5" fails to load as
// integer); wharf loads the agate reading on both, as dbt-duckdb does with `fast: false`.

namespace wharf::models::seeds {
namespace {

using internal::CastStatus;

// ---------------------------------------------------------------------------------------------
// Errors

std::string Shown(std::string_view value) {
  constexpr size_t kMaxShown = 60;
  std::string out;
  for (char c : value.substr(0, kMaxShown)) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  if (value.size() > kMaxShown) out += "...";
  return "\"" + out + "\"";
}

template <typename... Args>
[[noreturn]] void FailAt(const std::string& file, size_t line, fmt::format_string<Args...> format,
                         Args&&... args) {
  Fail(ErrorKind::kConfig, "{}:{}: {}", file, line,
       fmt::format(format, std::forward<Args>(args)...));
}

// ---------------------------------------------------------------------------------------------
// Input checks

// The line (1-based, universal newlines) that byte `pos` is on; only for error messages.
size_t LineOf(std::string_view text, size_t pos) {
  size_t line = 1;
  for (size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) {
      ++line;
    }
  }
  return line;
}

// Length of the well-formed UTF-8 sequence at text[i], or 0 (overlongs, surrogates and code
// points past U+10FFFF are not well formed, as Python's decoder says).
size_t Utf8SequenceAt(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t len;
  unsigned char min2 = 0x80, max2 = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    len = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    len = 3;
    if (lead == 0xE0) min2 = 0xA0;
    if (lead == 0xED) max2 = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    len = 4;
    if (lead == 0xF0) min2 = 0x90;
    if (lead == 0xF4) max2 = 0x8F;
  } else {
    return 0;
  }
  if (i + len > text.size() || byte(1) < min2 || byte(1) > max2) return 0;
  for (size_t k = 2; k < len; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return 0;
  }
  return len;
}

// dbt opens seeds with encoding="utf-8" and fails on anything else; so does PostgreSQL.
void CheckUtf8(std::string_view text, const std::string& file) {
  for (size_t i = 0; i < text.size();) {
    const size_t len = Utf8SequenceAt(text, i);
    if (len == 0) {
      FailAt(file, LineOf(text, i), "not valid UTF-8 (byte 0x{:02x}); save the seed as UTF-8",
             static_cast<unsigned char>(text[i]));
    }
    i += len;
  }
}

void CheckDelimiter(char delimiter, const std::string& file) {
  const auto byte = static_cast<unsigned char>(delimiter);
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r' || byte >= 0x80 || byte == 0) {
    Fail(ErrorKind::kConfig,
         "{}: the seed delimiter must be one ASCII character, not a quote or a line break", file);
  }
}

// ---------------------------------------------------------------------------------------------
// CSV records

struct Record {
  size_t line = 0;  // where the record starts
  std::vector<std::string> fields;
};

// Python's csv reader (excel dialect, strict=False) over universal-newline text.
class CsvReader {
 public:
  CsvReader(std::string_view text, char delimiter, const std::string& file)
      : text_(text), delimiter_(delimiter), file_(file) {}

  // The next record, or false at the end of the input. A blank line is a record of no fields.
  bool Next(Record& record) {
    if (pos_ >= text_.size()) return false;
    record.line = line_;
    record.fields.clear();
    if (AtNewline()) {
      EatNewline();
      return true;
    }
    for (;;) {
      std::string field;
      if (text_[pos_] == '"') {
        ++pos_;
        ReadQuoted(field, record.line);
      }
      ReadUnquoted(field);
      record.fields.push_back(std::move(field));
      if (pos_ >= text_.size()) return true;
      if (AtNewline()) {
        EatNewline();
        return true;
      }
      ++pos_;  // the delimiter: another field follows, even at the end of the input
      if (pos_ >= text_.size()) {
        record.fields.emplace_back();
        return true;
      }
    }
  }

 private:
  bool AtNewline() const { return text_[pos_] == '\n' || text_[pos_] == '\r'; }

  // CRLF, CR or LF: one line end, as universal newlines read it.
  void EatNewline() {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }

  // After an opening quote: up to and past the closing one; a line end inside becomes "\n".
  void ReadQuoted(std::string& field, size_t start_line) {
    for (;;) {
      const size_t stop = text_.find_first_of("\"\r\n", pos_);
      if (stop == std::string_view::npos) {
        FailAt(file_, start_line,
               "a quoted field is not closed by the end of the file (a \" inside a quoted field "
               "is written \"\")");
      }
      field.append(text_.substr(pos_, stop - pos_));
      pos_ = stop;
      if (text_[pos_] != '"') {
        field += '\n';
        EatNewline();
      } else if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
        field += '"';
        pos_ += 2;
      } else {
        ++pos_;
        return;
      }
    }
  }

  // Up to the delimiter or the line end; quotes here are plain characters.
  void ReadUnquoted(std::string& field) {
    size_t stop = pos_;
    while (stop < text_.size() && text_[stop] != delimiter_ && text_[stop] != '\n' &&
           text_[stop] != '\r') {
      ++stop;
    }
    field.append(text_.substr(pos_, stop - pos_));
    pos_ = stop;
  }

  std::string_view text_;
  char delimiter_;
  const std::string& file_;
  size_t pos_ = 0;
  size_t line_ = 1;
};

// ---------------------------------------------------------------------------------------------
// Header

// agate's letter_name: a, b, .., z, aa, bb, ..
std::string LetterName(size_t index) {
  return std::string(index / 26 + 1, static_cast<char>('a' + index % 26));
}

// agate's deduplicate(column_names=True): empty names get letter names, repeats "_2", "_3"..
std::vector<std::string> ColumnNames(const std::vector<std::string>& header) {
  std::vector<std::string> names;
  std::unordered_set<std::string> taken;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string base = header[i].empty() ? LetterName(i) : header[i];
    std::string name = base;
    for (int n = 2; taken.count(name) > 0; ++n) name = base + "_" + std::to_string(n);
    taken.insert(name);
    names.push_back(std::move(name));
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// Inference

// dbt's type tester's types, in its order of preference.
enum class Candidate { kInteger, kNumber, kDate, kDateTime, kIsoDateTime, kBoolean, kText };
constexpr int kCandidates = 7;

unsigned Bit(Candidate c) { return 1u << static_cast<int>(c); }

// DataType.test: does cast() succeed (a value or null)?
bool Fits(Candidate candidate, std::string_view value) {
  switch (candidate) {
    case Candidate::kInteger:
      return false;  // dbt's Integer takes ints and None, no strings
    case Candidate::kNumber:
      return internal::CastNumber(value, nullptr) != CastStatus::kInvalid;
    case Candidate::kDate:
      return internal::CastDate(value, nullptr) != CastStatus::kInvalid;
    case Candidate::kDateTime:
      return internal::CastDateTimeFormat(value, nullptr) != CastStatus::kInvalid;
    case Candidate::kIsoDateTime:
      return internal::CastIsoDateTime(value, nullptr) != CastStatus::kInvalid;
    case Candidate::kBoolean:
      return internal::CastBoolean(value, nullptr) != CastStatus::kInvalid;
    case Candidate::kText:
      return true;
  }
  return false;
}

using Rows = std::vector<std::vector<std::optional<std::string>>>;

// agate's TypeTester.run for one column: every value present narrows the candidates; the
// first left in preference order wins (all of them, so Integer, if no row has a value).
Candidate InferColumn(const Rows& rows, size_t column) {
  unsigned alive = (1u << kCandidates) - 1;
  for (const auto& row : rows) {
    const auto& value = row[column];
    if (!value) continue;
    for (int c = 0; c < kCandidates; ++c) {
      const auto candidate = static_cast<Candidate>(c);
      if ((alive & Bit(candidate)) && !Fits(candidate, *value)) alive &= ~Bit(candidate);
    }
    if (alive == Bit(Candidate::kText)) break;  // Text fits everything: nothing left to learn
  }
  for (int c = 0; c < kCandidates; ++c) {
    if (alive & Bit(static_cast<Candidate>(c))) return static_cast<Candidate>(c);
  }
  return Candidate::kText;
}

SeedType TypeOf(Candidate candidate) {
  switch (candidate) {
    case Candidate::kInteger:
      return SeedType::kInteger;
    case Candidate::kNumber:
      return SeedType::kNumber;
    case Candidate::kDate:
      return SeedType::kDate;
    case Candidate::kDateTime:
    case Candidate::kIsoDateTime:
      return SeedType::kDateTime;
    case Candidate::kBoolean:
      return SeedType::kBoolean;
    case Candidate::kText:
      return SeedType::kText;
  }
  return SeedType::kText;
}

// ---------------------------------------------------------------------------------------------
// Normalization: each value cast by the column's type (which every value fits) and written
// as text a SQL literal of the column's SQL type reads back.

struct ColumnContext {
  const std::string& file;
  const std::string& name;
  const std::vector<size_t>& lines;  // each row's line
};

[[noreturn]] void Unfit(const ColumnContext& ctx, size_t row) {
  Fail(ErrorKind::kInternal, "{}:{}: a value of column \"{}\" no longer fits its inferred type",
       ctx.file, ctx.lines[row], ctx.name);
}

// Sets the cells of a Number column; true if any value has decimals (float8, not integer).
bool NormalizeNumbers(Rows& rows, size_t column, const ColumnContext& ctx) {
  std::vector<std::optional<internal::DecimalNumber>> numbers(rows.size());
  internal::MaxPrecision precision;
  for (size_t r = 0; r < rows.size(); ++r) {
    if (!rows[r][column]) continue;
    internal::DecimalNumber number;
    const auto status = internal::CastNumber(*rows[r][column], &number);
    if (status == CastStatus::kInvalid) Unfit(ctx, r);
    if (status == CastStatus::kValue) {
      precision.Add(number);
      numbers[r] = std::move(number);
    }
  }
  const bool has_decimals = precision.Result() != 0;
  for (size_t r = 0; r < rows.size(); ++r) {
    if (!numbers[r]) {
      rows[r][column].reset();
      continue;
    }
    auto text = internal::FormatNumber(*numbers[r], !has_decimals);
    if (!text) {
      FailAt(ctx.file, ctx.lines[r],
             "{} in column \"{}\" has more than {} digits written out: "
             "no warehouse number type holds it; give the column a type in column_types",
             Shown(*rows[r][column]), ctx.name, internal::kMaxNumberChars);
    }
    rows[r][column] = std::move(*text);
  }
  return has_decimals;
}

// One non-Number cell by candidate `candidate`.
std::optional<std::string> NormalizeCell(Candidate candidate, std::string_view value,
                                         const ColumnContext& ctx, size_t row) {
  CastStatus status = CastStatus::kInvalid;
  std::optional<std::string> text;
  switch (candidate) {
    case Candidate::kDate: {
      internal::DateValue date;
      status = internal::CastDate(value, &date);
      if (status == CastStatus::kValue) text = internal::FormatDate(date);
      break;
    }
    case Candidate::kDateTime:
    case Candidate::kIsoDateTime: {
      internal::DateTimeValue datetime;
      status = candidate == Candidate::kDateTime ? internal::CastDateTimeFormat(value, &datetime)
                                                 : internal::CastIsoDateTime(value, &datetime);
      if (status != CastStatus::kValue) break;
      text = internal::FormatDateTime(datetime);
      if (!text) {
        FailAt(ctx.file, ctx.lines[row],
               "{} in column \"{}\" is outside years 1-9999 in UTC, or its UTC offset is a day "
               "or more",
               Shown(value), ctx.name);
      }
      break;
    }
    case Candidate::kBoolean: {
      bool flag = false;
      status = internal::CastBoolean(value, &flag);
      if (status == CastStatus::kValue) text = flag ? "true" : "false";
      break;
    }
    case Candidate::kText:
      status = internal::IsNullText(value) ? CastStatus::kNull : CastStatus::kValue;
      if (status == CastStatus::kValue) text = std::string(value);
      break;
    case Candidate::kInteger:
    case Candidate::kNumber:
      break;  // no values / NormalizeNumbers
  }
  if (status == CastStatus::kInvalid) Unfit(ctx, row);
  return text;
}

void NormalizeColumn(Rows& rows, size_t column, Candidate candidate, const ColumnContext& ctx) {
  for (size_t r = 0; r < rows.size(); ++r) {
    auto& cell = rows[r][column];
    if (cell) cell = NormalizeCell(candidate, *cell, ctx, r);
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the records

struct RawSeed {
  std::vector<std::string> columns;
  Rows rows;                  // nullopt: a field the row does not have
  std::vector<size_t> lines;  // each row's first line
};

RawSeed ReadRecords(std::string_view text, const std::string& file, char delimiter) {
  CsvReader reader(text, delimiter, file);
  Record record;
  if (!reader.Next(record)) Fail(ErrorKind::kConfig, "{}: the seed is empty (no header row)", file);
  if (record.fields.empty()) FailAt(file, record.line, "the header row is blank");
  RawSeed seed;
  seed.columns = ColumnNames(record.fields);
  const size_t width = seed.columns.size();
  while (reader.Next(record)) {
    if (record.fields.size() > width) {
      FailAt(file, record.line, "this row has {} fields, but the header has {} columns",
             record.fields.size(), width);
    }
    std::vector<std::optional<std::string>> row(width);
    for (size_t i = 0; i < record.fields.size(); ++i) row[i] = std::move(record.fields[i]);
    seed.rows.push_back(std::move(row));
    seed.lines.push_back(record.line);
  }
  return seed;
}

}  // namespace

std::string_view SeedTypeName(SeedType type) {
  switch (type) {
    case SeedType::kInteger:
      return "integer";
    case SeedType::kNumber:
      return "number";
    case SeedType::kBoolean:
      return "boolean";
    case SeedType::kDate:
      return "date";
    case SeedType::kDateTime:
      return "datetime";
    case SeedType::kText:
      return "text";
  }
  return "text";
}

SeedTable ParseSeed(std::string_view text, const std::string& file,
                    const std::map<std::string, std::string>& column_types, char delimiter) {
  CheckDelimiter(delimiter, file);
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());
  CheckUtf8(text, file);
  RawSeed raw = ReadRecords(text, file, delimiter);

  SeedTable table;
  const size_t width = raw.columns.size();
  table.types.resize(width);
  table.has_decimals.resize(width);
  for (size_t c = 0; c < width; ++c) {
    // A column given in column_types is agate Text, forced: not inferred.
    const Candidate candidate =
        column_types.count(raw.columns[c]) ? Candidate::kText : InferColumn(raw.rows, c);
    table.types[c] = TypeOf(candidate);
    const ColumnContext ctx{file, raw.columns[c], raw.lines};
    if (candidate == Candidate::kNumber) {
      table.has_decimals[c] = NormalizeNumbers(raw.rows, c, ctx);
    } else {
      NormalizeColumn(raw.rows, c, candidate, ctx);
    }
  }
  table.columns = std::move(raw.columns);
  table.rows = std::move(raw.rows);
  return table;
}

std::string SqlType(const SeedTable& table, size_t column, std::string_view adapter) {
  if (adapter != "duckdb" && adapter != "postgres") {
    Fail(ErrorKind::kConfig,
         "seeds: no seed column types for adapter \"{}\" (wharf knows duckdb and postgres)",
         adapter);
  }
  if (column >= table.types.size()) {
    Fail(ErrorKind::kInternal, "seeds: column {} of a seed with {} columns", column,
         table.types.size());
  }
  // dbt-postgres and dbt-duckdb both use SQLAdapter's conversions unchanged.
  switch (table.types[column]) {
    case SeedType::kInteger:
      return "integer";
    case SeedType::kNumber:
      return table.has_decimals[column] ? "float8" : "integer";
    case SeedType::kBoolean:
      return "boolean";
    case SeedType::kDate:
      return "date";
    case SeedType::kDateTime:
      return "timestamp without time zone";
    case SeedType::kText:
      return "text";
  }
  return "text";
}

}  // namespace wharf::models::seeds
