#include "load/duckdb/duckdb_fresh_scan.hpp"

#include <algorithm>
#include <mutex>
#include <optional>

#include "core/error.hpp"
#include "load/duckdb/duckdb_chunk.hpp"
#include "load/duckdb/duckdb_sql.hpp"

namespace wharf::load::duckdb {

namespace {
constexpr const char* kFunctionName = "wharf_fresh_rows";
}  // namespace

struct FreshScan::Job {
  const std::vector<core::LogicalType>* types = nullptr;
  FreshRows* rows = nullptr;
  int64_t lsn = 0;
  int64_t synced_at = 0;
  const RejectFn* on_reject = nullptr;
  size_t threads = 1;
  std::mutex mu;                // guards error and on_reject's calls
  std::optional<Error> error;  // the first failure of any thread

  // Keeps the first failure whole (its kind decides what the loader does
  // next) and returns the text DuckDB reports.
  std::string Record(const std::exception& e) {
    std::lock_guard lock(mu);
    if (!error) {
      if (auto* we = dynamic_cast<const Error*>(&e)) error = *we;
      else error = Error(ErrorKind::kInternal, e.what());
    }
    return e.what();
  }
};

namespace {

using Job = FreshScan::Job;

// One DuckDB thread's share: its cursor and its converter.
struct LocalState {
  std::unique_ptr<FreshRows::Cursor> cursor;
  ChunkFiller filler;
  std::vector<core::DatumView> row;  // views: valid until the cursor's next row
};

void Bind(duckdb_bind_info info) {
  Job* job = *static_cast<Job**>(duckdb_bind_get_extra_info(info));
  if (!job) {
    duckdb_bind_set_error(info, "wharf_fresh_rows() is wharf's loader's own; it has no rows here");
    return;
  }
  std::vector<duckdb_logical_type> types = ChunkTypes(*job->types);
  for (size_t i = 0; i < types.size(); ++i) {
    std::string name = "c" + std::to_string(i);
    duckdb_bind_add_result_column(info, name.c_str(), types[i]);
    duckdb_destroy_logical_type(&types[i]);
  }
  duckdb_bind_set_bind_data(info, job, nullptr);
}

void Init(duckdb_init_info info) {
  Job* job = static_cast<Job*>(duckdb_init_get_bind_data(info));
  duckdb_init_set_max_threads(info, job->threads);
}

void LocalInit(duckdb_init_info info) {
  Job* job = static_cast<Job*>(duckdb_init_get_bind_data(info));
  try {
    auto state = std::make_unique<LocalState>(LocalState{job->rows->OpenCursor(), ChunkFiller(*job->types), {}});
    duckdb_init_set_init_data(info, state.release(), [](void* p) { delete static_cast<LocalState*>(p); });
  } catch (const std::exception& e) {
    duckdb_init_set_error(info, job->Record(e).c_str());
  }
}

void Scan(duckdb_function_info info, duckdb_data_chunk output) {
  Job* job = static_cast<Job*>(duckdb_function_get_bind_data(info));
  auto* st = static_cast<LocalState*>(duckdb_function_get_local_init_data(info));
  try {
    st->filler.Bind(output);
    const size_t n = job->types->size();
    const uint64_t capacity = duckdb_vector_size();
    auto reject = [&](size_t column, const std::string& why) {
      std::vector<core::Datum> row;  // a copy only for the rare reject
      core::CopyRow(st->row, row);
      std::lock_guard lock(job->mu);
      (*job->on_reject)(row, column, why);
    };
    uint64_t count = 0;
    while (count < capacity && st->cursor->NextViews(st->row)) {
      st->filler.SetRow(count, st->row, reject);
      st->filler.SetInt64(n, count, job->lsn);
      st->filler.SetInt64(n + 1, count, job->synced_at);
      ++count;
    }
    duckdb_data_chunk_set_size(output, count);
  } catch (const std::exception& e) {
    duckdb_function_set_error(info, job->Record(e).c_str());
  }
}

}  // namespace

size_t FreshThreads(uint64_t rows, uint64_t row_group_size, size_t parallelism) {
  uint64_t by_rows = rows * 4 / (std::max<uint64_t>(row_group_size, 1) * 5);
  return static_cast<size_t>(std::clamp<uint64_t>(by_rows, 1, std::max<size_t>(parallelism, 1)));
}

FreshScan::FreshScan(Connection& conn) : slot_(std::make_unique<Job*>(nullptr)) {
  duckdb_table_function fn = duckdb_create_table_function();
  duckdb_table_function_set_name(fn, kFunctionName);
  duckdb_table_function_set_extra_info(fn, slot_.get(), nullptr);
  duckdb_table_function_set_bind(fn, Bind);
  duckdb_table_function_set_init(fn, Init);
  duckdb_table_function_set_local_init(fn, LocalInit);
  duckdb_table_function_set_function(fn, Scan);
  duckdb_state state = duckdb_register_table_function(conn.raw(), fn);
  duckdb_destroy_table_function(&fn);
  if (state == DuckDBError) Fail(ErrorKind::kWarehouse, "DuckDB refused to register {}()", kFunctionName);
}

FreshScan::~FreshScan() = default;

void FreshScan::Append(Connection& conn, const core::TableName& target, const core::RelationSchema& schema,
                       const std::vector<core::LogicalType>& types, int64_t lsn, int64_t synced_at_micros,
                       FreshRows& rows, size_t threads, const RejectFn& on_reject) {
  Job job;
  job.threads = std::max<size_t>(threads, 1);
  job.types = &types;
  job.rows = &rows;
  job.lsn = lsn;
  job.synced_at = synced_at_micros;
  job.on_reject = &on_reject;
  std::string columns;
  for (const auto& c : schema.columns) columns += Ident(c.name) + ", ";
  const std::string sql = "INSERT INTO " + Qualified(target.schema, target.name) + " (" + columns +
                          "\"_wharf_lsn\", \"_wharf_synced_at\") SELECT * FROM " + kFunctionName + "()";
  *slot_ = &job;
  // Rows of a mirror table have no order to keep; DuckDB inserts in parallel
  // only when it need not keep the source's.
  conn.Query("SET preserve_insertion_order = false");
  try {
    conn.Query(sql);
  } catch (const Error&) {
    *slot_ = nullptr;
    try {
      conn.Query("SET preserve_insertion_order = true");
    } catch (const Error&) {
      // The failed INSERT aborted the transaction, which refuses even a SET
      // until the rollback; nothing the loader runs depends on row order.
    }
    std::lock_guard lock(job.mu);
    if (job.error) throw *job.error;
    throw;
  }
  *slot_ = nullptr;
  conn.Query("SET preserve_insertion_order = true");
}

}  // namespace wharf::load::duckdb
