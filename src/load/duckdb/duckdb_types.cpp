#include "load/duckdb/duckdb_types.hpp"

#include <fmt/format.h>

#include <array>
#include <limits>
#include <vector>

#include "core/convert.hpp"
#include "core/error.hpp"

namespace wharf::load::duckdb {

std::string DuckDbTypeName(const core::LogicalType& t) {
  using K = core::LogicalKind;
  switch (t.kind) {
    case K::kBool:
      return "BOOLEAN";
    case K::kInt16:
      return "SMALLINT";
    case K::kInt32:
      return "INTEGER";
    case K::kInt64:
      return "BIGINT";
    case K::kFloat32:
      return "FLOAT";
    case K::kFloat64:
      return "DOUBLE";
    case K::kDecimal:
      return fmt::format("DECIMAL({},{})", t.precision, t.scale);
    case K::kText:
      return "VARCHAR";
    case K::kJson:
      return "JSON";
    case K::kBlob:
      return "BLOB";
    case K::kDate:
      return "DATE";
    case K::kTime:
      return "TIME";
    case K::kTimestamp:
      return "TIMESTAMP";
    case K::kTimestampTz:
      return "TIMESTAMPTZ";
    case K::kInterval:
      return "INTERVAL";
    case K::kUuid:
      return "UUID";
    case K::kList: {
      // int[][] -> INTEGER[][]: DuckDB nests LISTs where PostgreSQL counts dimensions.
      std::string name = DuckDbTypeName(t.Element());
      for (int i = 0; i < t.dims; ++i) name += "[]";
      return name;
    }
  }
  return "VARCHAR";
}

namespace {

struct ValueGuard {
  duckdb_value v;
  ValueGuard(duckdb_value value) : v(value) {}
  ValueGuard(const ValueGuard&) = delete;
  ValueGuard& operator=(const ValueGuard&) = delete;
  ~ValueGuard() { duckdb_destroy_value(&v); }
};

// DuckDB's own encodings of ±infinity for dates and timestamps.
constexpr int32_t kDateInfinity = std::numeric_limits<int32_t>::max();
constexpr int64_t kTimestampInfinity = std::numeric_limits<int64_t>::max();

}  // namespace

int32_t DuckDays(const core::DateValue& d) {
  return d.infinity > 0 ? kDateInfinity : d.infinity < 0 ? -kDateInfinity : d.days;
}
int64_t DuckMicros(const core::TimestampValue& t) {
  return t.infinity > 0 ? kTimestampInfinity : t.infinity < 0 ? -kTimestampInfinity : t.micros;
}
duckdb_hugeint Huge(__int128 s) {
  duckdb_hugeint h;
  h.lower = static_cast<uint64_t>(s);
  h.upper = static_cast<int64_t>(s >> 64);
  return h;
}

namespace {

duckdb_value Checked(duckdb_value v, const char* what) {
  if (v == nullptr) Fail(ErrorKind::kWarehouse, "DuckDB could not create a {} value", what);
  return v;
}

}  // namespace

duckdb_logical_type CreateScalarType(const core::LogicalType& t) {
  using K = core::LogicalKind;
  switch (t.kind) {
    case K::kBool:
      return duckdb_create_logical_type(DUCKDB_TYPE_BOOLEAN);
    case K::kInt16:
      return duckdb_create_logical_type(DUCKDB_TYPE_SMALLINT);
    case K::kInt32:
      return duckdb_create_logical_type(DUCKDB_TYPE_INTEGER);
    case K::kInt64:
      return duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
    case K::kFloat32:
      return duckdb_create_logical_type(DUCKDB_TYPE_FLOAT);
    case K::kFloat64:
      return duckdb_create_logical_type(DUCKDB_TYPE_DOUBLE);
    case K::kDecimal:
      return duckdb_create_decimal_type(t.precision, t.scale);
    // JSON elements are built as VARCHAR: the appender's cast to the JSON[] column keeps the text.
    case K::kText:
    case K::kJson:
      return duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
    case K::kBlob:
      return duckdb_create_logical_type(DUCKDB_TYPE_BLOB);
    case K::kDate:
      return duckdb_create_logical_type(DUCKDB_TYPE_DATE);
    case K::kTime:
      return duckdb_create_logical_type(DUCKDB_TYPE_TIME);
    case K::kTimestamp:
      return duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP);
    case K::kTimestampTz:
      return duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP_TZ);
    case K::kInterval:
      return duckdb_create_logical_type(DUCKDB_TYPE_INTERVAL);
    case K::kUuid:
      return duckdb_create_logical_type(DUCKDB_TYPE_UUID);
    case K::kList:
      break;  // elements are scalars (LogicalType's invariant)
  }
  Fail(ErrorKind::kInternal, "no DuckDB element type for {}", core::LogicalTypeName(t));
}

