// WarehouseReader over the DuckDB target, with PostgreSQL's text hash
// registered as a DuckDB scalar function.
#include <optional>

#include "core/error.hpp"
#include "load/duckdb/duckdb_handle.hpp"
#include "load/warehouse.hpp"
#include "validate/pg_hash.hpp"
#include "validate/warehouse_reader.hpp"

namespace wharf::validate {
namespace {

namespace dd = load::duckdb;

// A scalar function (value, seed BIGINT) -> BIGINT over one vector at a
// time: hash(values, row, seed), NULL where the value or seed is NULL.
// `values` is the first argument's data.
template <typename Hash>
void HashVector(duckdb_data_chunk input, duckdb_vector output, Hash hash) {
  const idx_t n = duckdb_data_chunk_get_size(input);
  duckdb_vector values = duckdb_data_chunk_get_vector(input, 0);
  duckdb_vector seeds = duckdb_data_chunk_get_vector(input, 1);
  void* value = duckdb_vector_get_data(values);
  auto* seed = static_cast<int64_t*>(duckdb_vector_get_data(seeds));
  uint64_t* value_valid = duckdb_vector_get_validity(values);
  uint64_t* seed_valid = duckdb_vector_get_validity(seeds);
  auto* out = static_cast<int64_t*>(duckdb_vector_get_data(output));
  uint64_t* out_valid = nullptr;
  for (idx_t i = 0; i < n; ++i) {
    if ((value_valid && !duckdb_validity_row_is_valid(value_valid, i)) ||
        (seed_valid && !duckdb_validity_row_is_valid(seed_valid, i))) {
      if (!out_valid) {
        duckdb_vector_ensure_validity_writable(output);
        out_valid = duckdb_vector_get_validity(output);
      }
      duckdb_validity_set_row_invalid(out_valid, i);
      continue;
    }
    out[i] = hash(value, i, seed[i]);
  }
}

// kDuckDbHashFunction(VARCHAR, BIGINT): PostgreSQL's hashtextextended.
void PgHashText(duckdb_function_info, duckdb_data_chunk input, duckdb_vector output) {
  HashVector(input, output, [](void* values, idx_t i, int64_t seed) {
    auto& s = static_cast<duckdb_string_t*>(values)[i];
    return PgHashTextExtended({duckdb_string_t_data(&s), duckdb_string_t_length(s)}, seed);
  });
}

// kDuckDbInt8HashFunction(BIGINT, BIGINT): PostgreSQL's hashint8extended.
void PgHashInt8(duckdb_function_info, duckdb_data_chunk input, duckdb_vector output) {
  HashVector(input, output,
             [](void* values, idx_t i, int64_t seed) { return PgHashInt8Extended(static_cast<int64_t*>(values)[i], seed); });
}

// A DECIMAL's magnitude, whatever integer DuckDB keeps it in.
unsigned __int128 Magnitude(const void* data, duckdb_type internal, idx_t i) {
  __int128 v = 0;
  switch (internal) {
    case DUCKDB_TYPE_SMALLINT:
      v = static_cast<const int16_t*>(data)[i];
      break;
    case DUCKDB_TYPE_INTEGER:
      v = static_cast<const int32_t*>(data)[i];
      break;
    case DUCKDB_TYPE_BIGINT:
      v = static_cast<const int64_t*>(data)[i];
      break;
    default: {  // HUGEINT
      const auto& h = static_cast<const duckdb_hugeint*>(data)[i];
      v = static_cast<__int128>(static_cast<unsigned __int128>(static_cast<uint64_t>(h.upper)) << 64 | h.lower);
    }
  }
  return v < 0 ? static_cast<unsigned __int128>(-v) : static_cast<unsigned __int128>(v);
}

// kDuckDbNumericHashFunction(DECIMAL(p,s), BIGINT): PostgreSQL's
// hash_numeric_extended of the same value.
void PgHashNumeric(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output) {
  duckdb_logical_type type = duckdb_vector_get_column_type(duckdb_data_chunk_get_vector(input, 0));
  const bool decimal = duckdb_get_type_id(type) == DUCKDB_TYPE_DECIMAL;
  const int scale = decimal ? duckdb_decimal_scale(type) : 0;
  const duckdb_type internal = decimal ? duckdb_decimal_internal_type(type) : DUCKDB_TYPE_INVALID;
  duckdb_destroy_logical_type(&type);
  if (!decimal) {
    duckdb_scalar_function_set_error(info, (std::string(kDuckDbNumericHashFunction) + " takes a DECIMAL").c_str());
    return;
  }
  HashVector(input, output, [&](void* values, idx_t i, int64_t seed) {
    return PgHashNumericExtended(Magnitude(values, internal, i), scale, seed);
  });
}

void Register(dd::Connection& conn, const char* name, duckdb_type value_type, duckdb_scalar_function_t body) {
  auto r = conn.Query(std::string("SELECT count(*) FROM duckdb_functions() WHERE function_name = '") + name + "'");
  if (r.GetUInt64(0, 0) > 0) return;  // a connection to the same database registered it
  duckdb_scalar_function fn = duckdb_create_scalar_function();
  duckdb_scalar_function_set_name(fn, name);
  duckdb_logical_type value = duckdb_create_logical_type(value_type);
  duckdb_logical_type bigint = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
  duckdb_scalar_function_add_parameter(fn, value);
  duckdb_scalar_function_add_parameter(fn, bigint);
  duckdb_scalar_function_set_return_type(fn, bigint);
  duckdb_scalar_function_set_function(fn, body);
  duckdb_state state = duckdb_register_scalar_function(conn.raw(), fn);
  duckdb_destroy_logical_type(&value);
  duckdb_destroy_logical_type(&bigint);
  duckdb_destroy_scalar_function(&fn);
  if (state == DuckDBError) Fail(ErrorKind::kWarehouse, "DuckDB refused to register {}()", name);
}

void RegisterPgHash(dd::Connection& conn) {
  Register(conn, kDuckDbHashFunction, DUCKDB_TYPE_VARCHAR, PgHashText);
  Register(conn, kDuckDbInt8HashFunction, DUCKDB_TYPE_BIGINT, PgHashInt8);
  Register(conn, kDuckDbNumericHashFunction, DUCKDB_TYPE_ANY, PgHashNumeric);  // any DECIMAL(p,s)
}

class DuckReader final : public WarehouseReader {
 public:
  // `owned` is empty when the database belongs to the running wharf; `db`
  // then must outlive this reader.
  DuckReader(std::optional<dd::Database> owned, duckdb_database db)
      : owned_(std::move(owned)), conn_(db) {
    conn_.Query("SET TimeZone = 'UTC'");  // timestamptz text as the source's sessions write it
    // A row's canonical texts and hashes nest (RowHashSql: the xor of 1,600
    // columns is a dozen levels deep, arrays' texts more); room to spare.
    conn_.Query("SET max_expression_depth TO 20000");
    // The warehouse file is attached under its own catalog name (load::duckdb::Database::Open).
    auto r = conn_.Query(
        "SELECT database_name FROM duckdb_databases() WHERE NOT internal AND database_name NOT IN "
        "('memory', 'temp', 'system') ORDER BY database_name LIMIT 1");
    if (r.rows() > 0) conn_.Query("USE " + dd::Ident(*r.GetString(0, 0)));
    RegisterPgHash(conn_);
  }
  Dialect dialect() const override { return Dialect::kDuckDb; }
  std::vector<TextRow> Query(const std::string& sql) override {
    auto r = conn_.Query(sql);
    std::vector<TextRow> out(r.rows());
    for (uint64_t i = 0; i < r.rows(); ++i)
      for (uint64_t c = 0; c < r.columns(); ++c) out[i].push_back(r.GetString(i, c));
    return out;
  }
  void Begin() override { conn_.Query("BEGIN TRANSACTION"); }
  void Commit() override { conn_.Query("COMMIT"); }

