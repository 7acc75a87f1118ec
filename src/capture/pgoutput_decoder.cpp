#include "capture/pgoutput_decoder.hpp"

#include <fmt/format.h>

#include <bit>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace wharf::capture {
namespace {

const char* MessageName(uint8_t type) {
  switch (type) {
    case 'B':
      return "Begin";
    case 'C':
      return "Commit";
    case 'O':
      return "Origin";
    case 'R':
      return "Relation";
    case 'Y':
      return "Type";
    case 'I':
      return "Insert";
    case 'U':
      return "Update";
    case 'D':
      return "Delete";
    case 'T':
      return "Truncate";
    case 'M':
      return "Message";
    case 'S':
      return "Stream Start";
    case 'E':
      return "Stream Stop";
    case 'c':
      return "Stream Commit";
    case 'A':
      return "Stream Abort";
    case 'b':
      return "Begin Prepare";
    case 'P':
      return "Prepare";
    case 'K':
      return "Commit Prepared";
    case 'r':
      return "Rollback Prepared";
    case 'p':
      return "Stream Prepare";
    default:
      return nullptr;
  }
}

// Lowest protocol_version that may carry this message type.
int MinProtocolVersion(uint8_t type) {
  switch (type) {
    case 'S':
    case 'E':
    case 'c':
    case 'A':
      return 2;
    case 'b':
    case 'P':
    case 'K':
    case 'r':
    case 'p':
      return 3;
    default:
      return 1;
  }
}

// Printable form of a byte for error messages: 0x5a ('Z'), or just 0x01.
std::string DescribeByte(uint8_t b) {
  if (b >= 0x20 && b < 0x7f) return fmt::format("0x{:02x} ('{}')", b, static_cast<char>(b));
  return fmt::format("0x{:02x}", b);
}

template <typename T>
T FromBigEndian(T v) {
  if constexpr (std::endian::native == std::endian::little) {
    if constexpr (sizeof(T) == 2) return static_cast<T>(__builtin_bswap16(v));
    if constexpr (sizeof(T) == 4) return static_cast<T>(__builtin_bswap32(v));
    if constexpr (sizeof(T) == 8) return static_cast<T>(__builtin_bswap64(v));
  }
  return v;
}

// Bounds-checked big-endian cursor over one message. Errors name the message
// type and the field, so a corrupt stream can be diagnosed from the log alone.
// The failure paths are out of line to keep the hot reads small enough to inline.
class Reader {
 public:
  Reader(std::span<const uint8_t> bytes, const char* message)
      : p_(bytes.data()), end_(bytes.data() + bytes.size()), message_(message) {}

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }

  uint8_t U8(const char* what) {
    Need(1, what);
    return *p_++;
  }
  int16_t I16(const char* what) { return static_cast<int16_t>(Fixed<uint16_t>(what)); }
  int32_t I32(const char* what) { return static_cast<int32_t>(Fixed<uint32_t>(what)); }
  uint32_t U32(const char* what) { return Fixed<uint32_t>(what); }
  int64_t I64(const char* what) { return static_cast<int64_t>(Fixed<uint64_t>(what)); }
  Lsn LsnField(const char* what) { return Lsn(Fixed<uint64_t>(what)); }

  // Wire timestamps count from 2000-01-01; callers want Unix-epoch micros. A
  // corrupt value near INT64_MAX must not overflow (that would be UB), so it fails.
  int64_t Timestamp(const char* what) {
    int64_t pg = I64(what);
    int64_t unix_micros;
    if (__builtin_add_overflow(pg, kPgEpochOffsetMicros, &unix_micros)) [[unlikely]] {
      Malformed(fmt::format("{} {} is out of range", what, pg));
    }
    return unix_micros;
  }

  // Int32 length that must be >= 0, then that many bytes, zero copy.
  std::string_view LengthPrefixed(const char* what) {
    int32_t len = I32(what);
    if (len < 0) [[unlikely]] {
      Malformed(fmt::format("negative length {} for {}", len, what));
    }
    return Bytes(static_cast<size_t>(len), what);
  }