namespace {

// A converted scalar (or monostate, NULL) as a duckdb_value of type `t`. The caller owns it.
duckdb_value CreateElementValue(const core::LogicalType& t, const core::Value& v) {
  using K = core::LogicalKind;
  if (std::holds_alternative<std::monostate>(v)) return Checked(duckdb_create_null_value(), "NULL");
  switch (t.kind) {
    case K::kBool:
      return Checked(duckdb_create_bool(std::get<bool>(v)), "boolean");
    case K::kInt16:
      return Checked(duckdb_create_int16(static_cast<int16_t>(std::get<int64_t>(v))), "smallint");
    case K::kInt32:
      return Checked(duckdb_create_int32(static_cast<int32_t>(std::get<int64_t>(v))), "integer");
    case K::kInt64:
      return Checked(duckdb_create_int64(std::get<int64_t>(v)), "bigint");
    case K::kFloat32:
      return Checked(duckdb_create_float(static_cast<float>(std::get<double>(v))), "float");
    case K::kFloat64:
      return Checked(duckdb_create_double(std::get<double>(v)), "double");
    case K::kDecimal:
      return Checked(duckdb_create_decimal(
                         {t.precision, t.scale, Huge(std::get<core::DecimalValue>(v).scaled)}),
                     "decimal");
    case K::kText:
    case K::kJson: {
      const auto& s = std::get<std::string>(v);
      return Checked(duckdb_create_varchar_length(s.data(), s.size()), "varchar");
    }
    case K::kBlob: {
      const auto& b = std::get<core::BlobValue>(v).bytes;
      return Checked(duckdb_create_blob(reinterpret_cast<const uint8_t*>(b.data()), b.size()),
                     "blob");
    }
    case K::kDate:
      return Checked(duckdb_create_date(duckdb_date{DuckDays(std::get<core::DateValue>(v))}),
                     "date");
    case K::kTime:
      return Checked(duckdb_create_time(duckdb_time{std::get<core::TimeValue>(v).micros}), "time");
    case K::kTimestamp:
      return Checked(
          duckdb_create_timestamp(duckdb_timestamp{DuckMicros(std::get<core::TimestampValue>(v))}),
          "timestamp");
    case K::kTimestampTz:
      return Checked(duckdb_create_timestamp_tz(
                         duckdb_timestamp{DuckMicros(std::get<core::TimestampValue>(v))}),
                     "timestamptz");
    case K::kInterval: {
      const auto i = std::get<core::IntervalValue>(v);
      return Checked(duckdb_create_interval(duckdb_interval{i.months, i.days, i.micros}),
                     "interval");
    }
    case K::kUuid: {
      const auto u = std::get<core::UuidValue>(v);
      return Checked(duckdb_create_uuid(duckdb_uhugeint{u.lo, u.hi}), "uuid");
    }
    case K::kList:
      break;
  }
  Fail(ErrorKind::kInternal, "no DuckDB element value for {}", core::LogicalTypeName(t));
}

// Owns the duckdb_values of one list's items until the list (which copies them) is built.
class OwnedValues {
 public:
  explicit OwnedValues(size_t n) { values_.reserve(n); }
  OwnedValues(const OwnedValues&) = delete;
  OwnedValues& operator=(const OwnedValues&) = delete;
  ~OwnedValues() {
    for (auto& v : values_) duckdb_destroy_value(&v);
  }
  void Add(duckdb_value v) { values_.push_back(v); }
  duckdb_value* data() { return values_.data(); }
  size_t size() const { return values_.size(); }

