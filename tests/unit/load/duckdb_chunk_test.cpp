// ChunkFiller stores the commonest values (integers, booleans, decimals up
// to 18 digits, plain dates and timestamps) without going through
// core::ConvertText: every text, plain,
// edge or malformed, must land in the DuckDB vector exactly as ConvertText
// says (the same value, or NULL with a reject).
#include "load/duckdb/duckdb_chunk.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <variant>
#include <vector>

#include "core/convert.hpp"
#include "load/duckdb/duckdb_types.hpp"

namespace wharf::load::duckdb {
namespace {

using K = core::LogicalKind;

core::LogicalType Type(K kind, uint8_t precision = 0, uint8_t scale = 0) {
  core::LogicalType t;
  t.kind = kind;
  t.precision = precision;
  t.scale = scale;
  return t;
}

// What ConvertText makes of `text`, as the integer DuckDB stores (nullopt: a reject).
std::optional<__int128> Expected(const core::LogicalType& type, const std::string& text) {
  core::ConvertResult r = core::ConvertText(type, text);
  if (r.reject) return std::nullopt;
  if (auto* b = std::get_if<bool>(&r.value)) return *b ? 1 : 0;
  if (auto* i = std::get_if<int64_t>(&r.value)) return *i;
  if (auto* d = std::get_if<core::DateValue>(&r.value)) return DuckDays(*d);
  if (auto* t = std::get_if<core::TimestampValue>(&r.value)) return DuckMicros(*t);
  return std::get<core::DecimalValue>(r.value).scaled;
}

std::optional<__int128> Stored(duckdb_vector v, const core::LogicalType& type, uint64_t row) {
  uint64_t* validity = duckdb_vector_get_validity(v);
  if (validity && !duckdb_validity_row_is_valid(validity, row)) return std::nullopt;
  void* data = duckdb_vector_get_data(v);
  auto width = [&]() -> int {
    switch (type.kind) {
      case K::kBool: return 0;
      case K::kInt16: return 16;
      case K::kInt32:
      case K::kDate: return 32;
      case K::kTimestamp:
      case K::kTimestampTz:
      case K::kInt64: return 64;
      default: return type.precision <= 4 ? 16 : type.precision <= 9 ? 32 : type.precision <= 18 ? 64 : 128;
    }
  }();
  switch (width) {
    case 0: return static_cast<bool*>(data)[row] ? 1 : 0;
    case 16: return static_cast<int16_t*>(data)[row];
    case 32: return static_cast<int32_t*>(data)[row];
    case 64: return static_cast<int64_t*>(data)[row];
    default: {
      auto h = static_cast<duckdb_hugeint*>(data)[row];
      return (static_cast<__int128>(h.upper) << 64) | h.lower;
    }
  }
}

TEST(ChunkFiller, CommonValuesLandAsConvertTextSays) {
  const std::vector<core::LogicalType> types = {
      Type(K::kInt16),         Type(K::kInt32),         Type(K::kInt64),         Type(K::kBool),
      Type(K::kDecimal, 4, 2), Type(K::kDecimal, 9, 0), Type(K::kDecimal, 12, 2), Type(K::kDecimal, 18, 6),
      Type(K::kDecimal, 18, 18), Type(K::kDecimal, 38, 2), Type(K::kDate), Type(K::kTimestamp),
      Type(K::kTimestampTz)};
  const std::vector<std::string> texts = {
      "0", "-0", "1", "-1", "7", "42", "007", "-007", "32767", "32768", "-32768", "-32769", "2147483647",
      "2147483648", "-2147483648", "-2147483649", "9223372036854775807", "9223372036854775808",
      "-9223372036854775808", "-9223372036854775809", "+1", " 1", "1 ", "", "-", ".", "1.", ".5", "0.5",
      "-0.5", "00.50", "12.34", "12.345", "12.340", "-99.99", "99.99", "100.00", "999999999", "1000000000",
      "9999999999.99", "10000000000.00", "-9999999999.99", "123456789012.123456", "999999999999.999999",
      "0.000001", "0.0000001", "0.000000000000000001", "0.1234567890123456789", "1e5", "NaN", "Infinity",
      "-Infinity", "t", "f", "true", "false", "T", "yes", "1.5.5", "--1", "0x10", "١", "2024-02-29",
      "2023-02-29", "0044-03-15 BC", "infinity", "2024-02-29 23:59:59.999999", "2024-01-01 00:00:00+00",
      "2024-01-01 00:00:00-05:30", "2024-01-01 00:00:00+05:30:15", "2024-01-01 24:00:00+00",
      "2024-01-01 00:00:00.1234567+00", "0044-03-15 12:00:00+00 BC"};
  std::vector<duckdb_logical_type> logical = ChunkTypes(types);
  duckdb_data_chunk chunk = duckdb_create_data_chunk(logical.data(), logical.size());
  for (auto& l : logical) duckdb_destroy_logical_type(&l);
  ChunkFiller filler(types);
  filler.Bind(chunk);
  std::vector<std::vector<size_t>> rejected(texts.size());
  for (size_t r = 0; r < texts.size(); ++r) {
    std::vector<core::Datum> row(types.size(), texts[r]);
    filler.SetRow(r, row, [&](size_t column, const std::string&) { rejected[r].push_back(column); });
  }
  for (size_t c = 0; c < types.size(); ++c) {
    duckdb_vector v = duckdb_data_chunk_get_vector(chunk, c);
    for (size_t r = 0; r < texts.size(); ++r) {
      auto want = Expected(types[c], texts[r]);
      auto got = Stored(v, types[c], r);
      const bool was_rejected =
          std::find(rejected[r].begin(), rejected[r].end(), c) != rejected[r].end();
      SCOPED_TRACE(core::LogicalTypeName(types[c]) + " '" + texts[r] + "'");
      EXPECT_EQ(want.has_value(), got.has_value());
      EXPECT_EQ(was_rejected, !want.has_value());
      if (want && got) {
        EXPECT_TRUE(*want == *got) << static_cast<long long>(*want) << " vs " << static_cast<long long>(*got);
      }
    }
  }
  duckdb_destroy_data_chunk(&chunk);
}

}  // namespace
}  // namespace wharf::load::duckdb
