#include "core/pg_types.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

namespace wharf::core {
namespace {

// DuckDB's widest DECIMAL (a 128-bit integer holds any 38-digit number).
constexpr int kMaxDecimalPrecision = 38;
// PostgreSQL adds VARHDRSZ to every length-style typmod; anything below it means "none".
constexpr int32_t kVarHdrSz = 4;

LogicalType Kind(LogicalKind kind) { return LogicalType{kind, 0, 0}; }

// Every built-in array type of PostgreSQL 15 (pg_type rows with typcategory 'A' below
// FirstGenbkiObjectId) as {array OID, element OID}, sorted by array OID. Built-in OIDs are fixed
// across releases; an array type a later release adds is missing here and lands as text, which
// is lossless. Generated with:
//   SELECT oid, typelem FROM pg_type WHERE typcategory = 'A' AND oid < 10000
//     AND oid NOT IN (22, 30) ORDER BY oid;
constexpr std::array<std::pair<uint32_t, uint32_t>, 81> kBuiltinArrays = {{
    {143, 142},   {199, 114},   {210, 71},    {270, 75},    {271, 5069},  {272, 81},
    {273, 83},    {629, 628},   {651, 650},   {719, 718},   {775, 774},   {791, 790},
    {1000, 16},   {1001, 17},   {1002, 18},   {1003, 19},   {1005, 21},   {1006, 22},
    {1007, 23},   {1008, 24},   {1009, 25},   {1010, 27},   {1011, 28},   {1012, 29},
    {1013, 30},   {1014, 1042}, {1015, 1043}, {1016, 20},   {1017, 600},  {1018, 601},
    {1019, 602},  {1020, 603},  {1021, 700},  {1022, 701},  {1027, 604},  {1028, 26},
    {1034, 1033}, {1040, 829},  {1041, 869},  {1115, 1114}, {1182, 1082}, {1183, 1083},
    {1185, 1184}, {1187, 1186}, {1231, 1700}, {1263, 2275}, {1270, 1266}, {1561, 1560},
    {1563, 1562}, {2201, 1790}, {2207, 2202}, {2208, 2203}, {2209, 2204}, {2210, 2205},
    {2211, 2206}, {2949, 2970}, {2951, 2950}, {3221, 3220}, {3643, 3614}, {3644, 3642},
    {3645, 3615}, {3735, 3734}, {3770, 3769}, {3807, 3802}, {3905, 3904}, {3907, 3906},
    {3909, 3908}, {3911, 3910}, {3913, 3912}, {3927, 3926}, {4073, 4072}, {4090, 4089},
    {4097, 4096}, {4192, 4191}, {5039, 5038}, {6150, 4451}, {6151, 4532}, {6152, 4533},
    {6153, 4534}, {6155, 4535}, {6157, 4536},
}};

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

uint32_t BuiltinArrayElement(uint32_t array_oid) {
  const auto it =
      std::lower_bound(kBuiltinArrays.begin(), kBuiltinArrays.end(), array_oid,
                       [](const auto& entry, uint32_t oid) { return entry.first < oid; });
  return it != kBuiltinArrays.end() && it->first == array_oid ? it->second : 0;
}

uint32_t BuiltinArrayOf(uint32_t element_oid) {
  for (const auto& [array, element] : kBuiltinArrays) {
    if (element == element_oid) return array;
  }
  return 0;
}

char ArrayDelimiter(uint32_t element_oid) { return element_oid == oid::kBox ? ';' : ','; }

LogicalType MapColumnType(const Column& column, const TypeOptions& options) {
  if (column.elem_oid == 0) return MapPgType(column.type_oid, column.typmod, options);
  // attndims is 0 when the catalog does not record it (a domain over an array, CREATE TABLE AS);
  // PostgreSQL does not enforce it either way, so values of other shapes are rejected one by one.
  const int dims = std::clamp(column.ndims, 1, kMaxArrayDims);
  return LogicalType::List(MapPgType(column.elem_oid, column.typmod, options), dims,
                           ArrayDelimiter(column.elem_oid));
}

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
    case LogicalKind::kList: {
      std::string name = LogicalTypeName(type.Element());
      for (int i = 0; i < type.dims; ++i) name += "[]";
      return name;
    }
  }
  return "UNKNOWN";
}

}  // namespace wharf::core
