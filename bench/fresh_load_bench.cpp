// Where a first full load's time goes on wharf's side, per row, without
// PostgreSQL: the full-load benchmark's rows (bench/full_load_bench.sh: bigint
// key, int, text of 20 to 40 characters, numeric(12,2), timestamptz, boolean,
// date, varchar(30); ~10 % NULLs in the last two) generated in memory as the
// COPY text PostgreSQL would send, then each stage timed on its own:
//
//   stage      COPY text -> JSON lines -> compressed staged file (local disk), as
//              a first full load stages them (AddCopyText, zstd's bulk level)
//   read       the staged file back: read, decompress, checksum (reference)
//   decode     + JSON lines decoded into changes (one cursor)
//   convert    + values converted into DuckDB vectors (ChunkFiller, no DuckDB)
//   append 1   + appended to a DuckDB table on one thread (the appender path)
//   append N   the same through the parallel INSERT (wharf_fresh_rows), wall and CPU
//   mem split  the rows `wharf run` hands over in memory instead (staging::FreshCache):
//              COPY text lines split into values (FreshTextRows, one cursor)
//   mem conv   + values converted into DuckDB vectors
//   mem app N  + appended through the parallel INSERT: the load side of `wharf run`
//   duckdb     reference: DuckDB's own INSERT ... SELECT of the same rows from a
//              native table into a new one (its floor for insert and compression)
//
// Prints CPU µs per row of each (process CPU, all threads) and the load side's
// ratio to DuckDB's floor. Run: build/bench/wharf_fresh_load_bench [rows]
// [none|gzip|zstd] [memory_limit]  (defaults 1000000 zstd "").
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/change.hpp"
#include "core/pg_types.hpp"
#include "load/duckdb/duckdb_chunk.hpp"
#include "load/duckdb/duckdb_warehouse.hpp"
#include "load/fresh_rows.hpp"
#include "staging/batch_writer.hpp"
#include "staging/codec.hpp"
#include "staging/local_store.hpp"
#include "staging/parallel_reader.hpp"

namespace {

using namespace wharf;

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}
double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Timer {
  double cpu0 = CpuSeconds(), wall0 = WallSeconds();
  double cpu() const { return CpuSeconds() - cpu0; }
  double wall() const { return WallSeconds() - wall0; }
};

core::RelationSchema Items() {
  namespace oid = core::oid;
  core::RelationSchema s;
  s.oid = 16400;
  s.table = {"public", "items"};
  s.columns = {{"id", oid::kInt8, -1, true},         {"qty", oid::kInt4, -1, false},
               {"name", oid::kText, -1, false},       {"price", oid::kNumeric, ((12 << 16) | 2) + 4, false},
               {"created_at", oid::kTimestampTz, -1, false}, {"active", oid::kBool, -1, false},
               {"day", oid::kDate, -1, false},        {"code", oid::kVarchar, 30 + 4, false}};
  for (size_t i = 0; i < s.columns.size(); ++i) s.columns[i].attnum = static_cast<int32_t>(i + 1);
  return s;
}

// One row as PostgreSQL's COPY text sends it (the bench table's formulas).
std::string CopyLine(uint64_t g) {
  char buf[256];
  uint64_t h = g * 0x9E3779B97F4A7C15ull;
  int n = std::snprintf(buf, sizeof buf, "%llu\t%llu\titem %016llx%.*s\t%llu.%02llu\t2024-01-01 %02llu:%02llu:%02llu.%03llu+00\t%s\t",
                        (unsigned long long)g, (unsigned long long)(g * 7919 % 100000), (unsigned long long)h,
                        int(g % 20), "abcdefghijklmnopqrstuvwxyz", (unsigned long long)(g * 7919 % 100000 / 100),
                        (unsigned long long)(g % 100), (unsigned long long)(g / 3600 % 24),
                        (unsigned long long)(g / 60 % 60), (unsigned long long)(g % 60),
                        (unsigned long long)(g % 1000), g % 3 ? "t" : "f");
  std::string line(buf, size_t(n));
  line += g % 10 == 0 ? "\\N" : "2020-01-" + std::to_string(10 + g % 18);
  line += '\t';
  line += g % 10 == 1 ? "\\N" : "C-" + std::to_string(h % 100000000);
  return line;
}

