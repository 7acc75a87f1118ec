#pragma once
// pgoutput decoder: bytes of one XLogData payload in, one typed message out.
// Pure (no I/O). Fails hard with wharf::Error(kProtocol) on a short or
// malformed buffer and never reads past its end.
//
// Wire format (PostgreSQL docs, "Logical Replication Message Formats"); all
// integers big-endian, strings NUL-terminated:
//   B  Int64 final_lsn, Int64 commit_ts, Int32 xid
//   C  Int8 flags, Int64 commit_lsn, Int64 end_lsn, Int64 commit_ts
//   O  Int64 commit_lsn, String name
//   R  [Int32 xid]* Int32 oid, String nsp, String rel, Int8 replident, Int16 ncols,
//      ncols x (Int8 flags, String name, Int32 type_oid, Int32 typmod)
//   Y  [Int32 xid]* Int32 oid, String nsp, String typname
//   I  [Int32 xid]* Int32 oid, 'N' TupleData
//   U  [Int32 xid]* Int32 oid, ['K'|'O' TupleData], 'N' TupleData
//   D  [Int32 xid]* Int32 oid, 'K'|'O' TupleData
//   T  [Int32 xid]* Int32 nrels, Int8 options, nrels x Int32 oid
//   M  [Int32 xid]* Int8 flags, Int64 lsn, String prefix, Int32 len, Byte[len]
//   S  Int32 xid, Int8 first_segment          (stream start, v2+)
//   E                                         (stream stop, v2+)
//   c  Int32 xid, Int8 flags, Int64 commit_lsn, Int64 end_lsn, Int64 commit_ts (v2+)
//   A  Int32 xid, Int32 subxid [, Int64 abort_lsn, Int64 abort_ts  (v4)]
//   b  Int64 prepare_lsn, Int64 end_lsn, Int64 prepare_ts, Int32 xid, String gid (v3)
//   P  Int8 flags, Int64 prepare_lsn, Int64 end_lsn, Int64 prepare_ts, Int32 xid, String gid
//   K  Int8 flags, Int64 commit_lsn, Int64 end_lsn, Int64 commit_ts, Int32 xid, String gid
//   r  Int8 flags, Int64 prepare_end_lsn, Int64 rollback_end_lsn, Int64 prepare_ts,
//      Int64 rollback_ts, Int32 xid, String gid
//   p  same as P (stream prepare)
//   TupleData: Int16 ncols, ncols x ('n' | 'u' | 't' Int32 len Byte[len] | 'b' Int32 len Byte[len])
//   * the xid is present only inside a streamed transaction (between S and E).
#include <cstdint>
#include <span>

#include "capture/pgoutput_messages.hpp"

namespace wharf::capture {

class PgOutputDecoder {
 public:
  // protocol_version: 1..4, as requested in START_REPLICATION.
  explicit PgOutputDecoder(int protocol_version);

  // Decodes one message. Tracks stream start/stop to know whether row
  // messages carry an xid. Timestamps are converted to Unix-epoch micros.
  Message Decode(std::span<const uint8_t> bytes);

  bool in_stream() const { return in_stream_; }
  int protocol_version() const { return protocol_version_; }

 private:
  int protocol_version_;
  bool in_stream_ = false;
};

}  // namespace wharf::capture