 private:
  std::optional<dd::Database> owned_;
  dd::Connection conn_;
};

}  // namespace

std::unique_ptr<WarehouseReader> OpenPgWarehouseReader(const core::TargetConfig& target);

std::unique_ptr<WarehouseReader> OpenWarehouseReader(const core::TargetConfig& target,
                                                     const std::filesystem::path& base_dir,
                                                     duckdb_database shared) {
  if (target.type == "postgres") return OpenPgWarehouseReader(target);
  if (target.type != "duckdb")
    Fail(ErrorKind::kUnsupported, "validate cannot read target.type '{}'; use duckdb or postgres", target.type);
  if (shared) return std::make_unique<DuckReader>(std::nullopt, shared);
  auto path = load::DuckDbFile(target, base_dir.string());
  if (!std::filesystem::exists(path))
    Fail(ErrorKind::kConfig, "the warehouse {} does not exist yet: run `wharf run` (or `wharf load`) first", path);
  auto db = dd::Database::Open(path, target.memory_limit);
  duckdb_database raw = db.raw();
  return std::make_unique<DuckReader>(std::move(db), raw);
}

std::string WarehouseReader::QuoteIdent(const std::string& name) const { return dd::Ident(name); }
std::string WarehouseReader::QuoteLiteral(const std::string& text) const { return dd::Literal(text); }

}  // namespace wharf::validate