void Print(const char* what, double cpu, double wall, uint64_t rows, const char* note = "") {
  std::printf("  %-10s %7.3f us/row CPU  %7.3f us/row wall  %s\n", what, cpu * 1e6 / double(rows),
              wall * 1e6 / double(rows), note);
}

}  // namespace

int main(int argc, char** argv) {
  const uint64_t rows = argc > 1 ? std::stoull(argv[1]) : 1000000;
  const std::string compression = argc > 2 ? argv[2] : "zstd";
  const std::string memory_limit = argc > 3 ? argv[3] : "";
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("wharf_fresh_bench_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto schema = Items();
  std::vector<std::string> lines;
  lines.reserve(rows);
  for (uint64_t g = 1; g <= rows; ++g) lines.push_back(CopyLine(g));
  std::printf("fresh load stages, %llu rows of the full-load table, compression %s, memory_limit '%s'\n",
              (unsigned long long)rows, compression.c_str(), memory_limit.c_str());

  // stage
  staging::LocalStore store(dir / "stage");
  staging::BatchOptions options;
  options.compression = staging::ParseCompression(compression);
  options.fresh = true;  // a first full load's batch
  staging::Manifest manifest;
  {
    Timer t;
    staging::BatchWriter batch(store, "bench", 1, options);
    core::Change c;
    c.op = core::Op::kSnapshot;
    c.lsn = Lsn(1000);
    c.end_lsn = Lsn(1000);
    c.ts = 1764000000000000;
    for (uint64_t i = 0; i < rows; ++i) {
      c.seq = static_cast<uint32_t>(i);
      batch.AddCopyText(schema, c, lines[i]);  // as the full load's copy workers do
    }
    manifest = batch.Commit(Lsn(), Lsn(), Lsn(1000), 0);
    Print("stage", t.cpu(), t.wall(), rows);
  }
  const staging::ManifestFile& f = manifest.files.at(0);
  std::printf("  staged file: %.1f MB\n", double(f.bytes) / 1e6);
  std::vector<char> buf(1 << 20);

  double ref_cpu;
  {
    Timer t;
    auto hashing = std::make_unique<staging::HashingReader>(store.OpenReader(f.path),
                                                            staging::ChecksumAlgoOf(f.checksum, "f"));
    auto tally = hashing->tally();
    staging::DecodingReader r(std::move(hashing), options.compression, "f");
    while (r.Read(buf.data(), buf.size())) {
    }
    (void)tally->sum.Finish();
    ref_cpu = t.cpu();
    Print("read", t.cpu(), t.wall(), rows, "(read, decompress, checksum)");
  }
  {
    Timer t;
    auto reader = staging::OpenParallelChangeReader(f, store.OpenReader(f.path), "f");
    auto cursor = reader->OpenCursor();
    core::Change c;
    while (cursor->Next(c)) {
    }
    reader->Finish();
    Print("decode", t.cpu(), t.wall(), rows);
  }
  const auto types = [&] {
    std::vector<core::LogicalType> out;
    for (const auto& c : schema.columns) out.push_back(core::MapColumnType(c, {}));
    return out;
  }();
  // Every row of `rows` converted into DuckDB chunks on this thread.
  auto convert = [&](load::FreshRows& fresh) {
    auto cursor = fresh.OpenCursor();
    auto logical = load::duckdb::ChunkTypes(types);
    duckdb_data_chunk chunk = duckdb_create_data_chunk(logical.data(), logical.size());
    for (auto& l : logical) duckdb_destroy_logical_type(&l);
    load::duckdb::ChunkFiller filler(types);
    filler.Bind(chunk);
    std::vector<core::DatumView> row;  // as the parallel INSERT reads them
    uint64_t n = 0;
    while (cursor->NextViews(row)) {
      filler.SetRow(n, row, [](size_t, const std::string&) {});
      if (++n == duckdb_vector_size()) {
        duckdb_data_chunk_reset(chunk);
        filler.Bind(chunk);
        n = 0;
      }
    }
    duckdb_destroy_data_chunk(&chunk);
  };
  {
    Timer t;
    auto reader = staging::OpenParallelChangeReader(f, store.OpenReader(f.path), "f");
    load::FreshFileRows fresh(*reader, f.rows, Lsn(1000), "f");
    convert(fresh);
    Print("convert", t.cpu(), t.wall(), rows);
  }
  struct Limited : load::FreshRows {
    load::FreshRows& inner;
    size_t par;
    Limited(load::FreshRows& i, size_t p) : inner(i), par(p) {}
    std::unique_ptr<Cursor> OpenCursor() override { return inner.OpenCursor(); }
    size_t parallelism() const override { return par; }
    uint64_t rows() const override { return inner.rows(); }
  };
  // Appends `fresh` to a new warehouse's table; returns process CPU seconds.
  auto append = [&](load::FreshRows& fresh, size_t parallelism, const char* what) {
    core::TargetConfig target;
    target.memory_limit = memory_limit;
    fs::remove(dir / "w.duckdb");
    auto w = std::make_unique<load::duckdb::DuckDbWarehouse>((dir / "w.duckdb").string(), target);
    Timer t;
    Limited limited(fresh, parallelism);
    w->BeginBatch("bench", 1);
    w->AppendRows({"public", "items"}, schema, Lsn(1000), limited);
    w->CommitBatch(Lsn(1000), Lsn(1001));
    Print(what, t.cpu(), t.wall(), rows);
    return std::make_pair(t.cpu(), std::move(w));
  };
  double parallel_cpu = 0;
  for (size_t parallelism : {size_t{1}, size_t{64}}) {
    auto reader = staging::OpenParallelChangeReader(f, store.OpenReader(f.path), "f");
    load::FreshFileRows fresh(*reader, f.rows, Lsn(1000), "f");
    auto [cpu, w] = append(fresh, parallelism, parallelism == 1 ? "append 1" : "append N");
    if (parallelism > 1) {
      parallel_cpu = cpu;
      // DuckDB's floor: the same rows, already typed, into a new table.
      w->connection().Query("CREATE TABLE public.copy AS SELECT * FROM public.items LIMIT 0");
      w->connection().Query("CHECKPOINT");
      Timer d;
      w->connection().Query("INSERT INTO public.copy SELECT * FROM public.items");
      Print("duckdb", d.cpu(), d.wall(), rows, "(reference: INSERT ... SELECT of typed rows)");
      std::printf("  load side (append N) / DuckDB floor, CPU: %.2f; read share %.2f\n", parallel_cpu / d.cpu(),
                  ref_cpu / parallel_cpu);
    }
  }

  // The same rows as `wharf run` hands them over: COPY text kept in memory.
  staging::FreshText text;
  for (const auto& l : lines) text.Add(l);
  text.Seal();
  {
    Timer t;
    load::FreshTextRows fresh(text, schema.columns.size(), "memory");
    auto cursor = fresh.OpenCursor();
    std::vector<core::DatumView> row;
    while (cursor->NextViews(row)) {
    }
    Print("mem split", t.cpu(), t.wall(), rows);
  }
  {
    Timer t;
    load::FreshTextRows fresh(text, schema.columns.size(), "memory");
    convert(fresh);
    Print("mem conv", t.cpu(), t.wall(), rows);
  }
  {
    load::FreshTextRows fresh(text, schema.columns.size(), "memory");
    auto [cpu, w] = append(fresh, 64, "mem app N");
    std::printf("  load side from memory / from the file, CPU: %.2f\n", cpu / parallel_cpu);
  }
  fs::remove_all(dir);
  return 0;
}
