#include "load/fresh_rows.hpp"

#include <algorithm>
#include <cstdint>

#include "core/error.hpp"
#include "pg/copy_text.hpp"

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

class FreshTextRows::Cursor : public FreshRows::Cursor {
 public:
  explicit Cursor(FreshTextRows& rows) : rows_(rows) {}
  ~Cursor() override { rows_.rows_read_ += read_; }

  bool NextViews(std::vector<core::DatumView>& row) override {
    std::string_view line;
    if (!NextLine(line)) return false;
    if (!SplitPlainLine(line, row)) {
      try {
        pg::ParseCopyTextRow(line, scratch_, rows_.columns_);
      } catch (const Error& e) {
        Fail(ErrorKind::kStaging, "the rows kept for staged file {} do not parse ({}); nothing was applied",
             rows_.where_, e.message());
      }
      core::ViewRow(scratch_, row);
    }
    return true;
  }

  bool Next(std::vector<core::Datum>& row) override {
    if (!NextViews(views_)) return false;
    core::CopyRow(views_, row);
    return true;
  }

 private:
  // The next line of this cursor's block (taking the next block when it is
  // done), without its newline.
  bool NextLine(std::string_view& line) {
    while (pos_ >= block_.size()) {
      // Waits while a streamed text is still being written.
      auto block = rows_.text_.Block(rows_.next_block_++);
      if (!block) return false;
      block_ = *block;
      pos_ = 0;
    }
    size_t end = block_.find('\n', pos_);  // every line ends in one (FreshText::Add)
    line = block_.substr(pos_, end - pos_);
    pos_ = end + 1;
    ++read_;
    return true;
  }

  // The common line, whose only backslashes are NULLs' (\N), split at its
  // tabs into views of it in one pass; false, `row` undefined, for any other
  // line, which pg::ParseCopyTextRow then parses (and judges).
  bool SplitPlainLine(std::string_view line, std::vector<core::DatumView>& row) const {
    const size_t columns = rows_.columns_;
    if (columns == 0) return false;
    row.resize(columns);
    size_t backslash = line.find('\\');
    size_t start = 0;
    for (size_t i = 0; i < columns; ++i) {
      const bool last = i + 1 == columns;
      size_t tab = line.find('\t', start);
      if (last != (tab == std::string_view::npos)) return false;  // too few or too many fields
      if (last) tab = line.size();
      std::string_view v = line.substr(start, tab - start);
      if (backslash < tab) {
        if (v != "\\N") return false;  // an escape
        row[i].reset();
        backslash = line.find('\\', tab);
      } else {
        row[i].emplace(v);
      }
      start = tab + 1;
    }
    return true;
  }

  FreshTextRows& rows_;
  std::string_view block_;
  size_t pos_ = 0;
  uint64_t read_ = 0;
  std::vector<core::DatumView> views_;  // Next's, before they are copied
};

std::unique_ptr<FreshRows::Cursor> FreshTextRows::OpenCursor() { return std::make_unique<Cursor>(*this); }

size_t FreshTextRows::parallelism() const {
  // Still being written: as many cursors as the warehouse likes, each waiting
  // for a block of its own.
  return text_.state() == staging::FreshText::State::kWriting ? SIZE_MAX : text_.blocks();
}

uint64_t FreshTextRows::rows() const {
  const uint64_t so_far = text_.rows();
  return rows_known() ? so_far : std::max(so_far, expected_rows_);
}

bool FreshTextRows::rows_known() const { return text_.state() != staging::FreshText::State::kWriting; }

void FreshTextRows::Finish() const {
  if (rows_read_ != text_.rows()) {
    Fail(ErrorKind::kInternal, "read {} of the {} rows kept for staged file {}; nothing was applied",
         rows_read_.load(), text_.rows(), where_);
  }
}

}  // namespace wharf::load
