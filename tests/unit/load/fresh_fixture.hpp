#pragma once
// Shared by the tests of the in-memory hand-off of fresh full-load rows
// (fresh_handoff_test: offered whole; fresh_stream_test: streamed while
// written): a table, COPY text lines for it, and staging and loading them
// against a real embedded DuckDB.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/change.hpp"
#include "core/relation.hpp"
#include "load/duckdb/duckdb_warehouse.hpp"
#include "staging/batch_writer.hpp"
#include "staging/fresh_cache.hpp"
#include "staging/local_store.hpp"
#include "unit/support/temp_dir.hpp"

namespace wharf::test::fresh {

// public.items: id bigint key, name text, price numeric(12,2), at timestamptz, day date, b bytea.
core::RelationSchema Items();

// COPY text lines with escapes, NULLs, a rejected value now and then (a
// number out of range for numeric(12,2)), BC dates and bytea.
std::vector<std::string> Lines(size_t n);

struct Staged {
  test::TempDir dir;
  staging::LocalStore store{dir.path() / "stage"};
  staging::FreshCache cache{size_t{1} << 30};
  staging::Manifest manifest;
};

// Fresh batch options (zstd) with `cache`.
staging::BatchOptions FreshBatch(staging::FreshCache* cache);
// The snapshot row header every line is staged with (LSN 0x1000).
core::Change SnapshotHeader();
// Adds lines [from, to) of `lines` to `w` as COPY text.
void AddLines(staging::BatchWriter& w, const std::vector<std::string>& lines, size_t from, size_t to);
// Stages `lines` as one fresh batch, seq 1, and commits it.
void StageFresh(Staged& st, const std::vector<std::string>& lines, staging::FreshCache* cache);

using Rows = std::vector<std::vector<std::optional<std::string>>>;

// A DuckDB warehouse in `st`'s directory on two threads.
std::unique_ptr<load::duckdb::DuckDbWarehouse> OpenWarehouse(Staged& st, const std::string& db,
                                                             const std::string& memory_limit = "");
// public.items in order, then a row holding the number of rejects.
Rows Contents(load::duckdb::DuckDbWarehouse& w);
// Applies batch 1 with a loader given `cache` into a new warehouse `db`; its Contents.
Rows Load(Staged& st, staging::FreshCache* cache, const std::string& db, const std::string& memory_limit = "");

}  // namespace wharf::test::fresh
