#pragma once
// One table compared: plan chunks from a sample of the source's keys, sum
// row hashes per chunk on both sides at once, read the differing chunks key
// by key, and, while a loader is catching up, read them again until what
// differs persists or the re-check time runs out.
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "pg/catalog.hpp"
#include "validate/catch_up.hpp"
#include "validate/chunk_plan.hpp"
#include "validate/diff.hpp"
#include "validate/options.hpp"
#include "validate/result.hpp"
#include "validate/source_snapshot.hpp"
#include "validate/table_sql.hpp"
#include "validate/warehouse_reader.hpp"

namespace wharf::validate {

class TableCheck {
 public:
  // Every reference must outlive the object; `warehouse` is used by one
  // thread at a time.
  TableCheck(const core::Config& config, const core::SourceConfig& source, const Options& options,
             WarehouseReader& warehouse, CatchUp& catch_up)
      : config_(config), source_(source), options_(options), warehouse_(warehouse), catch_up_(catch_up) {}

  // Compares `table` as `snapshot` shows it with the warehouse.
  TableResult Run(SourceSnapshot& snapshot, const pg::TableInfo& table);

 private:
  struct Plan {
    TableShape shape;
    std::optional<ChunkSql> chunks;  // keyed tables
    size_t buckets = 1;              // key-less tables
    uint64_t pages = 0;
    bool split = false;  // read the source's pages on several sessions
    size_t count() const { return chunks ? chunks->chunks() : buckets; }
  };
  // A difference found in a chunk, with its key's canonical parts.
  struct Found {
    Difference difference;
    size_t chunk = 0;
    std::vector<std::string> key;
  };

  std::vector<std::string> WarehouseColumns(const core::TableName& target);
  Plan MakePlan(SourceSnapshot& snapshot, TableShape shape, const pg::TableInfo& table);
  ChunkSums SourceSums(SourceSnapshot& snapshot, const Plan& plan);
  ChunkSums WarehouseSums(const Plan& plan, Lsn& applied);
  std::vector<Found> Drill(const Plan& plan, pg::Connection& source, Lsn snapshot,
                           const std::vector<size_t>& chunks, TableResult& result);
  void DrillKeys(const Plan& plan, pg::Connection& source, Lsn snapshot, size_t chunk, TableResult& result,
                 std::vector<Found>& found);
  void FillColumns(const Plan& plan, pg::Connection& source, size_t chunk, std::vector<Found>& found,
                   size_t from);
  void Recheck(const Plan& plan, SourceSnapshot& snapshot, std::vector<Found>& found, TableResult& result);
  bool WaitCaughtUp(pg::Connection& source, Lsn lsn, std::chrono::steady_clock::time_point deadline);

  const core::Config& config_;
  const core::SourceConfig& source_;
  const Options& options_;
  WarehouseReader& warehouse_;
  CatchUp& catch_up_;
};

}  // namespace wharf::validate
