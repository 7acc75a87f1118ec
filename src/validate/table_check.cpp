#include "validate/table_check.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "core/error.hpp"
#include "load/load_mode.hpp"
#include "load/schema_diff.hpp"
#include "validate/parallel.hpp"

namespace wharf::validate {
namespace {

using Clock = std::chrono::steady_clock;

// Pages sampled for chunk boundaries: enough keys for even chunks, few
// enough to read in a moment whatever the table's size.
constexpr uint64_t kSamplePages = 500;
// Below this many pages per session, splitting a table's pages costs more than it saves.
constexpr uint64_t kMinPagesPerSession = 2000;
constexpr int kMaxRechecks = 4;

ChunkSums ParseSums(const std::vector<TextRow>& rows) {
  ChunkSums out;
  for (const auto& r : rows) {
    auto& s = out[std::stoull(r[0].value_or("0"))];
    s.rows += std::stoull(r[1].value_or("0"));
    s.hash_sum += ParseSum(r[2].value_or("0"));
  }
  return out;
}

std::vector<TextRow> Rows(pg::Connection& conn, const std::string& sql) {
  auto r = conn.Exec(sql);
  std::vector<TextRow> out(static_cast<size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i)
    for (int c = 0; c < r.columns(); ++c) out[static_cast<size_t>(i)].push_back(r.GetOpt(i, c));
  return out;
}

std::vector<KeyHash> ParseKeyHashes(const std::vector<TextRow>& rows, size_t key_size) {
  std::vector<KeyHash> out;
  out.reserve(rows.size());
  for (const auto& r : rows) {
    KeyHash k;
    for (size_t i = 0; i < key_size; ++i) k.key.push_back(r[i].value_or("N"));
    k.hash = std::stoll(r[key_size].value_or("0"));
    if (r.size() > key_size + 1 && r[key_size + 1]) k.lsn = std::stoull(*r[key_size + 1]);
    out.push_back(std::move(k));
  }
  return out;
}

std::vector<RowCount> ParseRowCounts(const std::vector<TextRow>& rows) {
  std::vector<RowCount> out;
  for (const auto& r : rows) {
    RowCount c;
    c.hash = std::stoll(r[0].value_or("0"));
    c.count = std::stoull(r[1].value_or("0"));
    for (size_t i = 2; i < r.size(); ++i) c.values.push_back(r[i].value_or("NULL"));
    out.push_back(std::move(c));
  }
  return out;
}

uint64_t TotalRows(const ChunkSums& sums) {
  uint64_t n = 0;
  for (const auto& [chunk, s] : sums) n += s.rows;
  return n;
}

}  // namespace

std::vector<std::string> TableCheck::WarehouseColumns(const core::TableName& target) {
  std::vector<std::string> out;
  for (const auto& r : warehouse_.Query(
           "SELECT column_name FROM information_schema.columns WHERE table_schema = " +
           warehouse_.QuoteLiteral(target.schema) + " AND table_name = " + warehouse_.QuoteLiteral(target.name) +
           " ORDER BY ordinal_position"))
    out.push_back(r[0].value_or(""));
  return out;
}

TableCheck::Plan TableCheck::MakePlan(SourceSnapshot& snapshot, TableShape shape, const pg::TableInfo& table) {
  Plan plan;
  plan.shape = std::move(shape);
  auto& conn = snapshot.main();
  plan.pages = std::stoull(std::string(conn.Exec(PagesSql(plan.shape, table.oid)).Get(0, 0)));
  const double percent =
      plan.pages <= kSamplePages ? 100.0 : 100.0 * static_cast<double>(kSamplePages) / static_cast<double>(plan.pages);
  plan.split = table.relkind == 'r' && conn.ServerVersion() >= 140000 && snapshot.sessions().size() > 1 &&
               plan.pages >= kMinPagesPerSession * snapshot.sessions().size();
  if (plan.shape.keyless()) {
    const double sampled = std::stod(std::string(conn.Exec(SampleCountSql(plan.shape, percent)).Get(0, 0)));
    plan.buckets = BucketCount(sampled * 100.0 / percent, options_.chunk_rows, options_.max_chunks);
    return plan;
  }
  auto key = ChunkKey(plan.shape);
  std::vector<KeyValue> sample;
  for (auto& row : Rows(conn, KeySampleSql(plan.shape, key, percent))) {
    KeyValue v;
    for (auto& part : row) v.push_back(part.value_or(""));
    sample.push_back(std::move(v));
  }
  const double fraction = percent / 100.0;
  const auto kind = key.size() == 1 && key[0].native ? key[0].type.kind : core::LogicalKind::kText;
  if (kind == core::LogicalKind::kInt16 || kind == core::LogicalKind::kInt32 || kind == core::LogicalKind::kInt64) {
    const size_t chunks = ChunkCount(sample.size(), fraction, options_.chunk_rows, options_.max_chunks);
    // A whole table's sample is exact; a sample of pages tells runs of ~32 pages apart.
    const size_t groups = fraction >= 1 ? chunks : static_cast<size_t>(static_cast<double>(plan.pages) * fraction / 32);
    if (auto grid = EvenGrid(sample, chunks, groups)) {
      plan.chunks.emplace(std::move(key), *grid, warehouse_.dialect());
      return plan;
    }
  }
  auto boundaries = PickBoundaries(sample, fraction, options_.chunk_rows, options_.max_chunks);
  plan.chunks.emplace(std::move(key), std::move(boundaries), warehouse_.dialect());
  return plan;
}

ChunkSums TableCheck::SourceSums(SourceSnapshot& snapshot, const Plan& plan) {
  const std::string chunk_of_row = plan.chunks ? plan.chunks->ChunkIdSql(true) : "";
  auto& sessions = snapshot.sessions();
  const size_t n = plan.split ? sessions.size() : 1;
  std::vector<ChunkSums> parts(n);
  std::vector<std::function<void()>> tasks;
  for (size_t i = 0; i < n; ++i) {
    // Each session reads its share of the pages (a TID range scan); the last
    // one to the end, whatever was added since the size was read.
    const std::string where = n == 1 ? "" : CtidRangeSql(plan.pages * i / n, i + 1 == n ? 0 : plan.pages * (i + 1) / n);
    tasks.push_back([&, i, where] {
      parts[i] = ParseSums(Rows(sessions[i], ChunkSumsSql(plan.shape, true, chunk_of_row, plan.buckets, where)));
    });
  }
  RunTogether(tasks);
  ChunkSums out;
  for (const auto& p : parts) AddSums(out, p);
  return out;
}

ChunkSums TableCheck::WarehouseSums(const Plan& plan, Lsn& applied) {
  const std::string chunk_of_row = plan.chunks ? plan.chunks->ChunkIdSql(false) : "";
  warehouse_.Begin();
  try {
    applied = ReadApplied(warehouse_, source_.name).end_lsn;
    auto sums = ParseSums(warehouse_.Query(ChunkSumsSql(plan.shape, false, chunk_of_row, plan.buckets, "")));
    warehouse_.Commit();
    return sums;
  } catch (...) {
    try {
      warehouse_.Commit();
    } catch (...) {
    }
    throw;
  }
}

std::vector<TableCheck::Found> TableCheck::Drill(const Plan& plan, pg::Connection& source, Lsn snapshot,
                                                 const std::vector<size_t>& chunks, TableResult& result) {
  std::vector<Found> found;
  for (size_t c : chunks) {
    ++result.chunks_drilled;
    if (plan.chunks) {
      DrillKeys(plan, source, snapshot, c, result, found);
      continue;
    }
    auto src = ParseRowCounts(Rows(source, BucketRowsSql(plan.shape, true, c, plan.buckets)));
    auto wh = ParseRowCounts(warehouse_.Query(BucketRowsSql(plan.shape, false, c, plan.buckets)));
    result.keys_compared += src.size();
    for (auto& d : DiffMultiset(src, wh)) found.push_back({std::move(d), c, {}});
  }
  return found;
}

void TableCheck::DrillKeys(const Plan& plan, pg::Connection& source, Lsn snapshot, size_t chunk,
                           TableResult& result, std::vector<Found>& found) {
  const size_t key_size = plan.shape.key.size();
  auto src = ParseKeyHashes(Rows(source, KeyHashesSql(plan.shape, true, plan.chunks->ChunkWhereSql(chunk, true))),
                            key_size);
  auto wh = ParseKeyHashes(
      warehouse_.Query(KeyHashesSql(plan.shape, false, plan.chunks->ChunkWhereSql(chunk, false))), key_size);
  result.keys_compared += src.size();
  std::map<std::string, std::vector<std::string>> parts;  // a key's text -> its canonical parts
  for (const auto* side : {&src, &wh})
    for (const auto& k : *side) parts.emplace(KeyText(k.key), k.key);
  const size_t from = found.size();
  for (auto& d : DiffKeys(src, wh, snapshot).differences) {
    auto key = parts[d.key];
    found.push_back({std::move(d), chunk, std::move(key)});
  }
  FillColumns(plan, source, chunk, found, from);
}

void TableCheck::FillColumns(const Plan& plan, pg::Connection& source, size_t chunk, std::vector<Found>& found,
                             size_t from) {
  std::vector<std::vector<std::string>> keys;
  for (size_t i = from; i < found.size() && keys.size() < options_.sample_limit; ++i)
    if (found[i].difference.kind == DiffKind::kDifferent) keys.push_back(found[i].key);
  if (keys.empty()) return;
  const size_t key_size = plan.shape.key.size();
  // Rows by key text: the key's parts come first, then every column.
  auto by_key = [&](const std::vector<TextRow>& rows) {
    std::map<std::string, TextRow> out;
    for (const auto& r : rows) {
      std::vector<std::string> k;
      for (size_t i = 0; i < key_size; ++i) k.push_back(r[i].value_or("N"));
      out[KeyText(k)] = TextRow(r.begin() + static_cast<std::ptrdiff_t>(key_size), r.end());
    }
    return out;
  };
  auto src = by_key(Rows(source, RowsSql(plan.shape, true, plan.chunks->ChunkWhereSql(chunk, true), keys)));
  auto wh = by_key(warehouse_.Query(RowsSql(plan.shape, false, plan.chunks->ChunkWhereSql(chunk, false), keys)));
  for (size_t i = from; i < found.size(); ++i) {
    auto& d = found[i].difference;
    if (d.kind != DiffKind::kDifferent) continue;
    auto s = src.find(d.key), w = wh.find(d.key);
    if (s != src.end() && w != wh.end()) d.columns = DifferingColumns(plan.shape.names, s->second, w->second);
  }
}

bool TableCheck::WaitCaughtUp(pg::Connection& source, Lsn lsn, Clock::time_point deadline) {
  while (!catch_up_.CaughtUp(source, warehouse_, lsn)) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return true;
}

void TableCheck::Recheck(const Plan& plan, SourceSnapshot& snapshot, std::vector<Found>& found,
                         TableResult& result) {
  if (found.empty()) return;
  auto behind = [&](Lsn lsn) {
    return fmt::format(
        "the warehouse had applied source {} only through {} (source snapshot at {}): a difference may be a "
        "change not loaded yet",
        source_.name, ReadApplied(warehouse_, source_.name).end_lsn.ToString(), lsn.ToString());
  };
  if (!catch_up_.LoaderRunning()) {
    if (!catch_up_.CaughtUp(snapshot.main(), warehouse_, snapshot.lsn()))
      result.note = "no wharf process is loading this source; " + behind(snapshot.lsn());
    return;
  }
  // A loader is running: what differs may be on its way. Read the differing
  // chunks again once the warehouse holds the source's state of a fresh
  // snapshot; keep only what differs every time.
  const auto deadline = Clock::now() + options_.recheck_timeout;
  Lsn previous = snapshot.lsn();
  for (int round = 0; round < kMaxRechecks && !found.empty(); ++round) {
    if (!WaitCaughtUp(snapshot.main(), previous, deadline)) {
      result.note = behind(previous) + fmt::format(" when the re-check time ({} s) ran out",
                                                   options_.recheck_timeout.count() / 1000);
      return;
    }
    auto fresh = SourceSnapshot::Open(source_, 1);
    if (!WaitCaughtUp(fresh.main(), fresh.lsn(), deadline)) {
      result.note = behind(fresh.lsn()) + fmt::format(" when the re-check time ({} s) ran out",
                                                      options_.recheck_timeout.count() / 1000);
      return;
    }
    std::set<size_t> chunks;
    std::set<std::pair<int, std::string>> before;
    for (const auto& f : found) {
      chunks.insert(f.chunk);
      before.insert({static_cast<int>(f.difference.kind), f.difference.key});
    }
    auto again = Drill(plan, fresh.main(), fresh.lsn(), {chunks.begin(), chunks.end()}, result);
    ++result.rechecks;
    std::erase_if(again, [&](const Found& f) {
      return !before.count({static_cast<int>(f.difference.kind), f.difference.key});
    });
    const bool settled = again.size() == found.size();
    found = std::move(again);
    result.snapshot_lsn = fresh.lsn();
    result.warehouse_lsn = ReadApplied(warehouse_, source_.name).end_lsn;
    previous = fresh.lsn();
    if (settled) return;  // the same differences twice over a caught-up warehouse
  }
}

TableResult TableCheck::Run(SourceSnapshot& snapshot, const pg::TableInfo& table) {
  const auto start = Clock::now();
  TableResult result;
  result.source = source_.name;
  result.table = table.name;
  result.target = {config_.TargetSchema(source_, table.name.schema), table.name.name};
  result.snapshot_lsn = snapshot.lsn();
  auto finish = [&] {
    result.elapsed_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return result;
  };
  pg::TypeResolver types;
  const auto schema = pg::DescribeTable(snapshot.main(), table, types);
  for (const auto& c : schema.columns)
    if (c.is_key) result.key_columns.push_back(c.name);
  if (result.key_columns.empty())
    for (const auto& c : schema.columns) result.key_columns.push_back(c.name);
  const auto columns = WarehouseColumns(result.target);
  if (columns.empty()) {
    result.source_rows = std::stoull(std::string(
        snapshot.main().Exec("SELECT count(*) FROM " + pg::QuoteIdent(table.name.schema) + "." +
                             pg::QuoteIdent(table.name.name)).Get(0, 0)));
    result.missing = result.source_rows;
    result.note = "table " + result.target.ToString() + " does not exist in the warehouse";
    return finish();
  }
  std::set<std::string> lower;
  for (const auto& c : columns) lower.insert(load::FoldCase(c));
  const auto mode = load::ModeOfColumns(lower);
  if (mode == load::LoadMode::kAppend) {
    result.skipped = "append mode keeps the change log, not the source's rows; not compared";
    return finish();
  }
  Plan plan = MakePlan(snapshot, MakeShape(schema, result.target, columns, mode, config_.target.types,
                                           warehouse_.dialect()), table);
  if (!plan.shape.absent.empty()) {
    std::string names;
    for (const auto& a : plan.shape.absent) names += (names.empty() ? "" : ", ") + a;
    result.note = "column(s) " + names + " are not in the warehouse table: compared as NULL";
  }
  result.chunks = plan.count();
  spdlog::debug("validate: {}: {} chunks planned from {} pages in {:.2f} s", table.name.ToString(), result.chunks,
                plan.pages, std::chrono::duration<double>(Clock::now() - start).count());
  ChunkSums source_sums, warehouse_sums;
  Lsn applied;
  auto timed = [&](const char* side, auto&& read) {
    return [&, side, read] {
      const auto t0 = Clock::now();
      read();
      spdlog::debug("validate: {}: {} chunk sums in {:.2f} s", table.name.ToString(), side,
                    std::chrono::duration<double>(Clock::now() - t0).count());
    };
  };
  RunTogether({timed("source", [&] { source_sums = SourceSums(snapshot, plan); }),
               timed("warehouse", [&] { warehouse_sums = WarehouseSums(plan, applied); })});
  result.warehouse_lsn = applied;
  result.source_rows = TotalRows(source_sums);
  result.warehouse_rows = TotalRows(warehouse_sums);
  const auto differing = DifferingChunks(source_sums, warehouse_sums);
  result.chunks_differing = differing.size();
  if (differing.empty()) return finish();
  auto found = Drill(plan, snapshot.main(), snapshot.lsn(), differing, result);
  Recheck(plan, snapshot, found, result);
  std::vector<Difference> differences;
  for (auto& f : found) differences.push_back(std::move(f.difference));
  Count(result, differences, options_.sample_limit);
  return finish();
}

}  // namespace wharf::validate
