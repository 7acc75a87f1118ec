#pragma once
// JSON-lines encoding of staged changes (DESIGN.md "Staged batches"):
//   {"op":"U","lsn":123,"end_lsn":456,"seq":3,"xid":789,"ts":"2026-11-26T17:48:08.123456Z",
//    "row":{"id":"1","note":null},"old":{"id":"0"},"unchanged":["body"]}
// Every non-null value is a JSON string holding PostgreSQL's text form; SQL
// NULL is JSON null. `row` is absent for D and T, `old` when not sent,
// `unchanged` when empty.
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/change.hpp"
#include "core/relation.hpp"
#include "staging/object_store.hpp"

namespace wharf::staging {

// Appends one line (with '\n') for `change` to `out`.
void EncodeJsonLine(const core::RelationSchema& schema, const core::Change& change, std::string& out);

// The line's members up to `"seq":` (op, lsn, end_lsn) and from the one after
// seq (xid, ts) to the closing quote of ts: EncodeJsonLine writes
// before + seq + after + the row, old and unchanged members. Split so a file's
// snapshot rows, which share all but seq, format them once
// (staging/copy_transcode.hpp).
void AppendJsonHeadBeforeSeq(const core::Change& change, std::string& out);
void AppendJsonHeadAfterSeq(const core::Change& change, std::string& out);

// The `old` object and `unchanged` array of a line, as JSON texts (CSV and
// Parquet carry them in their _wharf_old and _wharf_unchanged columns).
void AppendJsonOld(const core::RelationSchema& schema, const core::Change& change, std::string& out);
void AppendJsonUnchanged(const core::RelationSchema& schema, const core::Change& change,
                         std::string& out);

// Decodes those two texts back into a change's has_old, old, old_kind and
// unchanged, exactly as a JSON line's members decode.
class JsonExtrasDecoder {
 public:
  explicit JsonExtrasDecoder(const core::RelationSchema& schema);
  ~JsonExtrasDecoder();
  JsonExtrasDecoder(const JsonExtrasDecoder&) = delete;
  JsonExtrasDecoder& operator=(const JsonExtrasDecoder&) = delete;
  // nullopt texts: not sent. Returns why when a text is malformed.
  std::optional<std::string> Decode(std::optional<std::string_view> old_json,
                                    std::optional<std::string_view> unchanged_json,
                                    core::Change& change);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Decodes single lines of a JSON-lines file written with `schema`: the
// per-line half of JsonLinesReader, for readers that find lines themselves
// (one parser per thread).
class JsonLineParser {
 public:
  // simdjson reads up to this many bytes past a line's end: the buffer holding
  // a line must have them (any content).
  static constexpr size_t kPadding = 64;
  JsonLineParser(const core::RelationSchema& schema, std::string where);
  ~JsonLineParser();
  JsonLineParser(const JsonLineParser&) = delete;
  JsonLineParser& operator=(const JsonLineParser&) = delete;
  // Decodes `line` (no '\n') into `change`, overwriting every field; the
  // buffer holds `allocated` >= line.size() + kPadding bytes from line.data().
  // Throws kStaging naming the file and `line_no` when the line is malformed.
  void Parse(std::string_view line, size_t allocated, uint64_t line_no, core::Change& change);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Decodes a JSON-lines stream written with `schema` one change at a time,
// pulling `read_size` bytes at a time from `source`. A line may span any
// number of reads; memory is about 2 * read_size plus 1.25 * the longest line,
// and shrinks back after a long line.
class JsonLinesReader {
 public:
  // `source` must outlive the reader.
  JsonLinesReader(const core::RelationSchema& schema, ObjectReader& source, std::string where,
                  size_t read_size = 1 << 20);
  ~JsonLinesReader();
  JsonLinesReader(const JsonLinesReader&) = delete;
  JsonLinesReader& operator=(const JsonLinesReader&) = delete;

  // Decodes the next line into `change` (overwriting every field); false at
  // the end of the stream. Throws kStaging naming `where` and the line number
  // on a malformed line, or when the stream ends inside a line (truncated).
  bool Next(core::Change& change);
  uint64_t line_number() const { return line_no_; }
  // Bytes of the line last decoded, newline included.
  size_t line_bytes() const { return line_bytes_; }

 private:
  struct Impl;
  void Refill();

  std::unique_ptr<Impl> impl_;
  uint64_t line_no_ = 0;
  size_t line_bytes_ = 0;
};

// Decodes a whole JSON-lines text written with `schema` (small inputs, tests).
// Throws kStaging naming `where` and the line number on a malformed line.
std::vector<core::Change> DecodeJsonLines(const core::RelationSchema& schema, std::string_view text,
                                          const std::string& where);

std::string FormatUtcMicros(int64_t unix_micros);  // 2026-11-26T17:48:08.123456Z
// The same, from a per-thread cache of the last time formatted (a transaction's rows share one).
const std::string& CachedUtcMicros(int64_t unix_micros);
bool ParseUtcMicros(std::string_view text, int64_t& unix_micros);

void AppendJsonString(std::string_view s, std::string& out);
// `v` in decimal: the numbers of a JSON line or CSV record (lsn, seq, xid).
void AppendDecimal(uint64_t v, std::string& out);

// One byte inside a JSON string: whether it must be escaped, and its escape
// (\" \\ \n \r \t, else \u00XX), written at `w`; returns the end. UTF-8 and
// other bytes >= 0x20 go as they are.
constexpr bool JsonMustEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }
// How many of the `n` bytes from `p` on come before the first one JsonMustEscape
// (`n` when none does): eight bytes at a time, since runs of plain text are the
// bulk of every staged line. (A byte test in a word: Hacker's Delight 6-1; the
// lowest flagged byte is always a true one, which is the one used.)
inline size_t JsonPlainPrefix(const char* p, size_t n) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    std::memcpy(&x, p + i, 8);
    const uint64_t quote = x ^ (kOnes * '"'), slash = x ^ (kOnes * '\\');
    const uint64_t stop = (((quote - kOnes) & ~quote) | ((slash - kOnes) & ~slash) | ((x - kOnes * 0x20) & ~x)) &
                          kHighs;
    if (stop) return i + static_cast<size_t>(__builtin_ctzll(stop)) / 8;
  }
  while (i < n && !JsonMustEscape(static_cast<unsigned char>(p[i]))) ++i;
  return i;
}
inline char* WriteJsonEscape(unsigned char c, char* w) {
  *w++ = '\\';
  switch (c) {
    case '"': *w++ = '"'; break;
    case '\\': *w++ = '\\'; break;
    case '\n': *w++ = 'n'; break;
    case '\r': *w++ = 'r'; break;
    case '\t': *w++ = 't'; break;
    default:
      *w++ = 'u';
      *w++ = '0';
      *w++ = '0';
      *w++ = "0123456789abcdef"[c >> 4];
      *w++ = "0123456789abcdef"[c & 15];
  }
  return w;
}

}  // namespace wharf::staging
