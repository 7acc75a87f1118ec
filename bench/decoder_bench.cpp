// pgoutput decoder microbenchmark (issue 3: "decode > 1 million messages per
// second per core").
//
// Decodes prebuilt byte buffers of one realistic transaction, as PostgreSQL 15
// sends it with text values outside a streamed block (the same bytes for
// proto_version 1 and 2; wharf asks PostgreSQL 15 for 2):
//   Begin, Insert (8 mixed columns), Update with old key (key changed),
//   Delete (old key), Commit
// and reports items_per_second = pgoutput messages decoded per second, on one
// thread. DESIGN.md "Performance method": the program also measures a
// reference in the same run -- a bare walk over the same bytes that checks
// bounds and finds every value but builds nothing -- and prints
//   decoder / 1M msg/s target   (the goal)
//   decoder / bare walk         (what the typed-message layer costs)
// A third, informational benchmark adds what capture does next with each row
// message on the CPU (copy values into a core::Change, encode the JSON line),
// without any I/O or compression.
//
// Run: build/bench/wharf_decoder_bench [Google Benchmark flags, e.g.
//      --benchmark_min_time=2 --benchmark_repetitions=3]
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>

#include <unistd.h>
#include <vector>

#include "capture/pgoutput_decoder.hpp"
#include "rate_reporter.hpp"
#include "core/change.hpp"
#include "core/relation.hpp"
#include "staging/jsonl.hpp"

namespace {

using wharf::capture::Message;
using wharf::capture::PgOutputDecoder;

constexpr double kTargetMessagesPerSecond = 1'000'000.0;
constexpr int kProtocol = 2;

// ---- building wire messages -------------------------------------------------

class Wire {
 public:
  explicit Wire(char type) { bytes_.push_back(static_cast<uint8_t>(type)); }
  Wire& U8(uint8_t v) {
    bytes_.push_back(v);
    return *this;
  }
  Wire& I16(int16_t v) { return Be(static_cast<uint16_t>(v), 2); }
  Wire& I32(int32_t v) { return Be(static_cast<uint32_t>(v), 4); }
  Wire& I64(int64_t v) { return Be(static_cast<uint64_t>(v), 8); }
  Wire& Str(std::string_view s) {
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    bytes_.push_back(0);
    return *this;
  }
  // TupleData: nullopt is 'n', a value is 't' Int32 len Byte[len].
  Wire& Tuple(const std::vector<const char*>& values) {
    I16(static_cast<int16_t>(values.size()));
    for (const char* v : values) {
      if (v == nullptr) {
        U8('n');
      } else {
        U8('t');
        I32(static_cast<int32_t>(std::strlen(v)));
        bytes_.insert(bytes_.end(), v, v + std::strlen(v));
      }
    }
    return *this;
  }
  std::vector<uint8_t> Take() { return std::move(bytes_); }

