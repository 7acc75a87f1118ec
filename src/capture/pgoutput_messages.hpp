#pragma once
// Typed pgoutput messages (logical replication protocol versions 1 to 4).
// String views in tuples point into the buffer that was decoded: a message
// must not outlive the bytes it was decoded from.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/lsn.hpp"

namespace wharf::capture {

// Commit/begin timestamps on the wire are microseconds since 2000-01-01; the
// decoder converts them to microseconds since the Unix epoch.
inline constexpr int64_t kPgEpochOffsetMicros = 946684800LL * 1000000LL;

struct TupleValue {
  enum class Kind : char { kNull = 'n', kUnchanged = 'u', kText = 't', kBinary = 'b' };
  Kind kind = Kind::kNull;
  std::string_view data;  // for kText and kBinary
};
using Tuple = std::vector<TupleValue>;

struct BeginMsg {
  Lsn final_lsn;  // commit LSN of the transaction
  int64_t commit_ts = 0;
  uint32_t xid = 0;
};
struct CommitMsg {
  uint8_t flags = 0;
  Lsn commit_lsn;
  Lsn end_lsn;
  int64_t commit_ts = 0;
};
struct OriginMsg {
  Lsn commit_lsn;
  std::string name;
};
struct RelationColumnMsg {
  uint8_t flags = 0;  // 1: part of the replica identity key
  std::string name;
  uint32_t type_oid = 0;
  int32_t typmod = -1;
};
struct RelationMsg {
  std::optional<uint32_t> xid;  // set inside a streamed transaction
  uint32_t oid = 0;
  std::string nspname;
  std::string relname;
  char replica_identity = 'd';
  std::vector<RelationColumnMsg> columns;
};
struct TypeMsg {
  std::optional<uint32_t> xid;
  uint32_t oid = 0;
  std::string nspname;
  std::string typname;
};
struct InsertMsg {
  std::optional<uint32_t> xid;
  uint32_t relation_oid = 0;
  Tuple new_tuple;
};
struct UpdateMsg {
  std::optional<uint32_t> xid;
  uint32_t relation_oid = 0;
  char old_kind = 0;  // 0 none, 'K' old key, 'O' old full row
  Tuple old_tuple;
  Tuple new_tuple;
};
struct DeleteMsg {
  std::optional<uint32_t> xid;
  uint32_t relation_oid = 0;
  char old_kind = 'K';  // 'K' or 'O'
  Tuple old_tuple;
};
struct TruncateMsg {
  std::optional<uint32_t> xid;
  uint8_t options = 0;  // bit 1: CASCADE, bit 2: RESTART IDENTITY
  std::vector<uint32_t> relation_oids;
  bool cascade() const { return options & 1; }
  bool restart_identity() const { return options & 2; }
};
struct LogicalMessageMsg {
  std::optional<uint32_t> xid;
  uint8_t flags = 0;  // bit 1: transactional
  Lsn lsn;
  std::string prefix;
  std::string_view content;
};
struct StreamStartMsg {
  uint32_t xid = 0;
  uint8_t first_segment = 0;
};
struct StreamStopMsg {};
struct StreamCommitMsg {
  uint32_t xid = 0;
  uint8_t flags = 0;
  Lsn commit_lsn;
  Lsn end_lsn;
  int64_t commit_ts = 0;
};
struct StreamAbortMsg {
  uint32_t xid = 0;
  uint32_t subxid = 0;
  std::optional<Lsn> abort_lsn;  // protocol 4 with parallel streaming
  std::optional<int64_t> abort_ts;
};
// Protocol 3: two-phase commit.
struct BeginPrepareMsg {
  Lsn prepare_lsn;
  Lsn end_lsn;
  int64_t prepare_ts = 0;
  uint32_t xid = 0;
  std::string gid;
};
struct PrepareMsg {  // also Stream Prepare ('p'), with stream = true
  uint8_t flags = 0;
  Lsn prepare_lsn;
  Lsn end_lsn;
  int64_t prepare_ts = 0;
  uint32_t xid = 0;
  std::string gid;
  bool stream = false;
};
struct CommitPreparedMsg {
  uint8_t flags = 0;
  Lsn commit_lsn;
  Lsn end_lsn;
  int64_t commit_ts = 0;
  uint32_t xid = 0;
  std::string gid;
};
struct RollbackPreparedMsg {
  uint8_t flags = 0;
  Lsn prepare_end_lsn;
  Lsn rollback_end_lsn;
  int64_t prepare_ts = 0;
  int64_t rollback_ts = 0;
  uint32_t xid = 0;
  std::string gid;
};

using Message =
    std::variant<BeginMsg, CommitMsg, OriginMsg, RelationMsg, TypeMsg, InsertMsg, UpdateMsg,
                 DeleteMsg, TruncateMsg, LogicalMessageMsg, StreamStartMsg, StreamStopMsg,
                 StreamCommitMsg, StreamAbortMsg, BeginPrepareMsg, PrepareMsg, CommitPreparedMsg,
                 RollbackPreparedMsg>;

}  // namespace wharf::capture
