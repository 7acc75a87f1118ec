#pragma once
// Snapshot rows straight from COPY text to a staged format (DESIGN.md
// "Staged batches"). The full load copies each table with `COPY ... TO STDOUT`
// (text format); parsing every line into a core::Change row and then encoding
// that row cost two passes and a string per value. Instead, JSON lines are
// written in one pass over the line (unescaping COPY and escaping JSON byte by
// byte), CSV field by field from pg::CopyTextFields (a view of the line unless
// the field has escapes: CSV's quoting depends on the whole value), and what
// every row of a file shares (the header around seq, each column's name) is
// formatted once. The escapes are decoded by pg::DecodeCopyTextEscape, as
// ParseCopyTextRow decodes them.
//
// Output is byte-identical to pg::ParseCopyTextRow + EncodeJsonLine /
// EncodeCsvRecord, errors included (a wrong field count, a lone backslash):
// tests/unit/staging/copy_transcode_test.cpp compares the two paths.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/change.hpp"
#include "core/relation.hpp"

namespace wharf::staging {

// Whether `header` (every field of a change but its row) is a row these
// encoders write: an insert, update or snapshot row without old values or
// unchanged columns. Others go through the parsed-row path.
bool CopyTranscodable(const core::Change& header);

// Each column's `"name":` (after the first with a leading comma), JSON-escaped.
std::vector<std::string> JsonNameFragments(const core::RelationSchema& schema);

// Appends the `{...}` object EncodeJsonLine writes as a row's `row` member for
// the COPY text `line` (one trailing newline ignored). `names` come from
// JsonNameFragments. Throws kProtocol as ParseCopyTextRow does with
// expected_columns = names.size(); `out` is then as it was.
void AppendCopyTextAsJsonObject(const std::vector<std::string>& names, std::string_view line,
                                std::string& out);

// The JSON line of one row given as COPY text, with the header formatted once
// for as long as the rows share it.
class JsonCopyEncoder {
 public:
  explicit JsonCopyEncoder(const core::RelationSchema& schema);
  // Appends EncodeJsonLine(schema, header with row = the parsed line) to
  // `out`. Requires CopyTranscodable(header).
  void Encode(const core::Change& header, std::string_view line, std::string& out);

 private:
  std::vector<std::string> names_;
  bool cached_ = false;
  core::Change key_;             // the header the fragments below were formatted for
  std::string before_seq_;       // {"op":"R","lsn":..,"end_lsn":..,"seq":
  std::string after_seq_;        // ,"xid":..,"ts":"..","row":
};

// The same for a CSV record (EncodeCsvRecord).
class CsvCopyEncoder {
 public:
  explicit CsvCopyEncoder(const core::RelationSchema& schema);
  void Encode(const core::Change& header, std::string_view line, std::string& out);

 private:
  core::RelationSchema schema_;
  bool cached_ = false;
  core::Change key_;
  std::string head_;        // Op,commit time
  std::string before_seq_;  // ,lsn,end_lsn,
  std::string after_seq_;   // ,xid,\N,\N\n
};

}  // namespace wharf::staging
