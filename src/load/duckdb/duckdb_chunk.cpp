#include "load/duckdb/duckdb_chunk.hpp"

#include <charconv>
#include <cstring>
#include <variant>

#include "core/convert.hpp"
#include "core/error.hpp"
#include "load/duckdb/duckdb_types.hpp"

namespace wharf::load::duckdb {

namespace {

using K = core::LogicalKind;

template <typename T>
void Put(void* data, uint64_t row, T value) {
  static_cast<T*>(data)[row] = value;
}

template <typename T>
bool PutInteger(void* data, uint64_t row, std::string_view text) {
  T v;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || p != end) return false;
  Put<T>(data, row, v);
  return true;
}

// "[-]digits[.digits]" that plainly fits DECIMAL(precision <= 18, scale):
// no more fraction digits than the scale, no more integer digits than
// precision - scale.
bool PutDecimal(void* data, uint64_t row, const core::LogicalType& type, std::string_view text) {
  if (type.precision > 18 || type.precision < 1 || type.scale > type.precision) return false;
  const char* p = text.data();
  const char* end = p + text.size();
  const bool negative = p < end && *p == '-';
  if (negative) ++p;
  int64_t value = 0;  // at most 18 digits in all: no overflow
  int digits = 0, significant = 0;
  for (; p < end && *p >= '0' && *p <= '9'; ++p, ++digits) {
    if (significant == 0 && *p == '0') continue;
    if (++significant > type.precision - type.scale) return false;
    value = value * 10 + (*p - '0');
  }
  if (digits == 0) return false;
  int fraction_digits = 0;
  if (p < end && *p == '.') {
    ++p;
    for (; p < end && *p >= '0' && *p <= '9'; ++p, ++fraction_digits) {
      if (fraction_digits == type.scale) return false;
      value = value * 10 + (*p - '0');
    }
    if (fraction_digits == 0) return false;
  }
  if (p != end) return false;
  for (int i = fraction_digits; i < type.scale; ++i) value *= 10;
  if (negative) value = -value;
  if (type.precision <= 4) Put<int16_t>(data, row, static_cast<int16_t>(value));
  else if (type.precision <= 9) Put<int32_t>(data, row, static_cast<int32_t>(value));
  else Put<int64_t>(data, row, value);
  return true;
}

// The commonest values as PostgreSQL writes them (integers, booleans,
// decimals up to 18 digits, plain dates and timestamps), stored without
// building a ConvertResult; false hands the text to core::ConvertText, which
// decides (and explains) everything else, so a value lands the same either
// way (tests/unit/load/duckdb_chunk_test.cpp compares the two).
bool PutCommon(void* data, uint64_t row, const core::LogicalType& type, std::string_view text) {
  switch (type.kind) {
    case K::kInt16:
      return PutInteger<int16_t>(data, row, text);
    case K::kInt32:
      return PutInteger<int32_t>(data, row, text);
    case K::kInt64:
      return PutInteger<int64_t>(data, row, text);
    case K::kBool:
      if (text.size() != 1 || (text[0] != 't' && text[0] != 'f')) return false;
      Put<bool>(data, row, text[0] == 't');
      return true;
    case K::kDecimal:
      return PutDecimal(data, row, type, text);
    case K::kDate:
      if (auto days = core::PlainDateDays(text)) {
        Put<int32_t>(data, row, *days);
        return true;
      }
      return false;
    case K::kTimestamp:
    case K::kTimestampTz:
      if (auto micros = core::PlainTimestampMicros(text, type.kind == K::kTimestampTz)) {
        Put<int64_t>(data, row, *micros);
        return true;
      }
      return false;
    default:
      return false;
  }
}

}  // namespace

bool ChunkAppendable(const std::vector<core::LogicalType>& types) {
  for (const auto& t : types)
    if (t.kind == K::kList) return false;
  return true;
}

std::vector<duckdb_logical_type> ChunkTypes(const std::vector<core::LogicalType>& types) {
  std::vector<duckdb_logical_type> logical;
  for (const auto& t : types) logical.push_back(CreateScalarType(t));
  logical.push_back(duckdb_create_logical_type(DUCKDB_TYPE_BIGINT));        // _wharf_lsn
  logical.push_back(duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP_TZ));  // _wharf_synced_at
  return logical;
}

void ChunkFiller::Bind(duckdb_data_chunk chunk) {
  size_t n = duckdb_data_chunk_get_column_count(chunk);
  vectors_.resize(n);
  data_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    vectors_[i] = duckdb_data_chunk_get_vector(chunk, i);
    data_[i] = duckdb_vector_get_data(vectors_[i]);
  }
}

void ChunkFiller::SetNull(size_t column, uint64_t row) {
  duckdb_vector_ensure_validity_writable(vectors_[column]);
  duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vectors_[column]), row);
}

void ChunkFiller::SetRow(uint64_t row, const std::vector<core::Datum>& values, const RejectFn& on_reject) {
  for (size_t i = 0; i < types_.size(); ++i) {
    SetValue(i, row, i < values.size() && values[i] ? core::DatumView(*values[i]) : std::nullopt, on_reject);
  }
}