 private:
  std::vector<duckdb_value> values_;
};

// The DuckDB types of each level of a (nested) list: at(0) the element type, at(1) a LIST of
// it, and so on up to the list itself. Owns them.
class LevelTypes {
 public:
  LevelTypes(const core::LogicalType& element, int dims) {
    types_[count_++] = CreateScalarType(element);
    while (count_ < dims) {
      types_[count_] = duckdb_create_list_type(types_[count_ - 1]);
      ++count_;
    }
  }
  LevelTypes(const LevelTypes&) = delete;
  LevelTypes& operator=(const LevelTypes&) = delete;
  ~LevelTypes() {
    for (int i = 0; i < count_; ++i) duckdb_destroy_logical_type(&types_[i]);
  }
  duckdb_logical_type at(int level) const { return types_[level]; }

 private:
  std::array<duckdb_logical_type, core::kMaxArrayDims> types_{};
  int count_ = 0;
};

// A (nested) list value with `dims_left` dimensions. The caller owns the result.
duckdb_value CreateListValue(const core::LogicalType& element, const LevelTypes& types,
                             int dims_left, const core::ListValue& list) {
  OwnedValues items(list.items.size());
  for (const core::Value& item : list.items) {
    if (dims_left == 1) {
      items.Add(CreateElementValue(element, item));
      continue;
    }
    // ConvertText builds every level above the elements from sub-arrays, never NULLs.
    const auto* sub = std::get_if<core::ListValue>(&item);
    if (sub == nullptr) Fail(ErrorKind::kInternal, "a list level holds a non-list item");
    items.Add(CreateListValue(element, types, dims_left - 1, *sub));
  }
  // duckdb_create_list_value refuses a null `values` pointer, which an empty vector may give.
  duckdb_value none = nullptr;
  duckdb_value* values = items.size() == 0 ? &none : items.data();
  return Checked(duckdb_create_list_value(types.at(dims_left - 1), values, items.size()), "list");
}

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
    case K::kBool:
      app.Check(duckdb_append_bool(a, std::get<bool>(v)), "boolean");
      break;
    case K::kInt16:
      app.Check(duckdb_append_int16(a, static_cast<int16_t>(std::get<int64_t>(v))), "smallint");
      break;
    case K::kInt32:
      app.Check(duckdb_append_int32(a, static_cast<int32_t>(std::get<int64_t>(v))), "integer");
      break;
    case K::kInt64:
      app.Check(duckdb_append_int64(a, std::get<int64_t>(v)), "bigint");
      break;
    case K::kFloat32:
      app.Check(duckdb_append_float(a, static_cast<float>(std::get<double>(v))), "float");
      break;
    case K::kFloat64:
      app.Check(duckdb_append_double(a, std::get<double>(v)), "double");
      break;
    case K::kDecimal: {
      ValueGuard g{duckdb_create_decimal(
          {type.precision, type.scale, Huge(std::get<core::DecimalValue>(v).scaled)})};
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
      app.Check(duckdb_append_date(a, duckdb_date{DuckDays(std::get<core::DateValue>(v))}), "date");
      break;
    }
    case K::kTime:
      app.Check(duckdb_append_time(a, duckdb_time{std::get<core::TimeValue>(v).micros}), "time");
      break;
    case K::kTimestamp:
    case K::kTimestampTz: {
      const int64_t us = DuckMicros(std::get<core::TimestampValue>(v));
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
    case K::kList: {
      // ConvertText accepted it, so 1 <= dims <= kMaxArrayDims and every level is a ListValue.
      const core::LogicalType element = type.Element();
      const LevelTypes level_types(element, type.dims);
      ValueGuard g{CreateListValue(element, level_types, type.dims, std::get<core::ListValue>(v))};
      app.Check(duckdb_append_value(a, g.v), "list");
      break;
    }
  }
  return std::nullopt;
}

}  // namespace wharf::load::duckdb
