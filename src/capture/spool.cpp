#include "capture/spool.hpp"

#include <cstdio>
#include <cstring>

#include "core/error.hpp"
#include "core/fault.hpp"
#include "staging/jsonl.hpp"

namespace wharf::capture {

namespace fs = std::filesystem;

struct TransactionSpool::Open {
  fs::path path;
  std::FILE* file = nullptr;
  std::vector<char> buffer;
  std::vector<core::RelationSchema> schemas;
  std::set<uint32_t> aborted_subxids;
  uint64_t bytes = 0;
  ~Open() {
    if (file) std::fclose(file);
    std::error_code ec;
    fs::remove(path, ec);
  }
};

namespace {
[[noreturn]] void SpoolIoError(const char* what, const fs::path& path) {
  int err = errno;
  Fail(ErrorKind::kStaging,
       "{} streamed-transaction spool {}: {}{}", what, path.string(), std::strerror(err),
       err == ENOSPC ? "\n  the disk is full: free space; nothing is lost, PostgreSQL sends the "
                       "transaction again after a restart"
                     : "");
}
}  // namespace

TransactionSpool::TransactionSpool(fs::path dir) : dir_(std::move(dir)) {
  std::error_code ec;
  fs::remove_all(dir_, ec);
  fs::create_directories(dir_, ec);
  if (ec) {
    Fail(ErrorKind::kStaging, "cannot create spool directory {}: {}", dir_.string(), ec.message());
  }
}

TransactionSpool::~TransactionSpool() {
  open_.clear();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

TransactionSpool::Open& TransactionSpool::Get(uint32_t xid) {
  auto& slot = open_[xid];
  if (!slot) {
    slot = std::make_unique<Open>();
    slot->path = dir_ / (std::to_string(xid) + ".spool");
    slot->file = std::fopen(slot->path.c_str(), "w+b");
    if (!slot->file) SpoolIoError("cannot create", slot->path);
    slot->buffer.resize(1 << 20);
    std::setvbuf(slot->file, slot->buffer.data(), _IOFBF, slot->buffer.size());
  }
  return *slot;
}

void TransactionSpool::Append(uint32_t xid, uint32_t subxid, const core::RelationSchema& schema,
                              const core::Change& change) {
  Open& t = Get(xid);
  // Schemas change rarely: reuse the last index when the schema is the same.
  uint32_t index = 0;
  if (!t.schemas.empty() && t.schemas.back() == schema) {
    index = static_cast<uint32_t>(t.schemas.size() - 1);
  } else {
    t.schemas.push_back(schema);
    index = static_cast<uint32_t>(t.schemas.size() - 1);
  }
  line_.clear();
  staging::EncodeJsonLine(schema, change, line_);
  uint32_t header[3] = {subxid, index, static_cast<uint32_t>(line_.size())};
  if (std::fwrite(header, sizeof header, 1, t.file) != 1 ||
      std::fwrite(line_.data(), 1, line_.size(), t.file) != line_.size()) {
    SpoolIoError("cannot write", t.path);
  }
  t.bytes += sizeof header + line_.size();
  spooled_bytes_ += sizeof header + line_.size();
  core::FaultPoint("capture.mid_stream");
}

void TransactionSpool::AbortSubtransaction(uint32_t xid, uint32_t subxid) {
  auto it = open_.find(xid);
  if (it != open_.end()) it->second->aborted_subxids.insert(subxid);
}

void TransactionSpool::Abort(uint32_t xid) {
  auto it = open_.find(xid);
  if (it == open_.end()) return;
  spooled_bytes_ -= it->second->bytes;
  open_.erase(it);
}

void TransactionSpool::Replay(
    uint32_t xid, const std::function<void(const core::RelationSchema&, core::Change&)>& emit) {
  auto it = open_.find(xid);
  if (it == open_.end()) return;  // nothing of this transaction touched published tables
  Open& t = *it->second;
  if (std::fflush(t.file) != 0) SpoolIoError("cannot flush", t.path);
  std::rewind(t.file);
  std::string record;
  for (;;) {
    uint32_t header[3];
    size_t n = std::fread(header, sizeof header, 1, t.file);
    if (n != 1) {
      if (std::feof(t.file)) break;
      SpoolIoError("cannot read", t.path);
    }
    record.resize(header[2]);
    if (header[2] && std::fread(record.data(), 1, header[2], t.file) != header[2]) {
      Fail(ErrorKind::kStaging, "streamed-transaction spool {} is truncated", t.path.string());
    }
    if (t.aborted_subxids.count(header[0])) continue;
    if (header[1] >= t.schemas.size()) {
      Fail(ErrorKind::kInternal, "spool {} names schema {} of {}", t.path.string(), header[1],
           t.schemas.size());
    }
    const auto& schema = t.schemas[header[1]];
    auto changes = staging::DecodeJsonLines(schema, record, t.path.string());
    for (auto& c : changes) emit(schema, c);
  }
  spooled_bytes_ -= t.bytes;
  open_.erase(it);
}

}  // namespace wharf::capture
