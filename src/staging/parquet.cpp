#include "staging/parquet.hpp"

#include <duckdb.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "core/pg_types.hpp"
#include "staging/csv.hpp"
#include "staging/jsonl.hpp"

namespace wharf::staging {

namespace {

constexpr size_t kCopySize = size_t{1} << 20;

std::string Ident(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string Literal(const std::string& value) {
  std::string out = "'";
  for (char c : value) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// PostgreSQL's text form of a typed cell `x` of `type`, as SQL.
std::string PgTextSql(const std::string& type, const std::string& x) {
  if (type == "BOOLEAN") return fmt::format("CASE WHEN {0} THEN 't' WHEN NOT {0} THEN 'f' END", x);
  if (type == "BLOB") return fmt::format("('\\x' || lower(hex({})))", x);
  return fmt::format("CAST({} AS VARCHAR)", x);
}

// The typed cell for PostgreSQL text `c`, as SQL (NULL when it does not convert).
std::string TypedSql(const std::string& type, const std::string& c) {
  if (type == "BLOB")
    return fmt::format("CASE WHEN starts_with({0}, '\\x') THEN TRY(from_hex(substr({0}, 3))) END", c);
  return fmt::format("TRY_CAST({} AS {})", c, type);
}

// A temporary local file, removed when this goes away.
class TempFile {
 public:
  TempFile() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "wharf-parquet-XXXXXX").string();
    int fd = mkstemp(tmpl.data());
    if (fd < 0) {
      Fail(ErrorKind::kStaging, "cannot create a temporary file in {}: {}; free space or set TMPDIR",
           std::filesystem::temp_directory_path().string(), std::strerror(errno));
    }
    close(fd);
    path_ = tmpl;
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The process's in-memory DuckDB for Parquet files: opening a database costs ~50 ms, a
// connection almost nothing, and capture writes a file per table per batch. Each file works on
// its own connection. One thread, as capture and load run beside it; a memory limit with a
// spill directory under TMPDIR, so one huge transaction's file spills instead of growing RSS.
duckdb_database SharedDb() {
  struct Db {
    duckdb_database db = nullptr;
    Db() {
      duckdb_config config = nullptr;
      duckdb_create_config(&config);
      std::string spill =
          (std::filesystem::temp_directory_path() / ("wharf-parquet-spill-" + std::to_string(getpid())))
              .string();
      duckdb_set_config(config, "threads", "1");
      duckdb_set_config(config, "memory_limit", "256MB");
      duckdb_set_config(config, "temp_directory", spill.c_str());
      char* error = nullptr;
      bool ok = duckdb_open_ext(nullptr, &db, config, &error) == DuckDBSuccess;
      duckdb_destroy_config(&config);
      std::string why = error ? error : "unknown error";
      if (error) duckdb_free(error);
      if (!ok) Fail(ErrorKind::kStaging, "cannot open an in-memory DuckDB for Parquet staged files: {}", why);
    }
    ~Db() { duckdb_close(&db); }
  };
  static Db db;
  return db.db;
}

class MemoryDb {
 public:
  explicit MemoryDb(std::string where) : where_(std::move(where)) {
    if (duckdb_connect(SharedDb(), &conn_) != DuckDBSuccess)
      Fail(ErrorKind::kStaging, "cannot connect to an in-memory DuckDB for {}", where_);
  }
  ~MemoryDb() {
    if (conn_) duckdb_disconnect(&conn_);
  }
  MemoryDb(const MemoryDb&) = delete;
  MemoryDb& operator=(const MemoryDb&) = delete;

  void Run(const std::string& sql) {
    duckdb_result res;
    bool ok = duckdb_query(conn_, sql.c_str(), &res) == DuckDBSuccess;
    std::string error = ok ? "" : duckdb_result_error(&res);
    duckdb_destroy_result(&res);
    if (!ok) Fail(ErrorKind::kStaging, "staged file {}: DuckDB: {}", where_, error);
  }
  duckdb_connection conn() { return conn_; }

 private:
  std::string where_;
  duckdb_connection conn_ = nullptr;
};

const char* CodecName(Compression c) {
  switch (c) {
    case Compression::kZstd: return "zstd";
    case Compression::kGzip: return "gzip";
    case Compression::kNone: return "uncompressed";
  }
  return "uncompressed";
}

// ---- writing

class ParquetEncoder : public FileEncoder {
 public:
  ParquetEncoder(Compression compression, const core::RelationSchema& schema,
                 std::unique_ptr<ObjectWriter> out)
      : FileEncoder(schema.columns.size()),
        compression_(compression),
        schema_(schema),
        out_(std::move(out)),
        db_("(parquet being written for " + schema.table.ToString() + ")") {
    std::string cols = "m_op VARCHAR, m_ts BIGINT";
    for (size_t i = 0; i < schema_.columns.size(); ++i) cols += fmt::format(", c{} VARCHAR", i);
    cols += ", m_lsn UBIGINT, m_end UBIGINT, m_seq UINTEGER, m_xid UINTEGER, m_old VARCHAR, m_unch VARCHAR";
    // A temporary table: private to this encoder's connection, gone with it.
    db_.Run("CREATE TEMPORARY TABLE s (" + cols + ")");
    if (duckdb_appender_create_ext(db_.conn(), "temp", "main", "s", &app_) != DuckDBSuccess)
      Fail(ErrorKind::kStaging, "cannot append to an in-memory DuckDB table");
  }
  ~ParquetEncoder() override {
    if (app_) duckdb_appender_destroy(&app_);
  }

  size_t Add(const core::Change& c) override {
    size_t bytes = 64;
    auto text = [&](std::string_view v) {
      Check(duckdb_append_varchar_length(app_, v.data(), v.size()));
      bytes += v.size() + 4;
    };
    auto null = [&] { Check(duckdb_append_null(app_)); };
    char op = static_cast<char>(c.op);
    text(std::string_view(&op, 1));
    Check(duckdb_append_int64(app_, c.ts));
    const bool has_row = c.op == core::Op::kInsert || c.op == core::Op::kUpdate ||
                         c.op == core::Op::kSnapshot;
    const std::vector<core::Datum>* values = has_row ? &c.row : (c.has_old ? &c.old : nullptr);
    for (size_t i = 0; i < schema_.columns.size(); ++i) {
      bool unchanged = false;
      if (has_row)
        for (uint32_t u : c.unchanged) unchanged |= (u == i);
      if (values && i < values->size() && (*values)[i] && !unchanged) text(*(*values)[i]);
      else null();
    }
    Check(duckdb_append_uint64(app_, c.lsn.value()));
    Check(duckdb_append_uint64(app_, c.end_lsn.value()));
    Check(duckdb_append_uint32(app_, c.seq));
    Check(duckdb_append_uint32(app_, c.xid));
    json_.clear();
    if (c.has_old) {
      AppendJsonOld(schema_, c, json_);
      text(json_);
    } else {
      null();
    }
    json_.clear();
    if (!c.unchanged.empty()) {
      AppendJsonUnchanged(schema_, c, json_);
      text(json_);
    } else {
      null();
    }
    Check(duckdb_appender_end_row(app_));
    return bytes;
  }

  void Finish() override {
    if (duckdb_appender_close(app_) != DuckDBSuccess) Check(DuckDBError);
    duckdb_appender_destroy(&app_);
    app_ = nullptr;
    TempFile tmp;
    db_.Run(fmt::format("COPY ({}) TO {} (FORMAT parquet, COMPRESSION {})", SelectSql(),
                        Literal(tmp.path()), CodecName(compression_)));
    // Parquet compressed the columns already: the stored bytes are the file as is.
    EncodingWriter writer(std::move(out_), Compression::kNone);
    std::ifstream in(tmp.path(), std::ios::binary);
    auto buf = std::make_unique_for_overwrite<char[]>(kCopySize);
    while (in) {
      in.read(buf.get(), kCopySize);
      if (in.gcount() > 0) writer.Write(std::string_view(buf.get(), static_cast<size_t>(in.gcount())));
    }
    if (in.bad()) Fail(ErrorKind::kStaging, "cannot read back the Parquet file {}", tmp.path());
    writer.Finish();
    stored_bytes_ = writer.stored_bytes();
    checksum_ = writer.checksum();
  }
  uint64_t stored_bytes() const override { return stored_bytes_; }
  const std::string& checksum() const override { return checksum_; }

 private:
  void Check(duckdb_state state) {
    if (state == DuckDBSuccess) return;
    const char* e = duckdb_appender_error(app_);
    Fail(ErrorKind::kStaging, "appending a change for {} to Parquet failed: {}",
         schema_.table.ToString(), e ? e : "unknown error");
  }

  std::string SelectSql() const {
    std::string cols = "m_op AS \"Op\", make_timestamp(m_ts) AS \"_wharf_commit_ts\"";
    std::string texts;
    for (size_t i = 0; i < schema_.columns.size(); ++i) {
      std::string c = fmt::format("c{}", i);
      auto type = ParquetColumnType(schema_.columns[i]);
      if (!type) {
        cols += fmt::format(", {} AS {}", c, Ident(schema_.columns[i].name));
        continue;
      }
      std::string t = fmt::format("t{}", i);
      std::string exact = fmt::format("({} IS NOT DISTINCT FROM {})", PgTextSql(*type, t), c);
      cols += fmt::format(", CASE WHEN {} THEN {} END AS {}", exact, t, Ident(schema_.columns[i].name));
      if (!texts.empty()) texts += ", ";
      texts += fmt::format("CASE WHEN NOT {} THEN {{'i': {}, 'v': {}}} END", exact, i, c);
    }
    cols += ", m_lsn AS \"_wharf_lsn\", m_end AS \"_wharf_end_lsn\", m_seq AS \"_wharf_seq\", "
            "m_xid AS \"_wharf_xid\", m_old AS \"_wharf_old\", m_unch AS \"_wharf_unchanged\", ";
    cols += texts.empty() ? "CAST([] AS STRUCT(i INTEGER, v VARCHAR)[])"
                          : fmt::format("CAST(list_filter([{}], x -> x IS NOT NULL) AS STRUCT(i "
                                        "INTEGER, v VARCHAR)[])",
                                        texts);
    cols += " AS \"_wharf_text\"";
    std::string typed = "*";
    for (size_t i = 0; i < schema_.columns.size(); ++i)
      if (auto type = ParquetColumnType(schema_.columns[i]))
        typed += fmt::format(", {} AS t{}", TypedSql(*type, fmt::format("c{}", i)), i);
    return fmt::format("SELECT {} FROM (SELECT {} FROM s)", cols, typed);
  }

  Compression compression_;
  core::RelationSchema schema_;
  std::unique_ptr<ObjectWriter> out_;
  MemoryDb db_;
  duckdb_appender app_ = nullptr;
  std::string json_;
  uint64_t stored_bytes_ = 0;
  std::string checksum_;
};

// ---- reading

class ParquetChangeReader : public ChangeReader {
 public:
  ParquetChangeReader(const ManifestFile& file, std::unique_ptr<ObjectReader> stored, std::string where)
      : schema_(file.relation), expected_(file.rows), where_(std::move(where)), db_(where_),
        extras_(schema_) {
    {
      // The store may be remote; DuckDB reads a local file.
      std::ofstream out(tmp_.path(), std::ios::binary | std::ios::trunc);
      auto buf = std::make_unique_for_overwrite<char[]>(kCopySize);
      while (size_t n = stored->Read(buf.get(), kCopySize)) {
        out.write(buf.get(), static_cast<std::streamsize>(n));
        stored_bytes_ += n;
      }
      out.close();
      if (!out) Fail(ErrorKind::kStaging, "cannot write {} to the temporary file {}", where_, tmp_.path());
    }
    const size_t n = schema_.columns.size();
    std::string names = "m_op, m_ts";
    for (size_t i = 0; i < n; ++i) names += fmt::format(", c{}", i);
    names += ", m_lsn, m_end, m_seq, m_xid, m_old, m_unch, m_text";
    std::string cols = "m_op, epoch_us(m_ts)";
    for (size_t i = 0; i < n; ++i) {
      auto type = ParquetColumnType(schema_.columns[i]);
      std::string c = fmt::format("c{}", i);
      if (!type) cols += ", " + c;
      else
        cols += fmt::format(", COALESCE(list_filter(m_text, x -> x.i = {})[1].v, {})", i,
                            PgTextSql(*type, c));
    }
    cols += ", m_lsn, m_end, m_seq, m_xid, m_old, m_unch";
    std::string sql = fmt::format("SELECT {} FROM read_parquet({}) AS p({})", cols,
                                  Literal(tmp_.path()), names);
    duckdb_prepared_statement stmt = nullptr;
    if (duckdb_prepare(db_.conn(), sql.c_str(), &stmt) != DuckDBSuccess) {
      std::string e = duckdb_prepare_error(stmt);
      duckdb_destroy_prepare(&stmt);
      Unreadable(e);
    }
    duckdb_pending_result pending = nullptr;
    bool ok = duckdb_pending_prepared_streaming(stmt, &pending) == DuckDBSuccess;
    duckdb_destroy_prepare(&stmt);
    if (!ok) {
      std::string e = duckdb_pending_error(pending);
      duckdb_destroy_pending(&pending);
      Unreadable(e);
    }
    ok = duckdb_execute_pending(pending, &result_) == DuckDBSuccess;
    duckdb_destroy_pending(&pending);
    has_result_ = true;
    if (!ok) Unreadable(duckdb_result_error(&result_));
  }
  ~ParquetChangeReader() override {
    if (chunk_) duckdb_destroy_data_chunk(&chunk_);
    if (has_result_) duckdb_destroy_result(&result_);
  }

  bool Next(core::Change& c) override {
    while (!chunk_ || row_ >= duckdb_data_chunk_get_size(chunk_)) {
      if (chunk_) duckdb_destroy_data_chunk(&chunk_);
      chunk_ = duckdb_fetch_chunk(result_);
      row_ = 0;
      if (!chunk_) {
        if (const char* e = duckdb_result_error(&result_)) Unreadable(e);
        if (read_ != expected_) Count();
        return false;
      }
    }
    Decode(c);
    ++row_;
    if (++read_ > expected_) Count();
    return true;
  }
  uint64_t changes_read() const override { return read_; }
  uint64_t stored_bytes() const override { return stored_bytes_; }

 private:
  [[noreturn]] void Unreadable(const std::string& why) {
    Fail(ErrorKind::kStaging,
         "staged file {} is not a readable Parquet file of {} ({}); it is corrupt or truncated. "
         "Restore the file, or resynchronise the source",
         where_, schema_.table.ToString(), why);
  }
  [[noreturn]] void Count() {
    Fail(ErrorKind::kStaging,
         "staged file {} holds {} changes where its manifest says {}: it is truncated or corrupt. "
         "Restore the file, or resynchronise the source",
         where_, read_, expected_);
  }

  std::optional<std::string_view> Text(size_t col) {
    duckdb_vector v = duckdb_data_chunk_get_vector(chunk_, col);
    uint64_t* validity = duckdb_vector_get_validity(v);
    if (validity && !duckdb_validity_row_is_valid(validity, row_)) return std::nullopt;
    auto* s = static_cast<duckdb_string_t*>(duckdb_vector_get_data(v)) + row_;
    return std::string_view(duckdb_string_t_data(s), duckdb_string_t_length(*s));
  }
  template <typename T>
  T Number(size_t col) {
    return static_cast<T*>(duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk_, col)))[row_];
  }

  void Decode(core::Change& c) {
    const size_t n = schema_.columns.size();
    c = core::Change{};
    auto op = Text(0);
    if (!op || op->size() != 1 || std::string_view("IUDTR").find((*op)[0]) == std::string_view::npos)
      Unreadable(fmt::format("row {} has an unknown op", read_ + 1));
    c.op = static_cast<core::Op>((*op)[0]);
    c.ts = Number<int64_t>(1);
    const size_t t = 2 + n;
    c.lsn = Lsn(Number<uint64_t>(t));
    c.end_lsn = Lsn(Number<uint64_t>(t + 1));
    c.seq = Number<uint32_t>(t + 2);
    c.xid = Number<uint32_t>(t + 3);
    if (auto why = extras_.Decode(Text(t + 4), Text(t + 5), c))
      Unreadable(fmt::format("row {}: {}", read_ + 1, *why));
    if (c.op == core::Op::kInsert || c.op == core::Op::kUpdate || c.op == core::Op::kSnapshot) {
      c.row.resize(n);
      for (size_t i = 0; i < n; ++i)
        if (auto v = Text(2 + i)) c.row[i].emplace(*v);
      for (uint32_t u : c.unchanged) c.row[u].reset();
    }
  }

  core::RelationSchema schema_;
  uint64_t expected_;
  std::string where_;
  TempFile tmp_;
  MemoryDb db_;
  JsonExtrasDecoder extras_;
  duckdb_result result_{};
  bool has_result_ = false;
  duckdb_data_chunk chunk_ = nullptr;
  idx_t row_ = 0;
  uint64_t read_ = 0;
  uint64_t stored_bytes_ = 0;
};

}  // namespace

std::optional<std::string> ParquetColumnType(const core::Column& column) {
  core::LogicalType type = core::MapColumnType(column);
  switch (type.kind) {
    case core::LogicalKind::kBool: return "BOOLEAN";
    case core::LogicalKind::kInt16: return "SMALLINT";
    case core::LogicalKind::kInt32: return "INTEGER";
    case core::LogicalKind::kInt64: return "BIGINT";
    case core::LogicalKind::kFloat32: return "FLOAT";
    case core::LogicalKind::kFloat64: return "DOUBLE";
    case core::LogicalKind::kDecimal:
      // Unconstrained numeric has no scale to type it with: PostgreSQL prints each value with
      // its own, which a fixed DECIMAL would not give back.
      if (column.typmod < 0 || type.precision > 38) return std::nullopt;
      return fmt::format("DECIMAL({},{})", type.precision, type.scale);
    case core::LogicalKind::kDate: return "DATE";
    case core::LogicalKind::kTime: return "TIME";
    case core::LogicalKind::kTimestamp: return "TIMESTAMP";
    case core::LogicalKind::kTimestampTz: return "TIMESTAMPTZ";
    case core::LogicalKind::kUuid: return "UUID";
    case core::LogicalKind::kBlob: return "BLOB";
    default: return std::nullopt;  // text, json, interval, arrays, and every type kept as text
  }
}

std::unique_ptr<FileEncoder> OpenParquetEncoder(Compression compression,
                                                const core::RelationSchema& schema,
                                                std::unique_ptr<ObjectWriter> out) {
  return std::make_unique<ParquetEncoder>(compression, schema, std::move(out));
}

std::unique_ptr<ChangeReader> OpenParquetReader(const ManifestFile& file,
                                                std::unique_ptr<ObjectReader> stored,
                                                std::string where) {
  return std::make_unique<ParquetChangeReader>(file, std::move(stored), std::move(where));
}

}  // namespace wharf::staging