  std::string_view Bytes(size_t n, const char* what) {
    Need(n, what);
    std::string_view out(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return out;
  }

  std::string CString(const char* what) {
    const void* nul = std::memchr(p_, 0, remaining());
    if (nul == nullptr) [[unlikely]] {
      MissingNul(what);
    }
    const auto* stop = static_cast<const uint8_t*>(nul);
    std::string out(reinterpret_cast<const char*>(p_), static_cast<size_t>(stop - p_));
    p_ = stop + 1;
    return out;
  }

  // Strict: bytes after a complete message mean we and the server disagree
  // about the format, and guessing would silently corrupt data downstream.
  void ExpectEnd() {
    if (p_ != end_) [[unlikely]] {
      Malformed(fmt::format("{} trailing bytes after a complete message", remaining()));
    }
  }

  [[noreturn]] [[gnu::cold]] [[gnu::noinline]] void Malformed(const std::string& detail) const {
    Fail(ErrorKind::kProtocol, "pgoutput {} message malformed: {}", message_, detail);
  }

 private:
  template <typename T>
  T Fixed(const char* what) {
    Need(sizeof(T), what);
    T v;
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
    return FromBigEndian(v);
  }

  void Need(size_t n, const char* what) const {
    if (remaining() < n) [[unlikely]] {
      Truncated(n, what);
    }
  }

  [[noreturn]] [[gnu::cold]] [[gnu::noinline]] void Truncated(size_t n, const char* what) const {
    Fail(ErrorKind::kProtocol, "pgoutput {} message truncated: needed {} bytes for {}, {} left",
         message_, n, what, remaining());
  }

  [[noreturn]] [[gnu::cold]] [[gnu::noinline]] void MissingNul(const char* what) const {
    Fail(ErrorKind::kProtocol,
         "pgoutput {} message truncated: no NUL terminator for {} in the {} bytes left", message_,
         what, remaining());
  }

  const uint8_t* p_;
  const uint8_t* end_;
  const char* message_;
};

void ReadTuple(Reader& r, Tuple& out) {
  int16_t ncols = r.I16("tuple column count");
  if (ncols < 0) [[unlikely]] {
    r.Malformed(fmt::format("negative tuple column count {}", ncols));
  }
  // Each column takes at least its kind byte; checking first keeps a corrupt
  // count from reserving memory for columns that cannot be there.
  if (static_cast<size_t>(ncols) > r.remaining()) [[unlikely]] {
    r.Malformed(
        fmt::format("tuple claims {} columns but only {} bytes left", ncols, r.remaining()));
  }
  out.clear();
  out.reserve(static_cast<size_t>(ncols));
  for (int16_t i = 0; i < ncols; ++i) {
    uint8_t kind = r.U8("tuple column kind");
    TupleValue& v = out.emplace_back();
    switch (kind) {
      case 'n':
        v.kind = TupleValue::Kind::kNull;
        break;
      case 'u':
        v.kind = TupleValue::Kind::kUnchanged;
        break;
      case 't':
        v.kind = TupleValue::Kind::kText;
        v.data = r.LengthPrefixed("text column value");
        break;
      case 'b':
        v.kind = TupleValue::Kind::kBinary;
        v.data = r.LengthPrefixed("binary column value");
        break;
      default:
        r.Malformed(
            fmt::format("unknown tuple column kind {} in column {}", DescribeByte(kind), i));
    }
  }
}

std::optional<uint32_t> StreamXid(Reader& r, bool in_stream) {
  if (!in_stream) return std::nullopt;
  return r.U32("streamed transaction xid");
}

BeginMsg ReadBegin(Reader& r) {
  BeginMsg m;
  m.final_lsn = r.LsnField("final lsn");
  m.commit_ts = r.Timestamp("commit timestamp");
  m.xid = r.U32("xid");
  return m;
}

CommitMsg ReadCommit(Reader& r) {
  CommitMsg m;
  m.flags = r.U8("flags");
  m.commit_lsn = r.LsnField("commit lsn");
  m.end_lsn = r.LsnField("end lsn");
  m.commit_ts = r.Timestamp("commit timestamp");
  return m;
}

OriginMsg ReadOrigin(Reader& r) {
  OriginMsg m;
  m.commit_lsn = r.LsnField("commit lsn");
  m.name = r.CString("origin name");
  return m;
}

RelationMsg ReadRelation(Reader& r, bool in_stream) {
  RelationMsg m;
  m.xid = StreamXid(r, in_stream);
  m.oid = r.U32("relation oid");
  m.nspname = r.CString("namespace name");
  m.relname = r.CString("relation name");
  m.replica_identity = static_cast<char>(r.U8("replica identity"));
  int16_t ncols = r.I16("column count");
  if (ncols < 0) [[unlikely]] {
    r.Malformed(fmt::format("negative column count {}", ncols));
  }
  // flags + NUL + type oid + typmod: a column is at least 10 bytes.
  constexpr size_t kMinColumnBytes = 10;
  if (static_cast<size_t>(ncols) * kMinColumnBytes > r.remaining()) [[unlikely]] {
    r.Malformed(
        fmt::format("relation claims {} columns but only {} bytes left", ncols, r.remaining()));
  }
  m.columns.reserve(static_cast<size_t>(ncols));
  for (int16_t i = 0; i < ncols; ++i) {
    RelationColumnMsg& c = m.columns.emplace_back();
    c.flags = r.U8("column flags");
    c.name = r.CString("column name");
    c.type_oid = r.U32("column type oid");
    c.typmod = r.I32("column type modifier");
  }
  return m;
}

TypeMsg ReadType(Reader& r, bool in_stream) {
  TypeMsg m;
  m.xid = StreamXid(r, in_stream);
  m.oid = r.U32("type oid");
  m.nspname = r.CString("namespace name");
  m.typname = r.CString("type name");
  return m;
}

InsertMsg ReadInsert(Reader& r, bool in_stream) {
  InsertMsg m;
  m.xid = StreamXid(r, in_stream);
  m.relation_oid = r.U32("relation oid");
  uint8_t marker = r.U8("new tuple marker");
  if (marker != 'N') [[unlikely]] {
    r.Malformed(fmt::format("expected new tuple marker 'N', got {}", DescribeByte(marker)));
  }
  ReadTuple(r, m.new_tuple);
  return m;
}

UpdateMsg ReadUpdate(Reader& r, bool in_stream) {
  UpdateMsg m;
  m.xid = StreamXid(r, in_stream);
  m.relation_oid = r.U32("relation oid");
  uint8_t marker = r.U8("tuple marker");
  if (marker == 'K' || marker == 'O') {
    m.old_kind = static_cast<char>(marker);
    ReadTuple(r, m.old_tuple);
    marker = r.U8("new tuple marker");
  }
  if (marker != 'N') [[unlikely]] {
    r.Malformed(fmt::format("expected tuple marker 'K', 'O' or 'N', got {}", DescribeByte(marker)));
  }
  ReadTuple(r, m.new_tuple);
  return m;
}

DeleteMsg ReadDelete(Reader& r, bool in_stream) {
  DeleteMsg m;
  m.xid = StreamXid(r, in_stream);
  m.relation_oid = r.U32("relation oid");
  uint8_t marker = r.U8("old tuple marker");
  if (marker != 'K' && marker != 'O') [[unlikely]] {
    r.Malformed(fmt::format("expected old tuple marker 'K' or 'O', got {}", DescribeByte(marker)));
  }
  m.old_kind = static_cast<char>(marker);
  ReadTuple(r, m.old_tuple);
  return m;
}

TruncateMsg ReadTruncate(Reader& r, bool in_stream) {
  TruncateMsg m;
  m.xid = StreamXid(r, in_stream);
  int32_t nrels = r.I32("relation count");
  if (nrels < 0) [[unlikely]] {
    r.Malformed(fmt::format("negative relation count {}", nrels));
  }
  m.options = r.U8("options");
  if (static_cast<size_t>(nrels) > r.remaining() / 4) [[unlikely]] {
    r.Malformed(
        fmt::format("truncate claims {} relations but only {} bytes left", nrels, r.remaining()));
  }
  m.relation_oids.reserve(static_cast<size_t>(nrels));
  for (int32_t i = 0; i < nrels; ++i) m.relation_oids.push_back(r.U32("relation oid"));
  return m;
}

LogicalMessageMsg ReadLogicalMessage(Reader& r, bool in_stream) {
  LogicalMessageMsg m;
  m.xid = StreamXid(r, in_stream);
  m.flags = r.U8("flags");
  m.lsn = r.LsnField("message lsn");
  m.prefix = r.CString("prefix");
  m.content = r.LengthPrefixed("content");
  return m;
}

StreamStartMsg ReadStreamStart(Reader& r) {
  StreamStartMsg m;
  m.xid = r.U32("xid");
  m.first_segment = r.U8("first segment flag");
  return m;
}

StreamCommitMsg ReadStreamCommit(Reader& r) {
  StreamCommitMsg m;
  m.xid = r.U32("xid");
  m.flags = r.U8("flags");
  m.commit_lsn = r.LsnField("commit lsn");
  m.end_lsn = r.LsnField("end lsn");
  m.commit_ts = r.Timestamp("commit timestamp");
  return m;
}

StreamAbortMsg ReadStreamAbort(Reader& r, int protocol_version) {
  StreamAbortMsg m;
  m.xid = r.U32("xid");
  m.subxid = r.U32("subtransaction xid");
  // Protocol 4 sends the abort lsn and timestamp only when the subscription
  // asked for streaming = parallel; with streaming = on the message ends here.
  // The decoder does not know the streaming mode, so an exact end is accepted.
  if (protocol_version >= 4 && r.remaining() != 0) {
    m.abort_lsn = r.LsnField("abort lsn");
    m.abort_ts = r.Timestamp("abort timestamp");
  }
  return m;
}

BeginPrepareMsg ReadBeginPrepare(Reader& r) {
  BeginPrepareMsg m;
  m.prepare_lsn = r.LsnField("prepare lsn");
  m.end_lsn = r.LsnField("end lsn");
  m.prepare_ts = r.Timestamp("prepare timestamp");
  m.xid = r.U32("xid");
  m.gid = r.CString("gid");
  return m;
}

PrepareMsg ReadPrepare(Reader& r, bool stream) {
  PrepareMsg m;
  m.flags = r.U8("flags");
  m.prepare_lsn = r.LsnField("prepare lsn");
  m.end_lsn = r.LsnField("end lsn");
  m.prepare_ts = r.Timestamp("prepare timestamp");
  m.xid = r.U32("xid");
  m.gid = r.CString("gid");
  m.stream = stream;
  return m;
}

CommitPreparedMsg ReadCommitPrepared(Reader& r) {
  CommitPreparedMsg m;
  m.flags = r.U8("flags");
  m.commit_lsn = r.LsnField("commit lsn");
  m.end_lsn = r.LsnField("end lsn");
  m.commit_ts = r.Timestamp("commit timestamp");
  m.xid = r.U32("xid");
  m.gid = r.CString("gid");
  return m;
}

RollbackPreparedMsg ReadRollbackPrepared(Reader& r) {
  RollbackPreparedMsg m;
  m.flags = r.U8("flags");
  m.prepare_end_lsn = r.LsnField("prepare end lsn");
  m.rollback_end_lsn = r.LsnField("rollback end lsn");
  m.prepare_ts = r.Timestamp("prepare timestamp");
  m.rollback_ts = r.Timestamp("rollback timestamp");
  m.xid = r.U32("xid");
  m.gid = r.CString("gid");
  return m;
}

// Messages that pgoutput sends only outside a stream block (between 'E' and
// the next 'S'). Seeing one inside means we lost track of the stream state,
// and every row message after it would be parsed with the wrong layout.
bool IsTransactionBoundary(uint8_t type) {
  switch (type) {
    case 'B':
    case 'C':
    case 'c':
    case 'A':
    case 'b':
    case 'P':
    case 'K':
    case 'r':
    case 'p':
      return true;
    default:
      return false;
  }
}

// Returns the variant directly from each case so a message is built once and
// moved once; this runs for every row change.
Message DecodeBody(uint8_t type, Reader& r, bool in_stream, int protocol_version) {
  switch (type) {
    case 'B':
      return ReadBegin(r);
    case 'C':
      return ReadCommit(r);
    case 'O':
      return ReadOrigin(r);
    case 'R':
      return ReadRelation(r, in_stream);
    case 'Y':
      return ReadType(r, in_stream);
    case 'I':
      return ReadInsert(r, in_stream);
    case 'U':
      return ReadUpdate(r, in_stream);
    case 'D':
      return ReadDelete(r, in_stream);
    case 'T':
      return ReadTruncate(r, in_stream);
    case 'M':
      return ReadLogicalMessage(r, in_stream);
    case 'S':
      return ReadStreamStart(r);
    case 'E':
      return StreamStopMsg{};
    case 'c':
      return ReadStreamCommit(r);
    case 'A':
      return ReadStreamAbort(r, protocol_version);
    case 'b':
      return ReadBeginPrepare(r);
    case 'P':
      return ReadPrepare(r, /*stream=*/false);
    case 'K':
      return ReadCommitPrepared(r);
    case 'r':
      return ReadRollbackPrepared(r);
    case 'p':
      return ReadPrepare(r, /*stream=*/true);
  }
  // Decode() rejects unknown type bytes before calling here.
  Fail(ErrorKind::kInternal, "pgoutput decoder has no reader for type byte {}", DescribeByte(type));
}

}  // namespace

