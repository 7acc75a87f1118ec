#include "pg/replication.hpp"

#include <poll.h>

#include "core/error.hpp"

namespace wharf::pg {

namespace {
uint64_t ReadU64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
void WriteU64(char* p, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}
int64_t NowPgMicros() {
  using namespace std::chrono;
  auto unix_us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  return unix_us - 946684800LL * 1000000LL;
}
}  // namespace

SlotCreated ReplicationConnection::CreateLogicalSlot(const std::string& slot, bool export_snapshot) {
  std::string sql = "CREATE_REPLICATION_SLOT " + QuoteIdent(slot) + " LOGICAL pgoutput (SNAPSHOT '" +
                    (export_snapshot ? "export" : "nothing") + "')";
  auto r = conn_.Exec(sql);
  SlotCreated out;
  auto lsn = Lsn::Parse(r.Get(0, 1));
  if (!lsn) Fail(ErrorKind::kProtocol, "CREATE_REPLICATION_SLOT returned a bad LSN '{}'", r.Get(0, 1));
  out.consistent_point = *lsn;
  if (!r.IsNull(0, 2)) out.snapshot_name = std::string(r.Get(0, 2));
  return out;
}

void ReplicationConnection::StartLogical(const std::string& slot, Lsn start,
                                         const std::string& options) {
  std::string sql = "START_REPLICATION SLOT " + QuoteIdent(slot) + " LOGICAL " + start.ToString() +
                    " (" + options + ")";
  Result r(PQexec(conn_.raw(), sql.c_str()));
  if (PQresultStatus(r.raw()) != PGRES_COPY_BOTH) {
    std::string msg = PQresultErrorMessage(r.raw());
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    const char* state = PQresultErrorField(r.raw(), PG_DIAG_SQLSTATE);
    std::string code = state ? state : "";
    if (code == "42704") {
      Fail(ErrorKind::kSource,
           "replication slot {} is gone ({}), so changes since the last confirmed position cannot "
           "be captured.\n  Resynchronise: stop wharf, delete the source's state folder in the "
           "staging store (<staging>/<source>/state) and start again to take a new full load",
           slot, msg);
    }
    if (code == "55006") {
      // Still held by a walsender that has not noticed its client went away:
      // retried with backoff like a dropped connection.
      Fail(ErrorKind::kConnection, "replication slot {} is still in use: {}", slot, msg);
    }
    Fail(ErrorKind::kSource, "START_REPLICATION on slot {} failed: {}", slot, msg);
  }
}

ReplicationEvent ReplicationConnection::Receive(std::chrono::milliseconds timeout) {
  buffer_.reset();
  PGconn* c = conn_.raw();
  char* buf = nullptr;
  int n = PQgetCopyData(c, &buf, 1);
  if (n == 0) {
    pollfd pfd{PQsocket(c), POLLIN, 0};
    int pr = poll(&pfd, 1, static_cast<int>(timeout.count()));
    if (pr < 0 && errno != EINTR) Fail(ErrorKind::kConnection, "poll on replication socket failed");
    if (pr <= 0) return {};
    if (!PQconsumeInput(c)) {
      Fail(ErrorKind::kConnection, "replication connection lost: {}", PQerrorMessage(c));
    }
    n = PQgetCopyData(c, &buf, 1);
    if (n == 0) return {};
  }
  if (n == -1) {
    Result end(PQgetResult(c));
    if (PQresultStatus(end.raw()) != PGRES_COMMAND_OK) {
      std::string msg = PQresultErrorMessage(end.raw());
      while (!msg.empty() && msg.back() == '\n') msg.pop_back();
      Fail(ErrorKind::kConnection, "replication stream ended: {}", msg);
    }
    ReplicationEvent end_ev;
    end_ev.kind = ReplicationEvent::Kind::kEnd;
    return end_ev;
  }
  if (n == -2) Fail(ErrorKind::kConnection, "replication connection lost: {}", PQerrorMessage(c));
  buffer_.reset(buf);
  ReplicationEvent ev;
  if (buf[0] == 'w') {
    if (n < 25) Fail(ErrorKind::kProtocol, "XLogData message too short ({} bytes)", n);
    ev.kind = ReplicationEvent::Kind::kXLogData;
    ev.wal_start = Lsn(ReadU64(buf + 1));
    ev.wal_end = Lsn(ReadU64(buf + 9));
    ev.data = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(buf + 25),
                                       static_cast<size_t>(n - 25));
  } else if (buf[0] == 'k') {
    if (n < 18) Fail(ErrorKind::kProtocol, "keepalive message too short ({} bytes)", n);
    ev.kind = ReplicationEvent::Kind::kKeepalive;
    ev.wal_end = Lsn(ReadU64(buf + 1));
    ev.reply_requested = buf[17] != 0;
  } else {
    Fail(ErrorKind::kProtocol, "unknown replication message type '{}'", buf[0]);
  }
  return ev;
}

void ReplicationConnection::SendStatus(Lsn write, Lsn flush, bool reply_requested) {
  char msg[34];
  msg[0] = 'r';
  WriteU64(msg + 1, write.value());
  WriteU64(msg + 9, flush.value());
  WriteU64(msg + 17, flush.value());
  WriteU64(msg + 25, static_cast<uint64_t>(NowPgMicros()));
  msg[33] = reply_requested ? 1 : 0;
  if (PQputCopyData(conn_.raw(), msg, sizeof msg) != 1 || PQflush(conn_.raw()) != 0) {
    Fail(ErrorKind::kConnection, "sending standby status failed: {}", PQerrorMessage(conn_.raw()));
  }
}

}  // namespace wharf::pg
