#pragma once
// The rows of a fresh staged file (ManifestFile::fresh) for Warehouse::AppendRows,
// read through a ParallelChangeReader: every change must be a snapshot row of
// the batch's LSN, else the file is not what its manifest says.
#include <memory>
#include <string>

#include "core/lsn.hpp"
#include "load/warehouse.hpp"
#include "staging/parallel_reader.hpp"

namespace wharf::load {

class FreshFileRows : public FreshRows {
 public:
  // `reader` must outlive this.
  FreshFileRows(staging::ParallelChangeReader& reader, uint64_t rows, Lsn lsn, std::string where)
      : reader_(reader), rows_(rows), lsn_(lsn), where_(std::move(where)) {}
  std::unique_ptr<Cursor> OpenCursor() override;
  size_t parallelism() const override { return reader_.parallelism(); }
  uint64_t rows() const override { return rows_; }

 private:
  staging::ParallelChangeReader& reader_;
  const uint64_t rows_;
  const Lsn lsn_;
  const std::string where_;
};

}  // namespace wharf::load
