#pragma once
// PostgreSQL type OIDs and their logical (warehouse-neutral) types.
// The mapping from a logical type to a warehouse column type lives with each
// warehouse adapter; the conversion of PostgreSQL text to a typed value lives
// in core/convert.hpp, one converter per logical kind.
#include <cstdint>
#include <string>

#include "core/relation.hpp"

namespace wharf::core {

namespace oid {
inline constexpr uint32_t kBool = 16, kBytea = 17, kChar = 18, kName = 19, kInt8 = 20, kInt2 = 21,
                          kInt4 = 23, kText = 25, kOid = 26, kJson = 114, kXml = 142, kFloat4 = 700,
                          kFloat8 = 701, kMoney = 790, kBpchar = 1042, kVarchar = 1043,
                          kDate = 1082, kTime = 1083, kTimestamp = 1114, kTimestampTz = 1184,
                          kInterval = 1186, kTimeTz = 1266, kNumeric = 1700, kUuid = 2950,
                          kJsonb = 3802, kBox = 603;
}

// PostgreSQL's MAXDIM: no array has more dimensions.
inline constexpr int kMaxArrayDims = 6;

// The element type OID of a built-in array type (1007 int4[] -> 23 int4), 0 for any other OID.
// int2vector and oidvector are not arrays here: their text form is "1 2 3", not "{1,2,3}".
uint32_t BuiltinArrayElement(uint32_t array_oid);
// The built-in array type whose elements are `element_oid` (23 -> 1007), 0 if there is none.
uint32_t BuiltinArrayOf(uint32_t element_oid);
// The delimiter between elements in the array text of `element_oid` (pg_type.typdelim): ';' for
// box, whose own text "(1,1),(0,0)" holds commas, and ',' for every other built-in type.
char ArrayDelimiter(uint32_t element_oid);

enum class LogicalKind {
  kBool,
  kInt16,
  kInt32,
  kInt64,
  kFloat32,
  kFloat64,
  kDecimal,  // precision/scale set; value is a scaled 128-bit integer
  kText,     // also the fallback for types with no faithful native type
  kJson,
  kBlob,
  kDate,
  kTime,
  kTimestamp,
  kTimestampTz,
  kInterval,
  kUuid,
  kList,  // a PostgreSQL array: `element` (with precision/scale) nested `dims` deep
};

// How unconstrained numeric (no typmod) lands. DESIGN.md: DECIMAL(38,9) by default.
enum class NumericMapping { kDecimal, kString, kDouble };

struct LogicalType {
  LogicalKind kind = LogicalKind::kText;
  uint8_t precision = 0;  // kDecimal, or a kList of kDecimal elements
  uint8_t scale = 0;      // kDecimal, or a kList of kDecimal elements
  // kList only. PostgreSQL arrays have no nested element arrays, only dimensions, so a list's
  // element is always a scalar kind and `dims` (1..kMaxArrayDims) says how deep lists nest:
  // int[] is {kList, element kInt32, dims 1}, int[][] the same with dims 2.
  LogicalKind element = LogicalKind::kText;
  uint8_t dims = 0;
  char delimiter = ',';  // between elements in PostgreSQL's array text (see ArrayDelimiter)
  bool operator==(const LogicalType&) const = default;

  // The element type of a kList (its kind, precision and scale).
  LogicalType Element() const { return LogicalType{element, precision, scale}; }
  static LogicalType List(const LogicalType& element, int dims, char delimiter) {
    LogicalType list{LogicalKind::kList, element.precision, element.scale};
    list.element = element.kind;
    list.dims = static_cast<uint8_t>(dims);
    list.delimiter = delimiter;
    return list;
  }
};

struct TypeOptions {
  NumericMapping unconstrained_numeric = NumericMapping::kDecimal;
};

// Maps a built-in type OID (after domains are resolved to their base type) and
// its typmod to a logical type. Unknown OIDs map to kText holding PostgreSQL's text.
LogicalType MapPgType(uint32_t type_oid, int32_t typmod, const TypeOptions& options = {});

// A column's logical type: MapPgType of its type, or, for an array column (elem_oid set), a
// kList of MapPgType(elem_oid, typmod) nested ndims deep (an array's typmod is its element's).
LogicalType MapColumnType(const Column& column, const TypeOptions& options = {});

std::string LogicalTypeName(const LogicalType& type);

}  // namespace wharf::core
