#pragma once
// CSV encoding of staged changes, in AWS DMS's layout (DESIGN.md "Staged batches"):
//
//   Op,_wharf_commit_ts,<table columns...>,_wharf_lsn,_wharf_end_lsn,_wharf_seq,_wharf_xid,_wharf_old,_wharf_unchanged
//   U,2026-11-26 10:00:00.123456,1,"a, ""quoted"" note",\N,4711,4800,3,789,"{""id"":""0""}",\N
//
// - A header line naming the columns comes first (DMS's AddColumnName=true):
//   the reader checks it against the manifest's schema, and read_csv finds names.
// - Op: I insert, U update, D delete, T truncate, R snapshot row. Commit time
//   UTC with microseconds, as DMS writes it.
// - Table columns hold PostgreSQL's text form, as the JSON lines do; for I/U/R
//   the new row (an unchanged TOAST column is \N and listed in _wharf_unchanged),
//   for D the old key or old row (as DMS does), for T nothing (all \N).
// - _wharf_old / _wharf_unchanged: the JSON lines' `old` object and `unchanged`
//   array (column names), \N when not sent. _wharf_end_lsn is 0 when unknown.
// - RFC 4180 quoting: a field holding , " CR or LF is quoted with "" for ".
//   SQL NULL is the unquoted marker \N; the empty string is written "" and a
//   value equal to \N is always quoted, so the three never meet.
// - Records end with LF (as DMS writes); the reader also accepts CRLF.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/change.hpp"
#include "core/relation.hpp"
#include "staging/object_store.hpp"

namespace wharf::staging {

inline constexpr std::string_view kCsvNull = "\\N";

// The header's field names, in order.
std::vector<std::string> CsvHeader(const core::RelationSchema& schema);
void EncodeCsvHeader(const core::RelationSchema& schema, std::string& out);
// Appends one record (with '\n') for `change` to `out`.
void EncodeCsvRecord(const core::RelationSchema& schema, const core::Change& change, std::string& out);

// A record's parts, split where a file's snapshot rows differ (the table
// columns and seq) so they can be formatted once (staging/copy_transcode.hpp):
// EncodeCsvRecord writes head, one ',' + field per column, tail before seq,
// seq, tail after seq (which ends the record with '\n').
void AppendCsvHead(const core::Change& change, std::string& out);  // Op,commit time
void AppendCsvTailBeforeSeq(const core::Change& change, std::string& out);
void AppendCsvTailAfterSeq(const core::RelationSchema& schema, const core::Change& change,
                           std::string& out);
// One field, quoted when it must be (see above); NULL is kCsvNull.
void AppendCsvField(std::string_view value, std::string& out);

// "2026-11-26 10:00:00.123456" (UTC) and back.
std::string FormatCsvTimestamp(int64_t unix_micros);
bool ParseCsvTimestamp(std::string_view text, int64_t& unix_micros);

// Decodes a CSV stream written with `schema`, one change at a time, pulling
// `read_size` bytes at a time from `source`: memory is the read buffer plus
// the record being decoded, however many records or lines a value spans.
class CsvReader {
 public:
  // `source` must outlive the reader.
  CsvReader(const core::RelationSchema& schema, ObjectReader& source, std::string where,
            size_t read_size = 1 << 20);
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Decodes the next record into `change`; false at the end. Throws kStaging
  // naming `where` and the record on a malformed record, a header that does
  // not match the schema, or a stream ending inside a record (truncated).
  bool Next(core::Change& change);
  uint64_t records() const;  // data records decoded so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wharf::staging
