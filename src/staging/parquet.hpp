#pragma once
// Parquet staged files: the CSV layout's columns (staging/csv.hpp), typed,
// written and read through an in-memory embedded DuckDB.
//
//   Op VARCHAR, _wharf_commit_ts TIMESTAMP (UTC), <table columns>,
//   _wharf_lsn UBIGINT, _wharf_end_lsn UBIGINT, _wharf_seq UINTEGER, _wharf_xid UINTEGER,
//   _wharf_old VARCHAR (JSON), _wharf_unchanged VARCHAR (JSON),
//   _wharf_text STRUCT(i INTEGER, v VARCHAR)[]
//
// A table column is typed when its type has a faithful Parquet type (ParquetColumnType):
// booleans, integers, floats, numeric(p,s) with p <= 38, date, time, timestamp(tz), uuid,
// bytea; every other type stays VARCHAR holding PostgreSQL's text. A typed cell holds a value
// only when formatting it back gives exactly the PostgreSQL text it came from; otherwise
// (numeric NaN, a BC date, a float PostgreSQL prints differently, ...) the cell is NULL and
// the text is kept in _wharf_text as {i: column position, v: text}. Nothing is lost, and a
// typed cell never shows a wrong value. The reader turns every cell back into the same text.
//
// The staging compression setting becomes Parquet's codec (zstd, gzip, uncompressed); the
// file is not compressed again. The store may be remote, so both sides go through a local
// temporary file.
#include <memory>
#include <optional>
#include <string>

#include "core/relation.hpp"
#include "staging/format.hpp"

namespace wharf::staging {

// The DuckDB/Parquet type of a column, or nullopt when it stays VARCHAR.
std::optional<std::string> ParquetColumnType(const core::Column& column);

std::unique_ptr<FileEncoder> OpenParquetEncoder(Compression compression,
                                                const core::RelationSchema& schema,
                                                std::unique_ptr<ObjectWriter> out);

std::unique_ptr<ChangeReader> OpenParquetReader(const ManifestFile& file,
                                                std::unique_ptr<ObjectReader> stored,
                                                std::string where);

}  // namespace wharf::staging
