#include "load/duckdb/duckdb_types.hpp"

#include <fmt/format.h>

#include <limits>

#include "core/convert.hpp"

namespace wharf::load::duckdb {

std::string DuckDbTypeName(const core::LogicalType& t) {
  using K = core::LogicalKind;
  switch (t.kind) {
    case K::kBool: return "BOOLEAN";
    case K::kInt16: return "SMALLINT";
    case K::kInt32: return "INTEGER";
    case K::kInt64: return "BIGINT";
    case K::kFloat32: return "FLOAT";
    case K::kFloat64: return "DOUBLE";
    case K::kDecimal: return fmt::format("DECIMAL({},{})", t.precision, t.scale);
    case K::kText: return "VARCHAR";
    case K::kJson: return "JSON";
    case K::kBlob: return "BLOB";
    case K::kDate: return "DATE";
    case K::kTime: return "TIME";
    case K::kTimestamp: return "TIMESTAMP";
    case K::kTimestampTz: return "TIMESTAMPTZ";
    case K::kInterval: return "INTERVAL";
    case K::kUuid: return "UUID";
  }
  return "VARCHAR";
}

namespace {

struct ValueGuard {
  duckdb_value v;
  ~ValueGuard() { duckdb_destroy_value(&v); }
};

// DuckDB's own encodings of ±infinity for dates and timestamps.
constexpr int32_t kDateInfinity = std::numeric_limits<int32_t>::max();
constexpr int64_t kTimestampInfinity = std::numeric_limits<int64_t>::max();

}  // namespace

std::optional<std::string> AppendDatum(Appender& app, const core::LogicalType& type,
                                       const core::Datum& datum) {
  duckdb_appender a = app.raw();
  if (!datum) {
    app.Check(duckdb_append_null(a), "null");
    return std::nullopt;
  }
  core::ConvertResult r = core::ConvertText(type, *datum);
  if (r.reject) {
    app.Check(duckdb_append_null(a), "null");
    return r.reject;
  }
  using K = core::LogicalKind;
  const core::Value& v = r.value;
  switch (type.kind) {
    case K::kBool: app.Check(duckdb_append_bool(a, std::get<bool>(v)), "boolean"); break;
    case K::kInt16:
      app.Check(duckdb_append_int16(a, static_cast<int16_t>(std::get<int64_t>(v))), "smallint");
      break;
    case K::kInt32:
      app.Check(duckdb_append_int32(a, static_cast<int32_t>(std::get<int64_t>(v))), "integer");
      break;
    case K::kInt64: app.Check(duckdb_append_int64(a, std::get<int64_t>(v)), "bigint"); break;
    case K::kFloat32:
      app.Check(duckdb_append_float(a, static_cast<float>(std::get<double>(v))), "float");
      break;
    case K::kFloat64: app.Check(duckdb_append_double(a, std::get<double>(v)), "double"); break;
    case K::kDecimal: {
      __int128 s = std::get<core::DecimalValue>(v).scaled;
      duckdb_hugeint h;
      h.lower = static_cast<uint64_t>(s);
      h.upper = static_cast<int64_t>(s >> 64);
      ValueGuard g{duckdb_create_decimal({type.precision, type.scale, h})};
      app.Check(duckdb_append_value(a, g.v), "decimal");
      break;
    }
    case K::kText:
    case K::kJson: {
      const auto& s = std::get<std::string>(v);
      app.Check(duckdb_append_varchar_length(a, s.data(), s.size()), "varchar");
      break;
    }
    case K::kBlob: {
      const auto& b = std::get<core::BlobValue>(v).bytes;
      app.Check(duckdb_append_blob(a, b.data(), b.size()), "blob");
      break;
    }
    case K::kDate: {
      auto d = std::get<core::DateValue>(v);
      int32_t days = d.infinity > 0 ? kDateInfinity : d.infinity < 0 ? -kDateInfinity : d.days;
      app.Check(duckdb_append_date(a, duckdb_date{days}), "date");
      break;
    }
    case K::kTime:
      app.Check(duckdb_append_time(a, duckdb_time{std::get<core::TimeValue>(v).micros}), "time");
      break;
    case K::kTimestamp:
    case K::kTimestampTz: {
      auto t = std::get<core::TimestampValue>(v);
      int64_t us = t.infinity > 0 ? kTimestampInfinity : t.infinity < 0 ? -kTimestampInfinity : t.micros;
      if (type.kind == K::kTimestamp) {
        app.Check(duckdb_append_timestamp(a, duckdb_timestamp{us}), "timestamp");
      } else {
        ValueGuard g{duckdb_create_timestamp_tz(duckdb_timestamp{us})};
        app.Check(duckdb_append_value(a, g.v), "timestamptz");
      }
      break;
    }
    case K::kInterval: {
      auto i = std::get<core::IntervalValue>(v);
      app.Check(duckdb_append_interval(a, duckdb_interval{i.months, i.days, i.micros}), "interval");
      break;
    }
    case K::kUuid: {
      auto u = std::get<core::UuidValue>(v);
      ValueGuard g{duckdb_create_uuid(duckdb_uhugeint{u.lo, u.hi})};
      app.Check(duckdb_append_value(a, g.v), "uuid");
      break;
    }
  }
  return std::nullopt;
}

}  // namespace wharf::load::duckdb
