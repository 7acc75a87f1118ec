#pragma once
// On-disk spool of in-progress streamed transactions (pgoutput streaming,
// protocol 2+). PostgreSQL streams a large transaction in chunks before it
// commits; the chunks are kept here, one file per top-level transaction, until
// Stream Commit replays them into a batch or Stream Abort drops them (a
// subtransaction abort drops only that subtransaction's changes). Memory stays
// bounded: only relation schemas and the set of aborted subtransactions are
// held in memory.
//
// Record format (little-endian): u32 subxid, u32 schema index, u32 length, then
// `length` bytes of one JSON line as staging writes it.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "core/change.hpp"
#include "core/relation.hpp"

namespace wharf::capture {

class TransactionSpool {
 public:
  // Deletes whatever a previous process left in `dir` (DESIGN.md: on restart
  // discard any streamed-transaction spool; PostgreSQL sends it again).
  explicit TransactionSpool(std::filesystem::path dir);
  ~TransactionSpool();

  void Append(uint32_t xid, uint32_t subxid, const core::RelationSchema& schema,
              const core::Change& change);
  void AbortSubtransaction(uint32_t xid, uint32_t subxid);
  void Abort(uint32_t xid);
  // Replays the transaction's surviving changes in order, then forgets it.
  void Replay(uint32_t xid,
              const std::function<void(const core::RelationSchema&, core::Change&)>& emit);

  bool empty() const { return open_.empty(); }
  size_t open_transactions() const { return open_.size(); }
  uint64_t spooled_bytes() const { return spooled_bytes_; }

 private:
  struct Open;
  Open& Get(uint32_t xid);

  std::filesystem::path dir_;
  std::map<uint32_t, std::unique_ptr<Open>> open_;
  uint64_t spooled_bytes_ = 0;
  std::string line_;
};

}  // namespace wharf::capture