PgOutputDecoder::PgOutputDecoder(int protocol_version) : protocol_version_(protocol_version) {
  if (protocol_version < 1 || protocol_version > 4) {
    Fail(ErrorKind::kInternal, "pgoutput protocol_version must be 1 to 4, got {}",
         protocol_version);
  }
}

Message PgOutputDecoder::Decode(std::span<const uint8_t> bytes) {
  if (bytes.empty()) Fail(ErrorKind::kProtocol, "pgoutput message is empty");
  const uint8_t type = bytes[0];
  const char* name = MessageName(type);
  if (name == nullptr) {
    Fail(ErrorKind::kProtocol, "pgoutput message has unknown type byte {}", DescribeByte(type));
  }
  if (protocol_version_ < MinProtocolVersion(type)) {
    Fail(ErrorKind::kProtocol,
         "pgoutput {} message ('{}') requires protocol version {} but version {} is in use", name,
         static_cast<char>(type), MinProtocolVersion(type), protocol_version_);
  }
  if (in_stream_ && (IsTransactionBoundary(type) || type == 'S')) {
    Fail(ErrorKind::kProtocol, "pgoutput {} message inside a streamed block (no Stream Stop seen)",
         name);
  }
  if (!in_stream_ && type == 'E') {
    Fail(ErrorKind::kProtocol, "pgoutput Stream Stop message outside a streamed block");
  }

  Reader r(bytes.subspan(1), name);
  Message out = DecodeBody(type, r, in_stream_, protocol_version_);
  r.ExpectEnd();

  // Only after the whole message decoded: a rejected 'S' or 'E' must not flip
  // the state, or the next row message would be read with the wrong layout.
  if (type == 'S') in_stream_ = true;
  if (type == 'E') in_stream_ = false;
  return out;
}

}  // namespace wharf::capture
