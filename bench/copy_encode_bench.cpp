// Full-load row encoding microbenchmark: what a full-load copy worker does on
// the CPU per COPY text line, before the write and the checksum.
//
//   parsed: pg::ParseCopyTextRow into a core::Change row (a std::string per
//           value), then staging::EncodeJsonLine / EncodeCsvRecord -- the path
//           before staging/copy_transcode.hpp, and still Parquet's
//   fused:  staging::JsonCopyEncoder / CsvCopyEncoder: each field read in place
//           and written once, the header and column names formatted once
//
// over 4096 rows shaped like bench/full_load_bench.sh's table (bigint pk, int,
// text 20-40, numeric(12,2), timestamptz, boolean, date, varchar(30); ~10 %
// NULLs in the last two), one thread, no I/O. Prints µs per row of each path
// and the ratio parsed / fused.
//
// Run: build/bench/wharf_copy_encode_bench [Google Benchmark flags]
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "rate_reporter.hpp"
#include "core/change.hpp"
#include "core/relation.hpp"
#include "pg/copy_text.hpp"
#include "staging/copy_transcode.hpp"
#include "staging/csv.hpp"
#include "staging/jsonl.hpp"

namespace {

using wharf::core::Change;

wharf::core::RelationSchema ItemsSchema() {
  wharf::core::RelationSchema s;
  s.oid = 16384;
  s.table = {"public", "items"};
  s.columns = {{"id", 20, -1, true},        {"qty", 23, -1, false},  {"name", 25, -1, false},
               {"price", 1700, -1, false},  {"created_at", 1184, -1, false},
               {"active", 16, -1, false},   {"day", 1082, -1, false}, {"code", 1043, -1, false}};
  return s;
}

// COPY text lines as PostgreSQL sends them for the full-load bench's rows.
const std::vector<std::string>& Lines() {
  static const std::vector<std::string> lines = [] {
    std::vector<std::string> out;
    const char* hex = "0123456789abcdef";
    for (uint64_t g = 1; g <= 4096; ++g) {
      uint64_t h = g * 0x9E3779B97F4A7C15ull;
      std::string name = "item ";
      for (uint64_t k = 0; k < 15 + g % 21; ++k) name += hex[(h >> (4 * (k % 16))) & 15];
      uint64_t cents = g * 7907 % 100000000;
      char ts[64];
      std::snprintf(ts, sizeof ts, "2024-01-%02llu %02llu:%02llu:%02llu.%03llu+00",
                    static_cast<unsigned long long>(1 + g / 86400 % 28),
                    static_cast<unsigned long long>(g / 3600 % 24),
                    static_cast<unsigned long long>(g / 60 % 60), static_cast<unsigned long long>(g % 60),
                    static_cast<unsigned long long>(g % 1000));
      char day[16];
      std::snprintf(day, sizeof day, "20%02llu-%02llu-%02llu", static_cast<unsigned long long>(20 + g % 6),
                    static_cast<unsigned long long>(1 + g % 12), static_cast<unsigned long long>(1 + g % 28));
      char code[16];
      std::snprintf(code, sizeof code, "C-%llx", static_cast<unsigned long long>(g * 2654435761ull % 4294967296ull));
      std::string line = std::to_string(g) + '\t' + std::to_string(g * 7919 % 100000) + '\t' + name + '\t' +
                         std::to_string(cents / 100) + '.' + (cents % 100 < 10 ? "0" : "") +
                         std::to_string(cents % 100) + '\t' + ts + '\t' + (g % 3 ? "t" : "f") + '\t' +
                         (g % 10 == 0 ? "\\N" : day) + '\t' + (g % 7 == 0 ? "\\N" : code) + '\n';
      out.push_back(std::move(line));
    }
    return out;
  }();
  return lines;
}

Change Header() {
  Change c;
  c.op = wharf::core::Op::kSnapshot;
  c.lsn = wharf::Lsn(0x16B374D848ull);
  c.end_lsn = c.lsn;
  c.ts = 1795715288123456;
  return c;
}

template <class Encode>
void Loop(benchmark::State& state, Encode&& encode) {
  const auto& lines = Lines();
  Change header = Header();
  std::string out;
  size_t bytes = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < lines.size(); ++i) {
      header.seq = static_cast<uint32_t>(i);
      out.clear();
      encode(header, lines[i], out);
      bytes += out.size();
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * lines.size()));
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

// The path before AddCopyText: each line parsed into a change, then encoded.
template <typename Encode>
void Parsed(benchmark::State& state, Encode encode) {
  const auto schema = ItemsSchema();
  Change row;
  Loop(state, [&](const Change& h, const std::string& line, std::string& out) {
    row.seq = h.seq;
    row.op = h.op, row.lsn = h.lsn, row.end_lsn = h.end_lsn, row.ts = h.ts;
    wharf::pg::ParseCopyTextRow(line, row.row, schema.columns.size());
    encode(schema, row, out);
  });
}

void BM_JsonParsed(benchmark::State& state) { Parsed(state, wharf::staging::EncodeJsonLine); }
BENCHMARK(BM_JsonParsed);

// AddCopyText's path: each line transcoded straight to the format.
template <typename Encoder>
void Fused(benchmark::State& state) {
  Encoder enc(ItemsSchema());
  Loop(state, [&](const Change& h, const std::string& line, std::string& out) { enc.Encode(h, line, out); });
}

void BM_JsonFused(benchmark::State& state) { Fused<wharf::staging::JsonCopyEncoder>(state); }
BENCHMARK(BM_JsonFused);

void BM_CsvParsed(benchmark::State& state) { Parsed(state, wharf::staging::EncodeCsvRecord); }
BENCHMARK(BM_CsvParsed);

void BM_CsvFused(benchmark::State& state) { Fused<wharf::staging::CsvCopyEncoder>(state); }
BENCHMARK(BM_CsvFused);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  size_t bytes = 0;
  for (const auto& l : Lines()) bytes += l.size();
  std::printf("configuration: %zu COPY text lines of the full-load bench's 8 columns, %.1f bytes a line; "
              "1 thread, no I/O\n",
              Lines().size(), static_cast<double>(bytes) / static_cast<double>(Lines().size()));
  wharf::bench::RateReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  std::printf("\n");
  for (const char* format : {"Json", "Csv"}) {
    double parsed = reporter.Rate(std::string("BM_") + format + "Parsed");
    double fused = reporter.Rate(std::string("BM_") + format + "Fused");
    if (parsed <= 0 || fused <= 0) continue;
    std::printf("%-4s parsed %.3f us/row, fused %.3f us/row, ratio parsed / fused %.2f\n", format,
                1e6 / parsed, 1e6 / fused, fused / parsed);
  }
  benchmark::Shutdown();
  return 0;
}
