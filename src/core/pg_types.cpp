#include "core/pg_types.hpp"

#include <fmt/format.h>

namespace wharf::core {
namespace {

// DuckDB's widest DECIMAL (a 128-bit integer holds any 38-digit number).
constexpr int kMaxDecimalPrecision = 38;
// PostgreSQL adds VARHDRSZ to every length-style typmod; anything below it means "none".
constexpr int32_t kVarHdrSz = 4;

LogicalType Kind(LogicalKind kind) { return LogicalType{kind, 0, 0}; }

LogicalType Decimal(int precision, int scale) {
  return LogicalType{LogicalKind::kDecimal, static_cast<uint8_t>(precision),
                     static_cast<uint8_t>(scale)};
}

LogicalType MapUnconstrainedNumeric(const TypeOptions& options) {
  switch (options.unconstrained_numeric) {
    case NumericMapping::kDecimal:
      return Decimal(38, 9);  // DESIGN.md default; values needing more are rejected, not rounded
    case NumericMapping::kString:
      return Kind(LogicalKind::kText);
    case NumericMapping::kDouble:
      return Kind(LogicalKind::kFloat64);
  }
  return Kind(LogicalKind::kText);
}

// numeric(p,s). The typmod is ((p << 16) | (s & 0x7ff)) + VARHDRSZ; since PostgreSQL 15 the
// scale is an 11-bit signed field (-1000..1000) and may be negative or exceed the precision.
// The target must hold every value the column can hold, or the column becomes text.
LogicalType MapNumeric(int32_t typmod, const TypeOptions& options) {
  if (typmod < kVarHdrSz) return MapUnconstrainedNumeric(options);
  const int32_t bits = typmod - kVarHdrSz;
  const int precision = (bits >> 16) & 0xffff;
  const int scale = ((bits & 0x7ff) ^ 1024) - 1024;  // sign-extend, as NUMERIC_TYPMOD_SCALE does
  if (precision < 1) return MapUnconstrainedNumeric(options);  // not a typmod PostgreSQL makes

  if (scale < 0) {
    // numeric(5,-2) rounds to hundreds: up to p - s = 7 integer digits, never a fraction.
    const int digits = precision - scale;
    if (digits > kMaxDecimalPrecision) return Kind(LogicalKind::kText);
    return Decimal(digits, 0);
  }
  if (scale > precision) {
    // numeric(3,5) holds |x| < 10^-2 with 5 fractional digits: DECIMAL(5,5) holds all of them.
    if (scale > kMaxDecimalPrecision) return Kind(LogicalKind::kText);
    return Decimal(scale, scale);
  }
  if (precision > kMaxDecimalPrecision) return Kind(LogicalKind::kText);  // exact as a string
  return Decimal(precision, scale);
}

}  // namespace

LogicalType MapPgType(uint32_t type_oid, int32_t typmod, const TypeOptions& options) {
  switch (type_oid) {
    case oid::kBool:
      return Kind(LogicalKind::kBool);
    case oid::kInt2:
      return Kind(LogicalKind::kInt16);
    case oid::kInt4:
      return Kind(LogicalKind::kInt32);
    case oid::kOid:  // unsigned 32-bit: values above 2^31 do not fit a signed INTEGER
    case oid::kInt8:
      return Kind(LogicalKind::kInt64);
    case oid::kFloat4:
      return Kind(LogicalKind::kFloat32);
    case oid::kFloat8:
      return Kind(LogicalKind::kFloat64);
    case oid::kNumeric:
      return MapNumeric(typmod, options);
    case oid::kJson:
    case oid::kJsonb:
      return Kind(LogicalKind::kJson);
    case oid::kBytea:
      return Kind(LogicalKind::kBlob);
    case oid::kDate:
      return Kind(LogicalKind::kDate);
    case oid::kTime:
      return Kind(LogicalKind::kTime);
    case oid::kTimestamp:
      return Kind(LogicalKind::kTimestamp);
    case oid::kTimestampTz:
      return Kind(LogicalKind::kTimestampTz);
    case oid::kInterval:
      return Kind(LogicalKind::kInterval);
    case oid::kUuid:
      return Kind(LogicalKind::kUuid);
    // Text types, and types with no faithful native type: timetz (DuckDB's TIMETZ does not keep
    // PostgreSQL's semantics), money (locale-formatted), xml, and every OID not listed here.
    case oid::kText:
    case oid::kVarchar:
    case oid::kBpchar:
    case oid::kName:
    case oid::kChar:
    case oid::kTimeTz:
    case oid::kMoney:
    case oid::kXml:
    default:
      return Kind(LogicalKind::kText);
  }
}

std::string LogicalTypeName(const LogicalType& type) {
  switch (type.kind) {
    case LogicalKind::kBool:
      return "BOOLEAN";
    case LogicalKind::kInt16:
      return "SMALLINT";
    case LogicalKind::kInt32:
      return "INTEGER";
    case LogicalKind::kInt64:
      return "BIGINT";
    case LogicalKind::kFloat32:
      return "FLOAT";
    case LogicalKind::kFloat64:
      return "DOUBLE";
    case LogicalKind::kDecimal:
      return fmt::format("DECIMAL({},{})", type.precision, type.scale);
    case LogicalKind::kText:
      return "VARCHAR";
    case LogicalKind::kJson:
      return "JSON";
    case LogicalKind::kBlob:
      return "BLOB";
    case LogicalKind::kDate:
      return "DATE";
    case LogicalKind::kTime:
      return "TIME";
    case LogicalKind::kTimestamp:
      return "TIMESTAMP";
    case LogicalKind::kTimestampTz:
      return "TIMESTAMPTZ";
    case LogicalKind::kInterval:
      return "INTERVAL";
    case LogicalKind::kUuid:
      return "UUID";
  }
  return "UNKNOWN";
}

}  // namespace wharf::core
