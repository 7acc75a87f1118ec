#include "load/duckdb/duckdb_chunk.hpp"

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

}  // namespace

bool ChunkAppendable(const std::vector<core::LogicalType>& types) {
  for (const auto& t : types)
    if (t.kind == K::kList) return false;
  return true;
}

ChunkAppender::ChunkAppender(Appender& app, std::vector<core::LogicalType> types)
    : app_(app), types_(std::move(types)) {
  std::vector<duckdb_logical_type> logical;
  for (const auto& t : types_) logical.push_back(CreateScalarType(t));
  logical.push_back(duckdb_create_logical_type(DUCKDB_TYPE_BIGINT));        // _wharf_lsn
  logical.push_back(duckdb_create_logical_type(DUCKDB_TYPE_TIMESTAMP_TZ));  // _wharf_synced_at
  chunk_ = duckdb_create_data_chunk(logical.data(), logical.size());
  for (auto& l : logical) duckdb_destroy_logical_type(&l);
  if (!chunk_) Fail(ErrorKind::kWarehouse, "DuckDB could not create a data chunk");
  capacity_ = duckdb_vector_size();
  for (size_t i = 0; i < types_.size() + 2; ++i) {
    vectors_.push_back(duckdb_data_chunk_get_vector(chunk_, i));
    data_.push_back(duckdb_vector_get_data(vectors_.back()));
  }
}

ChunkAppender::~ChunkAppender() { duckdb_destroy_data_chunk(&chunk_); }

void ChunkAppender::SetNull(size_t column) {
  duckdb_vector_ensure_validity_writable(vectors_[column]);
  duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vectors_[column]), rows_);
}

void ChunkAppender::SetValue(size_t column, const core::Datum& datum, const RejectFn& on_reject) {
  if (!datum) return SetNull(column);
  const core::LogicalType& type = types_[column];
  void* data = data_[column];
  if (type.kind == K::kText || type.kind == K::kJson) {
    // The text converter is the identity: no copy through a Value.
    duckdb_vector_assign_string_element_len(vectors_[column], rows_, datum->data(), datum->size());
    return;
  }
  core::ConvertResult r = core::ConvertText(type, *datum);
  if (r.reject) {
    SetNull(column);
    on_reject(column, *r.reject);
    return;
  }
  const core::Value& v = r.value;
  switch (type.kind) {
    case K::kBool:
      Put<bool>(data, rows_, std::get<bool>(v));
      break;
    case K::kInt16:
      Put<int16_t>(data, rows_, static_cast<int16_t>(std::get<int64_t>(v)));
      break;
    case K::kInt32:
      Put<int32_t>(data, rows_, static_cast<int32_t>(std::get<int64_t>(v)));
      break;
    case K::kInt64:
      Put<int64_t>(data, rows_, std::get<int64_t>(v));
      break;
    case K::kFloat32:
      Put<float>(data, rows_, static_cast<float>(std::get<double>(v)));
      break;
    case K::kFloat64:
      Put<double>(data, rows_, std::get<double>(v));
      break;
    case K::kDecimal: {
      // DuckDB stores a decimal in the narrowest integer its width fits.
      __int128 s = std::get<core::DecimalValue>(v).scaled;
      if (type.precision <= 4) {
        Put<int16_t>(data, rows_, static_cast<int16_t>(s));
      } else if (type.precision <= 9) {
        Put<int32_t>(data, rows_, static_cast<int32_t>(s));
      } else if (type.precision <= 18) {
        Put<int64_t>(data, rows_, static_cast<int64_t>(s));
      } else {
        Put<duckdb_hugeint>(data, rows_, Huge(s));
      }
      break;
    }
    case K::kBlob: {
      const auto& b = std::get<core::BlobValue>(v).bytes;
      duckdb_vector_assign_string_element_len(vectors_[column], rows_,
                                              reinterpret_cast<const char*>(b.data()), b.size());
      break;
    }
    case K::kDate:
      Put<int32_t>(data, rows_, DuckDays(std::get<core::DateValue>(v)));
      break;
    case K::kTime:
      Put<int64_t>(data, rows_, std::get<core::TimeValue>(v).micros);
      break;
    case K::kTimestamp:
    case K::kTimestampTz:
      Put<int64_t>(data, rows_, DuckMicros(std::get<core::TimestampValue>(v)));
      break;
    case K::kInterval: {
      auto i = std::get<core::IntervalValue>(v);
      Put<duckdb_interval>(data, rows_, duckdb_interval{i.months, i.days, i.micros});
      break;
    }
    case K::kUuid: {
      // DuckDB keeps a UUID as a hugeint with the top bit flipped, so that
      // signed comparison orders UUIDs as their bytes do.
      auto u = std::get<core::UuidValue>(v);
      duckdb_hugeint h;
      h.lower = u.lo;
      h.upper = static_cast<int64_t>(u.hi ^ (uint64_t{1} << 63));
      Put<duckdb_hugeint>(data, rows_, h);
      break;
    }
    case K::kText:
    case K::kJson:
    case K::kList:
      Fail(ErrorKind::kInternal, "ChunkAppender::SetValue: unexpected {}", core::LogicalTypeName(type));
  }
}

void ChunkAppender::Add(const std::vector<core::Datum>& values, int64_t lsn, int64_t synced_at_micros,
                        const RejectFn& on_reject) {
  for (size_t i = 0; i < types_.size(); ++i) {
    SetValue(i, i < values.size() ? values[i] : core::Datum(), on_reject);
  }
  Put<int64_t>(data_[types_.size()], rows_, lsn);
  Put<int64_t>(data_[types_.size() + 1], rows_, synced_at_micros);
  if (++rows_ == capacity_) Flush();
}

void ChunkAppender::Flush() {
  if (rows_ == 0) return;
  duckdb_data_chunk_set_size(chunk_, rows_);
  app_.Check(duckdb_append_data_chunk(app_.raw(), chunk_), "data chunk");
  duckdb_data_chunk_reset(chunk_);
  // Reset may hand the vectors new buffers.
  for (size_t i = 0; i < vectors_.size(); ++i) {
    vectors_[i] = duckdb_data_chunk_get_vector(chunk_, i);
    data_[i] = duckdb_vector_get_data(vectors_[i]);
  }
  rows_ = 0;
}

}  // namespace wharf::load::duckdb
