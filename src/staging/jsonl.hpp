#pragma once
// JSON-lines encoding of staged changes (DESIGN.md "Staged batches"):
//   {"op":"U","lsn":123,"end_lsn":456,"seq":3,"xid":789,"ts":"2026-11-26T17:48:08.123456Z",
//    "row":{"id":"1","note":null},"old":{"id":"0"},"unchanged":["body"]}
// Every non-null value is a JSON string holding PostgreSQL's text form; SQL
// NULL is JSON null. `row` is absent for D and T, `old` when not sent,
// `unchanged` when empty.
#include <string>
#include <string_view>
#include <vector>

#include "core/change.hpp"
#include "core/relation.hpp"

namespace wharf::staging {

// Appends one line (with '\n') for `change` to `out`.
void EncodeJsonLine(const core::RelationSchema& schema, const core::Change& change, std::string& out);

// Decodes a whole JSON-lines file written with `schema`. Throws kStaging
// naming `where` and the line number on a malformed line.
std::vector<core::Change> DecodeJsonLines(const core::RelationSchema& schema, std::string_view text,
                                          const std::string& where);

std::string FormatUtcMicros(int64_t unix_micros);  // 2026-11-26T17:48:08.123456Z
bool ParseUtcMicros(std::string_view text, int64_t& unix_micros);

void AppendJsonString(std::string_view s, std::string& out);

}  // namespace wharf::staging