 private:
  template <typename T>
  Wire& Be(T v, int n) {
    for (int i = n - 1; i >= 0; --i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  std::vector<uint8_t> bytes_;
};

constexpr uint32_t kRelOid = 16390;
constexpr uint32_t kXid = 123456;
constexpr int64_t kFinalLsn = 0x16B374D848;
constexpr int64_t kPgTs = 769'000'000'000'000;  // 2024-05-15, micros since 2000-01-01

// public.orders (id bigint pk, customer_id int, status text, amount numeric(12,2),
//                created_at timestamptz, paid bool, discount numeric, note text)
wharf::core::RelationSchema OrdersSchema() {
  wharf::core::RelationSchema s;
  s.oid = kRelOid;
  s.table = {"public", "orders"};
  s.columns = {{"id", 20, -1, true},          {"customer_id", 23, -1, false},
               {"status", 25, -1, false},     {"amount", 1700, (12 << 16 | 2) + 4, false},
               {"created_at", 1184, -1, false}, {"paid", 16, -1, false},
               {"discount", 1700, -1, false}, {"note", 25, -1, false}};
  return s;
}

struct Transaction {
  std::vector<std::vector<uint8_t>> messages;  // B I U D C, or S I U D E when streamed
  size_t bytes = 0;
};

// streamed: the rows of a transaction larger than logical_decoding_work_mem,
// as one Stream Start .. Stream Stop block (row messages carry the xid).
Transaction BuildTransaction(bool streamed) {
  const char* note = "Leave the parcel at the side door, next to the blue recycling bin.";
  auto row = [&](char type) {
    Wire w(type);
    if (streamed) w.I32(kXid);
    return w;
  };
  Transaction t;
  if (streamed) t.messages.push_back(Wire('S').I32(kXid).U8(1).Take());
  else t.messages.push_back(Wire('B').I64(kFinalLsn).I64(kPgTs).I32(kXid).Take());
  t.messages.push_back(row('I')
                           .I32(kRelOid)
                           .U8('N')
                           .Tuple({"1048577", "4211", "pending", "1234.56",
                                   "2024-05-15 13:45:12.123456+00", "f", nullptr, note})
                           .Take());
  // Key changed: pgoutput sends the old key as a full-width tuple with the
  // non-key columns null, then the new row.
  t.messages.push_back(row('U')
                           .I32(kRelOid)
                           .U8('K')
                           .Tuple({"1048576", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                                   nullptr})
                           .U8('N')
                           .Tuple({"2097152", "4211", "shipped", "1234.56",
                                   "2024-05-15 13:45:12.123456+00", "t", "10.00", note})
                           .Take());
  t.messages.push_back(row('D')
                           .I32(kRelOid)
                           .U8('K')
                           .Tuple({"524288", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                                   nullptr})
                           .Take());
  if (streamed) t.messages.push_back(Wire('E').Take());
  else t.messages.push_back(Wire('C').U8(0).I64(kFinalLsn).I64(kFinalLsn + 0x38).I64(kPgTs).Take());
  for (const auto& m : t.messages) t.bytes += m.size();
  return t;
}

const Transaction& Txn() {
  static const Transaction t = BuildTransaction(false);
  return t;
}
const Transaction& StreamedTxn() {
  static const Transaction t = BuildTransaction(true);
  return t;
}

// ---- reference: a bare bounds-checked walk -----------------------------------
// Reads every field the decoder reads and touches every value's bytes (sums
// lengths and first bytes), but allocates nothing and builds no message.

struct Walk {
  const uint8_t* p;
  const uint8_t* end;
  bool ok = true;
  uint64_t acc = 0;
  bool Need(size_t n) {
    if (static_cast<size_t>(end - p) < n) ok = false;
    return ok;
  }
  uint64_t Be(int n) {
    if (!Need(static_cast<size_t>(n))) return 0;
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | p[i];
    p += n;
    return v;
  }
  void Tuple() {
    auto ncols = static_cast<int16_t>(Be(2));
    for (int i = 0; i < ncols && ok; ++i) {
      uint8_t kind = static_cast<uint8_t>(Be(1));
      if (kind == 't' || kind == 'b') {
        auto len = static_cast<int32_t>(Be(4));
        if (len < 0 || !Need(static_cast<size_t>(len))) {
          ok = false;
          return;
        }
        acc += static_cast<uint64_t>(len) + (len ? p[0] : 0);
        p += len;
      } else if (kind != 'n' && kind != 'u') {
        ok = false;
      }
    }
  }
};

uint64_t WalkMessage(const std::vector<uint8_t>& m) {
  Walk w{m.data() + 1, m.data() + m.size()};
  switch (m[0]) {
    case 'B':
      w.acc += w.Be(8) + w.Be(8) + w.Be(4);
      break;
    case 'C':
      w.acc += w.Be(1) + w.Be(8) + w.Be(8) + w.Be(8);
      break;
    case 'I':
      w.acc += w.Be(4);
      if (w.Be(1) != 'N') w.ok = false;
      w.Tuple();
      break;
    case 'U': {
      w.acc += w.Be(4);
      uint64_t marker = w.Be(1);
      if (marker == 'K' || marker == 'O') {
        w.Tuple();
        marker = w.Be(1);
      }
      if (marker != 'N') w.ok = false;
      w.Tuple();
      break;
    }
    case 'D':
      w.acc += w.Be(4);
      if (uint64_t marker = w.Be(1); marker != 'K' && marker != 'O') w.ok = false;
      w.Tuple();
      break;
    default:
      w.ok = false;
  }
  if (!w.ok || w.p != w.end) std::abort();
  return w.acc;
}

// ---- benchmarks ----------------------------------------------------------------

void BM_DecodeTransaction(benchmark::State& state) {
  const auto& txn = Txn();
  PgOutputDecoder decoder(kProtocol);
  for (auto _ : state) {
    for (const auto& m : txn.messages) {
      Message msg = decoder.Decode(m);
      benchmark::DoNotOptimize(msg);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * txn.messages.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * txn.bytes));
}
BENCHMARK(BM_DecodeTransaction);

void BM_DecodeStreamedBlock(benchmark::State& state) {
  const auto& txn = StreamedTxn();
  PgOutputDecoder decoder(kProtocol);
  for (auto _ : state) {
    for (const auto& m : txn.messages) {
      Message msg = decoder.Decode(m);
      benchmark::DoNotOptimize(msg);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * txn.messages.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * txn.bytes));
}
BENCHMARK(BM_DecodeStreamedBlock);

void BM_ReferenceBareWalk(benchmark::State& state) {
  const auto& txn = Txn();
  for (auto _ : state) {
    for (const auto& m : txn.messages) {
      benchmark::DoNotOptimize(m.data());
      uint64_t acc = WalkMessage(m);
      benchmark::DoNotOptimize(acc);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * txn.messages.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * txn.bytes));
}
BENCHMARK(BM_ReferenceBareWalk);

// One message type at a time: where the decoder spends its time.
void BM_DecodeOne(benchmark::State& state) {
  const auto& m = Txn().messages[static_cast<size_t>(state.range(0))];
  state.SetLabel(std::string(1, static_cast<char>(m[0])));
  PgOutputDecoder decoder(kProtocol);
  for (auto _ : state) {
    Message msg = decoder.Decode(m);
    benchmark::DoNotOptimize(msg);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_DecodeOne)->DenseRange(0, 4);

// Informational: decode + what capture.cpp does per row on the CPU (copy each
// value into a std::string Datum, then staging::EncodeJsonLine). No I/O, no
// compression, no checksum.
void BM_DecodeAndEncodeJsonl(benchmark::State& state) {
  using wharf::capture::TupleValue;
  const auto& txn = Txn();
  const auto schema = OrdersSchema();
  PgOutputDecoder decoder(kProtocol);
  wharf::core::Change change;
  std::string line;
  auto fill = [](const wharf::capture::Tuple& t, std::vector<wharf::core::Datum>& out) {
    out.resize(t.size());
    for (size_t i = 0; i < t.size(); ++i) {
      if (t[i].kind == TupleValue::Kind::kNull) out[i].reset();
      else out[i] = std::string(t[i].data);
    }
  };
  for (auto _ : state) {
    for (const auto& m : txn.messages) {
      Message msg = decoder.Decode(m);
      bool row = true;
      if (auto* b = std::get_if<wharf::capture::BeginMsg>(&msg)) {
        change.lsn = b->final_lsn;
        change.xid = b->xid;
        change.ts = b->commit_ts;
        change.seq = 0;
        row = false;
      } else if (auto* ins = std::get_if<wharf::capture::InsertMsg>(&msg)) {
        change.op = wharf::core::Op::kInsert;
        change.has_old = false;
        change.old.clear();
        fill(ins->new_tuple, change.row);
      } else if (auto* up = std::get_if<wharf::capture::UpdateMsg>(&msg)) {
        change.op = wharf::core::Op::kUpdate;
        fill(up->new_tuple, change.row);
        change.has_old = up->old_kind != 0;
        change.old_kind = 'K';
        fill(up->old_tuple, change.old);
      } else if (auto* del = std::get_if<wharf::capture::DeleteMsg>(&msg)) {
        change.op = wharf::core::Op::kDelete;
        change.row.clear();
        change.has_old = true;
        change.old_kind = 'K';
        fill(del->old_tuple, change.old);
      } else {
        row = false;
      }
      if (row) {
        change.seq++;
        line.clear();
        wharf::staging::EncodeJsonLine(schema, change, line);
        benchmark::DoNotOptimize(line.data());
      }
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * txn.messages.size()));
}
BENCHMARK(BM_DecodeAndEncodeJsonl);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  const auto& txn = Txn();
  std::printf("configuration: pgoutput proto_version %d, text values, 1 thread; transaction of %zu "
              "messages (B, I 8 cols, U old key + 8 cols, D old key, C) = %zu bytes; "
              "hardware threads %u\n",
              kProtocol, txn.messages.size(), txn.bytes, std::thread::hardware_concurrency());

  // Colour only on a terminal, so a saved result reads cleanly.
  wharf::bench::RateReporter reporter(isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_Defaults
                                               : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);

  double decode = reporter.Rate("BM_DecodeTransaction");
  double walk = reporter.Rate("BM_ReferenceBareWalk");
  double full = reporter.Rate("BM_DecodeAndEncodeJsonl");
  double streamed = reporter.Rate("BM_DecodeStreamedBlock");
  if (decode > 0) {
    std::printf("\ndecoder: %.2f M msg/s (one core)\n", decode / 1e6);
    std::printf("ratio decoder / target (1 M msg/s):  %.2f  %s\n", decode / kTargetMessagesPerSecond,
                decode >= kTargetMessagesPerSecond ? "(meets target)" : "(BELOW TARGET)");
    if (walk > 0) {
      std::printf("ratio decoder / bare walk (%.2f M msg/s, same run): %.2f\n", walk / 1e6,
                  decode / walk);
    }
    if (streamed > 0) {
      std::printf("streamed block (S I U D E, xid in row messages): %.2f M msg/s, ratio to target "
                  "%.2f\n", streamed / 1e6, streamed / kTargetMessagesPerSecond);
    }
    if (full > 0) {
      std::printf("decode + Datum copy + JSON line: %.2f M msg/s (ratio to target %.2f)\n",
                  full / 1e6, full / kTargetMessagesPerSecond);
    }
  }
  benchmark::Shutdown();
  return 0;
}