void ChunkFiller::SetRow(uint64_t row, const std::vector<core::DatumView>& values, const RejectFn& on_reject) {
  for (size_t i = 0; i < types_.size(); ++i) SetValue(i, row, i < values.size() ? values[i] : std::nullopt, on_reject);
}

ChunkAppender::ChunkAppender(Appender& app, std::vector<core::LogicalType> types)
    : app_(app), filler_(std::move(types)) {
  std::vector<duckdb_logical_type> logical = ChunkTypes(filler_.types());
  chunk_ = duckdb_create_data_chunk(logical.data(), logical.size());
  for (auto& l : logical) duckdb_destroy_logical_type(&l);
  if (!chunk_) Fail(ErrorKind::kWarehouse, "DuckDB could not create a data chunk");
  capacity_ = duckdb_vector_size();
  filler_.Bind(chunk_);
}

ChunkAppender::~ChunkAppender() { duckdb_destroy_data_chunk(&chunk_); }

void ChunkFiller::SetValue(size_t column, uint64_t row, core::DatumView datum,
                           const RejectFn& on_reject) {
  if (!datum) return SetNull(column, row);
  const core::LogicalType& type = types_[column];
  void* data = data_[column];
  if (type.kind == K::kText || type.kind == K::kJson) {
    // The text converter is the identity: no copy through a Value.
    duckdb_vector_assign_string_element_len(vectors_[column], row, datum->data(), datum->size());
    return;
  }
  if (PutCommon(data, row, type, *datum)) return;
  core::ConvertResult r = core::ConvertText(type, *datum);
  if (r.reject) {
    SetNull(column, row);
    on_reject(column, *r.reject);
    return;
  }
  const core::Value& v = r.value;
  switch (type.kind) {
    case K::kBool:
      Put<bool>(data, row, std::get<bool>(v));
      break;
    case K::kInt16:
      Put<int16_t>(data, row, static_cast<int16_t>(std::get<int64_t>(v)));
      break;
    case K::kInt32:
      Put<int32_t>(data, row, static_cast<int32_t>(std::get<int64_t>(v)));
      break;
    case K::kInt64:
      Put<int64_t>(data, row, std::get<int64_t>(v));
      break;
    case K::kFloat32:
      Put<float>(data, row, static_cast<float>(std::get<double>(v)));
      break;
    case K::kFloat64:
      Put<double>(data, row, std::get<double>(v));
      break;
    case K::kDecimal: {
      // DuckDB stores a decimal in the narrowest integer its width fits.
      __int128 s = std::get<core::DecimalValue>(v).scaled;
      if (type.precision <= 4) {
        Put<int16_t>(data, row, static_cast<int16_t>(s));
      } else if (type.precision <= 9) {
        Put<int32_t>(data, row, static_cast<int32_t>(s));
      } else if (type.precision <= 18) {
        Put<int64_t>(data, row, static_cast<int64_t>(s));
      } else {
        Put<duckdb_hugeint>(data, row, Huge(s));
      }
      break;
    }
    case K::kBlob: {
      const auto& b = std::get<core::BlobValue>(v).bytes;
      duckdb_vector_assign_string_element_len(vectors_[column], row,
                                              reinterpret_cast<const char*>(b.data()), b.size());
      break;
    }
    case K::kDate:
      Put<int32_t>(data, row, DuckDays(std::get<core::DateValue>(v)));
      break;
    case K::kTime:
      Put<int64_t>(data, row, std::get<core::TimeValue>(v).micros);
      break;
    case K::kTimestamp:
    case K::kTimestampTz:
      Put<int64_t>(data, row, DuckMicros(std::get<core::TimestampValue>(v)));
      break;
    case K::kInterval: {
      auto i = std::get<core::IntervalValue>(v);
      Put<duckdb_interval>(data, row, duckdb_interval{i.months, i.days, i.micros});
      break;
    }
    case K::kUuid: {
      // DuckDB keeps a UUID as a hugeint with the top bit flipped, so that
      // signed comparison orders UUIDs as their bytes do.
      auto u = std::get<core::UuidValue>(v);
      duckdb_hugeint h;
      h.lower = u.lo;
      h.upper = static_cast<int64_t>(u.hi ^ (uint64_t{1} << 63));
      Put<duckdb_hugeint>(data, row, h);
      break;
    }
    case K::kText:
    case K::kJson:
    case K::kList:
      Fail(ErrorKind::kInternal, "ChunkFiller::SetValue: unexpected {}", core::LogicalTypeName(type));
  }
}

void ChunkAppender::Add(const std::vector<core::Datum>& values, int64_t lsn, int64_t synced_at_micros,
                        const RejectFn& on_reject) {
  filler_.SetRow(rows_, values, on_reject);
  const size_t n = filler_.types().size();
  filler_.SetInt64(n, rows_, lsn);
  filler_.SetInt64(n + 1, rows_, synced_at_micros);
  if (++rows_ == capacity_) Flush();
}

void ChunkAppender::Flush() {
  if (rows_ == 0) return;
  duckdb_data_chunk_set_size(chunk_, rows_);
  app_.Check(duckdb_append_data_chunk(app_.raw(), chunk_), "data chunk");
  duckdb_data_chunk_reset(chunk_);
  filler_.Bind(chunk_);
  rows_ = 0;
}

}  // namespace wharf::load::duckdb
