#pragma once
// PostgreSQL type OIDs and their logical (warehouse-neutral) types.
// The mapping from a logical type to a warehouse column type lives with each
// warehouse adapter; the conversion of PostgreSQL text to a typed value lives
// in core/convert.hpp, one converter per logical kind.
#include <cstdint>
#include <string>

namespace wharf::core {

namespace oid {
inline constexpr uint32_t kBool = 16, kBytea = 17, kChar = 18, kName = 19, kInt8 = 20,
                          kInt2 = 21, kInt4 = 23, kText = 25, kOid = 26, kJson = 114,
                          kXml = 142, kFloat4 = 700, kFloat8 = 701, kMoney = 790,
                          kBpchar = 1042, kVarchar = 1043, kDate = 1082, kTime = 1083,
                          kTimestamp = 1114, kTimestampTz = 1184, kInterval = 1186,
                          kTimeTz = 1266, kNumeric = 1700, kUuid = 2950, kJsonb = 3802;
}

enum class LogicalKind {
  kBool,
  kInt16,
  kInt32,
  kInt64,
  kFloat32,
  kFloat64,
  kDecimal,      // precision/scale set; value is a scaled 128-bit integer
  kText,         // also the fallback for types with no faithful native type
  kJson,
  kBlob,
  kDate,
  kTime,
  kTimestamp,
  kTimestampTz,
  kInterval,
  kUuid,
};

// How unconstrained numeric (no typmod) lands. DESIGN.md: DECIMAL(38,9) by default.
enum class NumericMapping { kDecimal, kString, kDouble };

struct LogicalType {
  LogicalKind kind = LogicalKind::kText;
  uint8_t precision = 0;  // kDecimal only
  uint8_t scale = 0;      // kDecimal only
  bool operator==(const LogicalType&) const = default;
};

struct TypeOptions {
  NumericMapping unconstrained_numeric = NumericMapping::kDecimal;
};

// Maps a built-in type OID (after domains are resolved to their base type) and
// its typmod to a logical type. Unknown OIDs map to kText holding PostgreSQL's text.
LogicalType MapPgType(uint32_t type_oid, int32_t typmod, const TypeOptions& options = {});

std::string LogicalTypeName(const LogicalType& type);

}  // namespace wharf::core
