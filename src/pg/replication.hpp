#pragma once
// The walsender side of the streaming replication protocol over libpq
// (a connection opened with replication=database).
//
// CopyData payloads from the server:
//   'w' Int64 wal_start, Int64 wal_end, Int64 send_time, Byte[] data   (XLogData)
//   'k' Int64 wal_end, Int64 send_time, Byte1 reply_requested           (keepalive)
// From the client:
//   'r' Int64 write, Int64 flush, Int64 apply, Int64 client_time, Byte1 reply_requested
#include <chrono>
#include <optional>
#include <span>
#include <string>

#include "core/lsn.hpp"
#include "pg/connection.hpp"

namespace wharf::pg {

struct SlotCreated {
  Lsn consistent_point;
  std::string snapshot_name;  // valid until the next command on this connection
};

struct ReplicationEvent {
  enum class Kind { kNone, kXLogData, kKeepalive, kEnd };
  Kind kind = Kind::kNone;
  Lsn wal_start;  // kXLogData
  Lsn wal_end;    // both: the server's WAL end (keepalive: how far it has read)
  bool reply_requested = false;
  std::span<const uint8_t> data;  // kXLogData payload; valid until the next Receive
};

class ReplicationConnection {
 public:
  explicit ReplicationConnection(Connection conn) : conn_(std::move(conn)) {}

  SlotCreated CreateLogicalSlot(const std::string& slot, bool export_snapshot);
  void StartLogical(const std::string& slot, Lsn start, const std::string& options);
  // Waits up to `timeout` for one message.
  ReplicationEvent Receive(std::chrono::milliseconds timeout);
  // Standby status update: write/flush/apply positions. Blocks until sent.
  void SendStatus(Lsn write, Lsn flush, bool reply_requested);

  Connection& connection() { return conn_; }

 private:
  Connection conn_;
  std::unique_ptr<char, decltype(&PQfreemem)> buffer_{nullptr, &PQfreemem};
};

}  // namespace wharf::pg
