#include "load/fresh_rows.hpp"

#include "core/error.hpp"

namespace wharf::load {

namespace {

class FreshCursor : public FreshRows::Cursor {
 public:
  FreshCursor(std::unique_ptr<staging::ParallelChangeReader::Cursor> changes, Lsn lsn, const std::string& where)
      : changes_(std::move(changes)), lsn_(lsn), where_(where) {}

  bool Next(std::vector<core::Datum>& row) override {
    if (!changes_->Next(change_)) return false;
    if (change_.op != core::Op::kSnapshot || change_.lsn != lsn_) {
      Fail(ErrorKind::kStaging,
           "staged file {} is marked fresh but holds a change that is not a snapshot row of LSN {} "
           "(op {}, LSN {}); restore the file, or resynchronise the source",
           where_, lsn_.ToString(), static_cast<char>(change_.op), change_.lsn.ToString());
    }
    row.swap(change_.row);  // the reader refills the previous row's buffers
    return true;
  }

 private:
  std::unique_ptr<staging::ParallelChangeReader::Cursor> changes_;
  const Lsn lsn_;
  const std::string& where_;
  core::Change change_;
};

}  // namespace

std::unique_ptr<FreshRows::Cursor> FreshFileRows::OpenCursor() {
  return std::make_unique<FreshCursor>(reader_.OpenCursor(), lsn_, where_);
}

}  // namespace wharf::load
