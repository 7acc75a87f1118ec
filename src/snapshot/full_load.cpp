#include "snapshot/full_load.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "core/error.hpp"
#include "core/fault.hpp"
#include "pg/connection.hpp"
#include "pg/copy_text.hpp"

namespace wharf::snapshot {

namespace {
int64_t NowMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}
}  // namespace

FullLoadResult CopyTables(const core::SourceConfig& source,
                          const std::vector<core::RelationSchema>& tables,
                          const std::string& snapshot_name, Lsn snapshot_lsn,
                          staging::ObjectStore& store, uint64_t next_seq,
                          const FullLoadOptions& options,
                          const std::function<void(const staging::Manifest&)>& on_batch) {
  FullLoadResult result;
  result.last_seq = next_seq - 1;
  auto conn = pg::Connection::Open(source.dsn, false, "wharf snapshot " + source.name);
  conn.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  conn.Exec("SET TRANSACTION SNAPSHOT " + pg::QuoteLiteral(snapshot_name));

  int64_t ts = NowMicros();
  std::unique_ptr<staging::BatchWriter> batch;
  auto commit = [&]() {
    if (!batch || batch->empty()) return;
    // No transaction is in a snapshot batch: first/last commit LSN stay 0, so a
    // transaction committing exactly at the consistent point is never taken
    // for one already staged.
    auto m = batch->Commit(Lsn(), Lsn(), snapshot_lsn, 0);
    result.last_seq = m.seq;
    on_batch(m);
    batch.reset();
  };
  auto writer = [&]() -> staging::BatchWriter& {
    if (!batch) {
      batch = std::make_unique<staging::BatchWriter>(store, source.name, result.last_seq + 1,
                                                     options.batch);
    }
    return *batch;
  };

  for (const auto& schema : tables) {
    auto started = std::chrono::steady_clock::now();
    core::Change change;
    change.lsn = snapshot_lsn;
    change.end_lsn = snapshot_lsn;
    change.ts = ts;
    change.op = core::Op::kTruncate;
    writer().Add(schema, change);
    change.op = core::Op::kSnapshot;

    std::string cols;
    for (const auto& c : schema.columns) cols += (cols.empty() ? "" : ", ") + pg::QuoteIdent(c.name);
    std::string sql = "COPY (SELECT " + cols + " FROM " + pg::QuoteIdent(schema.table.schema) + "." +
                      pg::QuoteIdent(schema.table.name) + ") TO STDOUT";
    uint64_t rows = 0;
    try {
      conn.CopyOut(sql, [&](std::string_view line) {
        pg::ParseCopyTextRow(line, change.row, schema.columns.size());
        change.seq = static_cast<uint32_t>(rows + 1);  // the T above is seq 0
        writer().Add(schema, change);
        core::FaultPoint("snapshot.mid_copy");
        ++rows;
        if (batch->raw_bytes() >= options.max_batch_bytes) commit();
      });
    } catch (Error& e) {
      throw e.AddContext("copying " + schema.table.ToString() + " for the full load of source " +
                         source.name);
    }
    result.rows += rows;
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    spdlog::info("snapshot {}: copied {} rows of {} in {:.1f}s", source.name, rows,
                 schema.table.ToString(), secs);
  }
  commit();
  conn.Exec("COMMIT");
  return result;
}

}  // namespace wharf::snapshot
