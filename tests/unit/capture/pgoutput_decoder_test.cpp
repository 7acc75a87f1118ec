#include "capture/pgoutput_decoder.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.hpp"
#include "unit/support/pgoutput_wire.hpp"

namespace wharf::capture {
namespace {

using test::Wire;


constexpr int64_t kSecond = 1000000;
// 2024-01-01T00:00:00Z: 1704067200 s after the Unix epoch, 757382400 s after 2000-01-01.
constexpr int64_t kPg2024 = 757382400LL * kSecond;
constexpr int64_t kUnix2024 = 1704067200LL * kSecond;

template <typename T>
T DecodeAs(PgOutputDecoder& d, const Wire& w) {
  Message m = d.Decode(w.span());
  EXPECT_TRUE(std::holds_alternative<T>(m)) << "variant index " << m.index();
  return std::get<T>(m);
}

template <typename T>
T DecodeAs(int version, const Wire& w) {
  PgOutputDecoder d(version);
  return DecodeAs<T>(d, w);
}

// Expects a kProtocol wharf::Error whose message contains `needle`.
void ExpectProtocolError(const std::function<void()>& fn, std::string_view needle) {
  try {
    fn();
    ADD_FAILURE() << "expected wharf::Error containing \"" << needle << "\"";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kProtocol) << e.what();
    EXPECT_NE(e.message().find(needle), std::string::npos)
        << "message: " << e.message() << "\nexpected to contain: " << needle;
  }
}

PgOutputDecoder InStream(int version, uint32_t xid = 900) {
  PgOutputDecoder d(version);
  d.Decode(Wire('S').U32(xid).U8(1).span());
  return d;
}

bool PointsInto(std::string_view v, const Wire& w) {
  auto* begin = reinterpret_cast<const char*>(w.bytes().data());
  return v.data() >= begin && v.data() + v.size() <= begin + w.size();
}

// ---------------------------------------------------------------- protocol 1

TEST(PgOutputDecoderTest, Begin) {
  auto m = DecodeAs<BeginMsg>(1, Wire('B').I64(0x16B374D848).I64(kPg2024).U32(4242));
  EXPECT_EQ(m.final_lsn, Lsn(0x16B374D848));
  EXPECT_EQ(m.commit_ts, kUnix2024);
  EXPECT_EQ(m.xid, 4242u);
}

TEST(PgOutputDecoderTest, TimestampConversion) {
  EXPECT_EQ(DecodeAs<BeginMsg>(1, Wire('B').I64(1).I64(0).U32(1)).commit_ts, kPgEpochOffsetMicros);
  EXPECT_EQ(kPgEpochOffsetMicros, 946684800LL * kSecond);
  // Before 2000 the wire value is negative.
  EXPECT_EQ(DecodeAs<BeginMsg>(1, Wire('B').I64(1).I64(-kPgEpochOffsetMicros).U32(1)).commit_ts, 0);
  EXPECT_EQ(DecodeAs<BeginMsg>(1, Wire('B').I64(1).I64(kPg2024 + 123456).U32(1)).commit_ts,
            kUnix2024 + 123456);
}

TEST(PgOutputDecoderTest, TimestampOverflowIsRejected) {
  PgOutputDecoder d(1);
  Wire w('B');
  w.I64(1).I64(std::numeric_limits<int64_t>::max()).U32(1);
  ExpectProtocolError([&] { d.Decode(w.span()); }, "commit timestamp");
}

TEST(PgOutputDecoderTest, Commit) {
  auto m = DecodeAs<CommitMsg>(1, Wire('C').U8(0).I64(0x100).I64(0x180).I64(kPg2024));
  EXPECT_EQ(m.flags, 0);
  EXPECT_EQ(m.commit_lsn, Lsn(0x100));
  EXPECT_EQ(m.end_lsn, Lsn(0x180));
  EXPECT_EQ(m.commit_ts, kUnix2024);
}

TEST(PgOutputDecoderTest, Origin) {
  auto m = DecodeAs<OriginMsg>(1, Wire('O').I64(0xABCDEF).Str("pg_16384"));
  EXPECT_EQ(m.commit_lsn, Lsn(0xABCDEF));
  EXPECT_EQ(m.name, "pg_16384");
}

TEST(PgOutputDecoderTest, Relation) {
  Wire w('R');
  w.U32(16385).Str("public").Str("orders").Ch('f').I16(3);
  w.U8(1).Str("id").U32(20).I32(-1);
  w.U8(0).Str("price").U32(1700).I32(655366);  // numeric(10,2)
  w.U8(0).Str("").U32(25).I32(-1);
  auto m = DecodeAs<RelationMsg>(1, w);
  EXPECT_FALSE(m.xid.has_value());
  EXPECT_EQ(m.oid, 16385u);
  EXPECT_EQ(m.nspname, "public");
  EXPECT_EQ(m.relname, "orders");
  EXPECT_EQ(m.replica_identity, 'f');
  ASSERT_EQ(m.columns.size(), 3u);
  EXPECT_EQ(m.columns[0].flags, 1);
  EXPECT_EQ(m.columns[0].name, "id");
  EXPECT_EQ(m.columns[0].type_oid, 20u);
  EXPECT_EQ(m.columns[0].typmod, -1);
  EXPECT_EQ(m.columns[1].flags, 0);
  EXPECT_EQ(m.columns[1].name, "price");
  EXPECT_EQ(m.columns[1].type_oid, 1700u);
  EXPECT_EQ(m.columns[1].typmod, 655366);
  EXPECT_EQ(m.columns[2].name, "");
}

TEST(PgOutputDecoderTest, RelationWithoutColumns) {
  auto m = DecodeAs<RelationMsg>(1, Wire('R').U32(1).Str("s").Str("t").Ch('n').I16(0));
  EXPECT_EQ(m.replica_identity, 'n');
  EXPECT_TRUE(m.columns.empty());
}

TEST(PgOutputDecoderTest, Type) {
  auto m = DecodeAs<TypeMsg>(1, Wire('Y').U32(70000).Str("public").Str("mood"));
  EXPECT_FALSE(m.xid.has_value());
  EXPECT_EQ(m.oid, 70000u);
  EXPECT_EQ(m.nspname, "public");
  EXPECT_EQ(m.typname, "mood");
}

TEST(PgOutputDecoderTest, InsertWithEveryValueKind) {
  Wire w('I');
  w.U32(16385).Ch('N').Cols(5).Null().Unchanged().Text("hello");
  w.Binary(std::string("\x00\x01\xff", 3)).Text("");
  auto m = DecodeAs<InsertMsg>(1, w);
  EXPECT_FALSE(m.xid.has_value());
  EXPECT_EQ(m.relation_oid, 16385u);
  ASSERT_EQ(m.new_tuple.size(), 5u);
  EXPECT_EQ(m.new_tuple[0].kind, TupleValue::Kind::kNull);
  EXPECT_TRUE(m.new_tuple[0].data.empty());
  EXPECT_EQ(m.new_tuple[1].kind, TupleValue::Kind::kUnchanged);
  EXPECT_TRUE(m.new_tuple[1].data.empty());
  EXPECT_EQ(m.new_tuple[2].kind, TupleValue::Kind::kText);
  EXPECT_EQ(m.new_tuple[2].data, "hello");
  EXPECT_EQ(m.new_tuple[3].kind, TupleValue::Kind::kBinary);
  EXPECT_EQ(m.new_tuple[3].data, std::string_view("\x00\x01\xff", 3));
  EXPECT_EQ(m.new_tuple[4].kind, TupleValue::Kind::kText);
  EXPECT_EQ(m.new_tuple[4].data, "");
}

TEST(PgOutputDecoderTest, TupleValuesPointIntoTheInputBuffer) {
  Wire w('I');
  w.U32(1).Ch('N').Cols(2).Text("zero-copy").Binary("raw");
  PgOutputDecoder d(1);
  auto m = DecodeAs<InsertMsg>(d, w);
  ASSERT_EQ(m.new_tuple.size(), 2u);
  EXPECT_TRUE(PointsInto(m.new_tuple[0].data, w));
  EXPECT_TRUE(PointsInto(m.new_tuple[1].data, w));
}

TEST(PgOutputDecoderTest, InsertWithEmptyTuple) {
  auto m = DecodeAs<InsertMsg>(1, Wire('I').U32(7).Ch('N').Cols(0));
  EXPECT_TRUE(m.new_tuple.empty());
}

TEST(PgOutputDecoderTest, UpdateWithOldKey) {
  Wire w('U');
  w.U32(16385).Ch('K').Cols(2).Text("1").Null().Ch('N').Cols(2).Text("2").Unchanged();
  auto m = DecodeAs<UpdateMsg>(1, w);
  EXPECT_EQ(m.relation_oid, 16385u);
  EXPECT_EQ(m.old_kind, 'K');
  ASSERT_EQ(m.old_tuple.size(), 2u);
  EXPECT_EQ(m.old_tuple[0].data, "1");
  EXPECT_EQ(m.old_tuple[1].kind, TupleValue::Kind::kNull);
  ASSERT_EQ(m.new_tuple.size(), 2u);
  EXPECT_EQ(m.new_tuple[0].data, "2");
  EXPECT_EQ(m.new_tuple[1].kind, TupleValue::Kind::kUnchanged);
}

TEST(PgOutputDecoderTest, UpdateWithOldRow) {
  Wire w('U');
  w.U32(5).Ch('O').Cols(1).Text("old").Ch('N').Cols(1).Text("new");
  auto m = DecodeAs<UpdateMsg>(1, w);
  EXPECT_EQ(m.old_kind, 'O');
  ASSERT_EQ(m.old_tuple.size(), 1u);
  EXPECT_EQ(m.old_tuple[0].data, "old");
  ASSERT_EQ(m.new_tuple.size(), 1u);
  EXPECT_EQ(m.new_tuple[0].data, "new");
}

TEST(PgOutputDecoderTest, UpdateWithoutOldTuple) {
  Wire w('U');
  w.U32(5).Ch('N').Cols(1).Text("new");
  auto m = DecodeAs<UpdateMsg>(1, w);
  EXPECT_EQ(m.old_kind, 0);
  EXPECT_TRUE(m.old_tuple.empty());
  ASSERT_EQ(m.new_tuple.size(), 1u);
  EXPECT_EQ(m.new_tuple[0].data, "new");
}

TEST(PgOutputDecoderTest, DeleteWithOldKey) {
  Wire w('D');
  w.U32(9).Ch('K').Cols(2).Text("42").Null();
  auto m = DecodeAs<DeleteMsg>(1, w);
  EXPECT_EQ(m.relation_oid, 9u);
  EXPECT_EQ(m.old_kind, 'K');
  ASSERT_EQ(m.old_tuple.size(), 2u);
  EXPECT_EQ(m.old_tuple[0].data, "42");
  EXPECT_EQ(m.old_tuple[1].kind, TupleValue::Kind::kNull);
}

TEST(PgOutputDecoderTest, DeleteWithOldRow) {
  Wire w('D');
  w.U32(9).Ch('O').Cols(1).Binary("x");
  auto m = DecodeAs<DeleteMsg>(1, w);
  EXPECT_EQ(m.old_kind, 'O');
  ASSERT_EQ(m.old_tuple.size(), 1u);
  EXPECT_EQ(m.old_tuple[0].kind, TupleValue::Kind::kBinary);
  EXPECT_EQ(m.old_tuple[0].data, "x");
}

TEST(PgOutputDecoderTest, TruncateOptions) {
  struct Case {
    uint8_t options;
    bool cascade;
    bool restart_identity;
  };
  for (Case c :
       {Case{0, false, false}, Case{1, true, false}, Case{2, false, true}, Case{3, true, true}}) {
    auto m = DecodeAs<TruncateMsg>(1, Wire('T').I32(2).U8(c.options).U32(100).U32(200));
    EXPECT_FALSE(m.xid.has_value());
    EXPECT_EQ(m.options, c.options);
    EXPECT_EQ(m.cascade(), c.cascade);
    EXPECT_EQ(m.restart_identity(), c.restart_identity);
    EXPECT_EQ(m.relation_oids, (std::vector<uint32_t>{100, 200}));
  }
}

TEST(PgOutputDecoderTest, LogicalMessageTransactional) {
  Wire w('M');
  w.U8(1).I64(0x2000).Str("wharf").I32(5).Raw("hello");
  auto m = DecodeAs<LogicalMessageMsg>(1, w);
  EXPECT_FALSE(m.xid.has_value());
  EXPECT_EQ(m.flags, 1);
  EXPECT_EQ(m.lsn, Lsn(0x2000));
  EXPECT_EQ(m.prefix, "wharf");
  EXPECT_EQ(m.content, "hello");
}

TEST(PgOutputDecoderTest, LogicalMessageNonTransactional) {
  Wire w('M');
  w.U8(0).I64(0x3000).Str("audit").I32(0);
  PgOutputDecoder d(1);
  auto m = DecodeAs<LogicalMessageMsg>(d, w);
  EXPECT_EQ(m.flags, 0);
  EXPECT_EQ(m.prefix, "audit");
  EXPECT_TRUE(m.content.empty());
}

TEST(PgOutputDecoderTest, LogicalMessageContentPointsIntoTheInputBuffer) {
  Wire w('M');
  w.U8(1).I64(1).Str("p").I32(3).Raw("abc");
  PgOutputDecoder d(1);
  auto m = DecodeAs<LogicalMessageMsg>(d, w);
  EXPECT_TRUE(PointsInto(m.content, w));
}

// ---------------------------------------------------------------- protocol 2: streaming

TEST(PgOutputDecoderTest, StreamStartAndStopTrackState) {
  PgOutputDecoder d(2);
  EXPECT_FALSE(d.in_stream());
  auto start = DecodeAs<StreamStartMsg>(d, Wire('S').U32(777).U8(1));
  EXPECT_EQ(start.xid, 777u);
  EXPECT_EQ(start.first_segment, 1);
  EXPECT_TRUE(d.in_stream());
  DecodeAs<StreamStopMsg>(d, Wire('E'));
  EXPECT_FALSE(d.in_stream());
  auto again = DecodeAs<StreamStartMsg>(d, Wire('S').U32(777).U8(0));
  EXPECT_EQ(again.first_segment, 0);
  EXPECT_TRUE(d.in_stream());
}

TEST(PgOutputDecoderTest, RowMessagesCarryXidOnlyInsideAStream) {
  PgOutputDecoder d = InStream(2, 900);
  Wire rel_wire('R');
  rel_wire.U32(901).U32(16385).Str("public").Str("t").Ch('d').I16(1);
  rel_wire.U8(1).Str("id").U32(23).I32(-1);
  auto rel = DecodeAs<RelationMsg>(d, rel_wire);
  EXPECT_EQ(rel.xid, 901u);
  EXPECT_EQ(rel.oid, 16385u);
  ASSERT_EQ(rel.columns.size(), 1u);
  EXPECT_EQ(rel.columns[0].name, "id");

  auto typ = DecodeAs<TypeMsg>(d, Wire('Y').U32(902).U32(70000).Str("public").Str("mood"));
  EXPECT_EQ(typ.xid, 902u);
  EXPECT_EQ(typ.oid, 70000u);

  // Tuple values view the input, so these wires must outlive the messages.
  Wire ins_wire('I');
  ins_wire.U32(903).U32(16385).Ch('N').Cols(1).Text("1");
  auto ins = DecodeAs<InsertMsg>(d, ins_wire);
  EXPECT_EQ(ins.xid, 903u);
  EXPECT_EQ(ins.relation_oid, 16385u);
  ASSERT_EQ(ins.new_tuple.size(), 1u);
  EXPECT_EQ(ins.new_tuple[0].data, "1");

  Wire upd_wire('U');
  upd_wire.U32(904).U32(16385).Ch('K').Cols(1).Text("1").Ch('N').Cols(1).Text("2");
  auto upd = DecodeAs<UpdateMsg>(d, upd_wire);
  EXPECT_EQ(upd.xid, 904u);
  EXPECT_EQ(upd.old_kind, 'K');
  EXPECT_EQ(upd.new_tuple[0].data, "2");

  auto upd2 = DecodeAs<UpdateMsg>(d, Wire('U').U32(904).U32(16385).Ch('N').Cols(1).Text("3"));
  EXPECT_EQ(upd2.xid, 904u);
  EXPECT_EQ(upd2.old_kind, 0);

  auto del = DecodeAs<DeleteMsg>(d, Wire('D').U32(905).U32(16385).Ch('O').Cols(1).Text("2"));
  EXPECT_EQ(del.xid, 905u);
  EXPECT_EQ(del.old_kind, 'O');

  auto tr = DecodeAs<TruncateMsg>(d, Wire('T').U32(906).I32(1).U8(1).U32(16385));
  EXPECT_EQ(tr.xid, 906u);
  EXPECT_TRUE(tr.cascade());
  EXPECT_EQ(tr.relation_oids, std::vector<uint32_t>{16385});

  Wire msg_wire('M');
  msg_wire.U32(907).U8(1).I64(0x10).Str("p").I32(1).Raw("x");
  auto msg = DecodeAs<LogicalMessageMsg>(d, msg_wire);
  EXPECT_EQ(msg.xid, 907u);
  EXPECT_EQ(msg.content, "x");

  // The origin message may follow a stream start and never carries an xid.
  auto origin = DecodeAs<OriginMsg>(d, Wire('O').I64(0).Str("node_a"));
  EXPECT_EQ(origin.name, "node_a");

  DecodeAs<StreamStopMsg>(d, Wire('E'));
  auto after = DecodeAs<InsertMsg>(d, Wire('I').U32(16385).Ch('N').Cols(1).Text("9"));
  EXPECT_FALSE(after.xid.has_value());
  EXPECT_EQ(after.relation_oid, 16385u);
}

TEST(PgOutputDecoderTest, RowMessageWithoutXidInsideStreamIsRejected) {
  // Same bytes as a non-streamed insert: inside a stream the oid is read as the
  // xid and the rest no longer lines up.
  PgOutputDecoder d = InStream(2);
  EXPECT_THROW(d.Decode(Wire('I').U32(16385).Ch('N').Cols(1).Text("9").span()), Error);
}

TEST(PgOutputDecoderTest, StreamCommit) {
  auto m =
      DecodeAs<StreamCommitMsg>(2, Wire('c').U32(777).U8(0).I64(0x5000).I64(0x5100).I64(kPg2024));
  EXPECT_EQ(m.xid, 777u);
  EXPECT_EQ(m.flags, 0);
  EXPECT_EQ(m.commit_lsn, Lsn(0x5000));
  EXPECT_EQ(m.end_lsn, Lsn(0x5100));
  EXPECT_EQ(m.commit_ts, kUnix2024);
}

TEST(PgOutputDecoderTest, StreamAbortVersion2HasNoLsn) {
  for (int version : {2, 3}) {
    auto m = DecodeAs<StreamAbortMsg>(version, Wire('A').U32(777).U32(778));
    EXPECT_EQ(m.xid, 777u);
    EXPECT_EQ(m.subxid, 778u);
    EXPECT_FALSE(m.abort_lsn.has_value());
    EXPECT_FALSE(m.abort_ts.has_value());
  }
}

TEST(PgOutputDecoderTest, StreamAbortVersion2RejectsAbortInfo) {
  PgOutputDecoder d(2);
  Wire w('A');
  w.U32(777).U32(777).I64(0x6000).I64(kPg2024);
  ExpectProtocolError([&] { d.Decode(w.span()); }, "16 trailing bytes");
}

TEST(PgOutputDecoderTest, StreamAbortVersion4WithLsnAndTimestamp) {
  auto m = DecodeAs<StreamAbortMsg>(4, Wire('A').U32(777).U32(777).I64(0x6000).I64(kPg2024 + 5));
  EXPECT_EQ(m.xid, 777u);
  EXPECT_EQ(m.subxid, 777u);
  ASSERT_TRUE(m.abort_lsn.has_value());
  EXPECT_EQ(*m.abort_lsn, Lsn(0x6000));
  ASSERT_TRUE(m.abort_ts.has_value());
  EXPECT_EQ(*m.abort_ts, kUnix2024 + 5);
}

TEST(PgOutputDecoderTest, StreamAbortVersion4WithoutParallelStreamingHasNoLsn) {
  // With streaming = on (not parallel) a v4 server omits the abort lsn/timestamp.
  auto m = DecodeAs<StreamAbortMsg>(4, Wire('A').U32(777).U32(779));
  EXPECT_EQ(m.subxid, 779u);
  EXPECT_FALSE(m.abort_lsn.has_value());
  EXPECT_FALSE(m.abort_ts.has_value());
}

TEST(PgOutputDecoderTest, StreamAbortVersion4PartialAbortInfoIsRejected) {
  PgOutputDecoder d(4);
  for (size_t extra = 1; extra < 16; ++extra) {
    Wire w('A');
    w.U32(777).U32(777).Raw(std::string(extra, '\x01'));
    EXPECT_THROW(d.Decode(w.span()), Error) << extra << " extra bytes";
  }
}

TEST(PgOutputDecoderTest, StreamStateViolationsAreRejected) {
  PgOutputDecoder d(3);
  ExpectProtocolError([&] { d.Decode(Wire('E').span()); }, "outside a streamed block");

  d.Decode(Wire('S').U32(1).U8(1).span());
  ExpectProtocolError([&] { d.Decode(Wire('S').U32(2).U8(1).span()); }, "inside a streamed block");
  ExpectProtocolError([&] { d.Decode(Wire('B').I64(1).I64(0).U32(1).span()); },
                      "Begin message inside a streamed block");
  ExpectProtocolError([&] { d.Decode(Wire('c').U32(1).U8(0).I64(1).I64(2).I64(0).span()); },
                      "Stream Commit message inside");
  ExpectProtocolError([&] { d.Decode(Wire('A').U32(1).U32(1).span()); }, "Stream Abort");
  EXPECT_TRUE(d.in_stream());
}

TEST(PgOutputDecoderTest, RejectedStreamStartDoesNotChangeState) {
  PgOutputDecoder d(2);
  EXPECT_THROW(d.Decode(Wire('S').U32(1).span()), Error);  // missing first_segment
  EXPECT_FALSE(d.in_stream());
  EXPECT_THROW(d.Decode(Wire('S').U32(1).U8(1).U8(0).span()), Error);  // trailing byte
  EXPECT_FALSE(d.in_stream());
  d.Decode(Wire('S').U32(1).U8(1).span());
  EXPECT_THROW(d.Decode(Wire('E').U8(0).span()), Error);  // trailing byte
  EXPECT_TRUE(d.in_stream());
}

// ---------------------------------------------------------------- protocol 3: two-phase

TEST(PgOutputDecoderTest, BeginPrepare) {
  auto m = DecodeAs<BeginPrepareMsg>(
      3, Wire('b').I64(0x7000).I64(0x7100).I64(kPg2024).U32(55).Str("gid-1"));
  EXPECT_EQ(m.prepare_lsn, Lsn(0x7000));
  EXPECT_EQ(m.end_lsn, Lsn(0x7100));
  EXPECT_EQ(m.prepare_ts, kUnix2024);
  EXPECT_EQ(m.xid, 55u);
  EXPECT_EQ(m.gid, "gid-1");
}

TEST(PgOutputDecoderTest, Prepare) {
  auto m = DecodeAs<PrepareMsg>(
      3, Wire('P').U8(0).I64(0x7000).I64(0x7100).I64(kPg2024).U32(55).Str("gid-1"));
  EXPECT_EQ(m.flags, 0);
  EXPECT_EQ(m.prepare_lsn, Lsn(0x7000));
  EXPECT_EQ(m.end_lsn, Lsn(0x7100));
  EXPECT_EQ(m.prepare_ts, kUnix2024);
  EXPECT_EQ(m.xid, 55u);
  EXPECT_EQ(m.gid, "gid-1");
  EXPECT_FALSE(m.stream);
}

TEST(PgOutputDecoderTest, CommitPrepared) {
  auto m = DecodeAs<CommitPreparedMsg>(
      3, Wire('K').U8(0).I64(0x8000).I64(0x8100).I64(kPg2024).U32(56).Str("gid-2"));
  EXPECT_EQ(m.flags, 0);
  EXPECT_EQ(m.commit_lsn, Lsn(0x8000));
  EXPECT_EQ(m.end_lsn, Lsn(0x8100));
  EXPECT_EQ(m.commit_ts, kUnix2024);
  EXPECT_EQ(m.xid, 56u);
  EXPECT_EQ(m.gid, "gid-2");
}

TEST(PgOutputDecoderTest, RollbackPrepared) {
  Wire w('r');
  w.U8(0).I64(0x9000).I64(0x9100).I64(kPg2024).I64(kPg2024 + kSecond).U32(57).Str("gid-3");
  auto m = DecodeAs<RollbackPreparedMsg>(3, w);
  EXPECT_EQ(m.flags, 0);
  EXPECT_EQ(m.prepare_end_lsn, Lsn(0x9000));
  EXPECT_EQ(m.rollback_end_lsn, Lsn(0x9100));
  EXPECT_EQ(m.prepare_ts, kUnix2024);
  EXPECT_EQ(m.rollback_ts, kUnix2024 + kSecond);
  EXPECT_EQ(m.xid, 57u);
  EXPECT_EQ(m.gid, "gid-3");
}

TEST(PgOutputDecoderTest, StreamPrepare) {
  auto m = DecodeAs<PrepareMsg>(
      3, Wire('p').U8(0).I64(0xA000).I64(0xA100).I64(kPg2024).U32(58).Str("gid-4"));
  EXPECT_EQ(m.prepare_lsn, Lsn(0xA000));
  EXPECT_EQ(m.end_lsn, Lsn(0xA100));
  EXPECT_EQ(m.prepare_ts, kUnix2024);
  EXPECT_EQ(m.xid, 58u);
  EXPECT_EQ(m.gid, "gid-4");
  EXPECT_TRUE(m.stream);
}

TEST(PgOutputDecoderTest, AllMessagesDecodeWithProtocolVersion4) {
  PgOutputDecoder d(4);
  EXPECT_EQ(d.protocol_version(), 4);
  DecodeAs<BeginMsg>(d, Wire('B').I64(1).I64(0).U32(1));
  DecodeAs<InsertMsg>(d, Wire('I').U32(1).Ch('N').Cols(0));
  DecodeAs<CommitMsg>(d, Wire('C').U8(0).I64(1).I64(2).I64(0));
  DecodeAs<BeginPrepareMsg>(d, Wire('b').I64(1).I64(2).I64(0).U32(1).Str("g"));
  DecodeAs<PrepareMsg>(d, Wire('P').U8(0).I64(1).I64(2).I64(0).U32(1).Str("g"));
  DecodeAs<CommitPreparedMsg>(d, Wire('K').U8(0).I64(1).I64(2).I64(0).U32(1).Str("g"));
  DecodeAs<StreamStartMsg>(d, Wire('S').U32(2).U8(1));
  DecodeAs<StreamStopMsg>(d, Wire('E'));
  DecodeAs<StreamCommitMsg>(d, Wire('c').U32(2).U8(0).I64(1).I64(2).I64(0));
}

// ---------------------------------------------------------------- version gating

TEST(PgOutputDecoderTest, StreamingMessagesNeedVersion2) {
  PgOutputDecoder d(1);
  ExpectProtocolError([&] { d.Decode(Wire('S').U32(1).U8(1).span()); },
                      "requires protocol version 2");
  EXPECT_FALSE(d.in_stream());
  EXPECT_THROW(d.Decode(Wire('E').span()), Error);
  EXPECT_THROW(d.Decode(Wire('c').U32(1).U8(0).I64(1).I64(2).I64(0).span()), Error);
  EXPECT_THROW(d.Decode(Wire('A').U32(1).U32(1).span()), Error);
}

TEST(PgOutputDecoderTest, TwoPhaseMessagesNeedVersion3) {
  for (int version : {1, 2}) {
    PgOutputDecoder d(version);
    ExpectProtocolError([&] { d.Decode(Wire('b').I64(1).I64(2).I64(0).U32(1).Str("g").span()); },
                        "requires protocol version 3");
    EXPECT_THROW(d.Decode(Wire('P').U8(0).I64(1).I64(2).I64(0).U32(1).Str("g").span()), Error);
    EXPECT_THROW(d.Decode(Wire('K').U8(0).I64(1).I64(2).I64(0).U32(1).Str("g").span()), Error);
    EXPECT_THROW(d.Decode(Wire('r').U8(0).I64(1).I64(2).I64(0).I64(0).U32(1).Str("g").span()),
                 Error);
    EXPECT_THROW(d.Decode(Wire('p').U8(0).I64(1).I64(2).I64(0).U32(1).Str("g").span()), Error);
  }
}

TEST(PgOutputDecoderTest, ConstructorRejectsUnknownVersion) {
  EXPECT_THROW(PgOutputDecoder(0), Error);
  EXPECT_THROW(PgOutputDecoder(5), Error);
  EXPECT_EQ(PgOutputDecoder(1).protocol_version(), 1);
}

// ---------------------------------------------------------------- malformed input

TEST(PgOutputDecoderTest, EmptyBufferIsRejected) {
  PgOutputDecoder d(4);
  ExpectProtocolError([&] { d.Decode({}); }, "empty");
}

TEST(PgOutputDecoderTest, UnknownTypeByteIsRejected) {
  PgOutputDecoder d(4);
  ExpectProtocolError([&] { d.Decode(Wire('Z').U32(1).span()); }, "0x5a ('Z')");
  ExpectProtocolError([&] { d.Decode(Wire('\x07').span()); }, "0x07");
  ExpectProtocolError([&] { d.Decode(Wire('\xff').span()); }, "0xff");
}

TEST(PgOutputDecoderTest, TruncationErrorNamesMessageAndField) {
  PgOutputDecoder d(1);
  ExpectProtocolError([&] { d.Decode(Wire('I').U8(0).span()); },
                      "pgoutput Insert message truncated: needed 4 bytes for relation oid, 1 left");
}

// Each prefix [0, size) of a valid message must be rejected, not read past.
// Prefixes are copied into their own exact-size buffer so a sanitizer or
// valgrind sees any read past the end.
struct PrefixCase {
  const char* name;
  int version;
  bool in_stream;
  Wire wire;
};

std::vector<PrefixCase> PrefixCases() {
  std::vector<PrefixCase> cases;
  auto add = [&](const char* name, int version, bool in_stream, Wire w) {
    cases.push_back({name, version, in_stream, std::move(w)});
  };
  add("Begin", 1, false, Wire('B').I64(1).I64(kPg2024).U32(3));
  add("Commit", 1, false, Wire('C').U8(0).I64(1).I64(2).I64(kPg2024));
  add("Origin", 1, false, Wire('O').I64(1).Str("origin"));
  Wire relation('R');
  relation.U32(1).Str("public").Str("t").Ch('d').I16(2);
  relation.U8(1).Str("id").U32(23).I32(-1).U8(0).Str("v").U32(25).I32(-1);
  add("Relation", 1, false, relation);
  add("Type", 1, false, Wire('Y').U32(1).Str("public").Str("mood"));
  add("Insert", 1, false,
      Wire('I').U32(1).Ch('N').Cols(4).Null().Unchanged().Text("abc").Binary("de"));
  add("UpdateK", 1, false,
      Wire('U').U32(1).Ch('K').Cols(1).Text("1").Ch('N').Cols(2).Text("2").Null());
  add("UpdateO", 1, false,
      Wire('U').U32(1).Ch('O').Cols(1).Binary("1").Ch('N').Cols(1).Unchanged());
  add("UpdateNoOld", 1, false, Wire('U').U32(1).Ch('N').Cols(1).Text("xyz"));
  add("DeleteK", 1, false, Wire('D').U32(1).Ch('K').Cols(1).Text("1"));
  add("DeleteO", 1, false, Wire('D').U32(1).Ch('O').Cols(2).Text("1").Null());
  add("Truncate", 1, false, Wire('T').I32(2).U8(3).U32(10).U32(11));
  add("Message", 1, false, Wire('M').U8(1).I64(5).Str("pfx").I32(3).Raw("abc"));
  add("StreamStart", 2, false, Wire('S').U32(9).U8(1));
  add("StreamStop", 2, true, Wire('E'));
  add("StreamCommit", 2, false, Wire('c').U32(9).U8(0).I64(1).I64(2).I64(kPg2024));
  add("StreamAbortV2", 2, false, Wire('A').U32(9).U32(10));
  add("StreamRelation", 2, true,
      Wire('R').U32(9).U32(1).Str("s").Str("t").Ch('d').I16(1).U8(0).Str("c").U32(23).I32(-1));
  add("StreamType", 2, true, Wire('Y').U32(9).U32(1).Str("s").Str("t"));
  add("StreamInsert", 2, true, Wire('I').U32(9).U32(1).Ch('N').Cols(1).Text("a"));
  add("StreamUpdate", 2, true,
      Wire('U').U32(9).U32(1).Ch('K').Cols(1).Text("a").Ch('N').Cols(1).Text("b"));
  add("StreamDelete", 2, true, Wire('D').U32(9).U32(1).Ch('K').Cols(1).Text("a"));
  add("StreamTruncate", 2, true, Wire('T').U32(9).I32(1).U8(0).U32(10));
  add("StreamMessage", 2, true, Wire('M').U32(9).U8(1).I64(5).Str("p").I32(1).Raw("x"));
  add("BeginPrepare", 3, false, Wire('b').I64(1).I64(2).I64(kPg2024).U32(3).Str("gid"));
  add("Prepare", 3, false, Wire('P').U8(0).I64(1).I64(2).I64(kPg2024).U32(3).Str("gid"));
  add("CommitPrepared", 3, false, Wire('K').U8(0).I64(1).I64(2).I64(kPg2024).U32(3).Str("gid"));
  add("RollbackPrepared", 3, false,
      Wire('r').U8(0).I64(1).I64(2).I64(kPg2024).I64(kPg2024).U32(3).Str("gid"));
  add("StreamPrepare", 3, false, Wire('p').U8(0).I64(1).I64(2).I64(kPg2024).U32(3).Str("gid"));
  return cases;
}

PgOutputDecoder MakeDecoder(int version, bool in_stream) {
  return in_stream ? InStream(version) : PgOutputDecoder(version);
}

TEST(PgOutputDecoderTest, EveryTruncationPrefixIsRejected) {
  for (const PrefixCase& c : PrefixCases()) {
    {
      // The full message decodes, so the prefixes fail for being short only.
      PgOutputDecoder d = MakeDecoder(c.version, c.in_stream);
      EXPECT_NO_THROW(d.Decode(c.wire.span())) << c.name;
    }
    for (size_t len = 0; len < c.wire.size(); ++len) {
      PgOutputDecoder d = MakeDecoder(c.version, c.in_stream);
      std::vector<uint8_t> prefix(c.wire.bytes().begin(), c.wire.bytes().begin() + len);
      EXPECT_THROW(d.Decode(prefix), Error) << c.name << " prefix of " << len << " bytes";
    }
  }
}

TEST(PgOutputDecoderTest, EveryTruncationPrefixOfV4StreamAbortIsRejected) {
  Wire w('A');
  w.U32(9).U32(10).I64(0x6000).I64(kPg2024);
  for (size_t len = 0; len < w.size(); ++len) {
    PgOutputDecoder d(4);
    std::vector<uint8_t> prefix(w.bytes().begin(), w.bytes().begin() + len);
    if (len == 9) {
      // xid + subxid alone is the complete streaming = on form.
      EXPECT_NO_THROW(d.Decode(prefix));
    } else {
      EXPECT_THROW(d.Decode(prefix), Error) << "prefix of " << len << " bytes";
    }
  }
}

TEST(PgOutputDecoderTest, TrailingBytesAreRejected) {
  for (const PrefixCase& c : PrefixCases()) {
    PgOutputDecoder d = MakeDecoder(c.version, c.in_stream);
    std::vector<uint8_t> longer = c.wire.bytes();
    longer.push_back(0);
    try {
      d.Decode(longer);
      ADD_FAILURE() << c.name << " accepted a trailing byte";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kProtocol);
      EXPECT_NE(e.message().find("1 trailing bytes"), std::string::npos)
          << c.name << ": " << e.message();
    }
  }
}

TEST(PgOutputDecoderTest, NegativeLengthsAreRejected) {
  PgOutputDecoder d(1);
  ExpectProtocolError([&] { d.Decode(Wire('I').U32(1).Ch('N').Cols(1).Ch('t').I32(-1).span()); },
                      "negative length -1 for text column value");
  ExpectProtocolError(
      [&] { d.Decode(Wire('I').U32(1).Ch('N').Cols(1).Ch('b').I32(-5).Raw("abcde").span()); },
      "negative length -5 for binary column value");
  ExpectProtocolError([&] { d.Decode(Wire('I').U32(1).Ch('N').Cols(-1).span()); },
                      "negative tuple column count -1");
  ExpectProtocolError([&] { d.Decode(Wire('R').U32(1).Str("s").Str("t").Ch('d').I16(-2).span()); },
                      "negative column count -2");
  ExpectProtocolError([&] { d.Decode(Wire('T').I32(-1).U8(0).span()); },
                      "negative relation count -1");
  ExpectProtocolError([&] { d.Decode(Wire('M').U8(1).I64(1).Str("p").I32(-1).span()); },
                      "negative length -1 for content");
}

TEST(PgOutputDecoderTest, HugeCountsFailWithoutAllocating) {
  PgOutputDecoder d(1);
  ExpectProtocolError([&] { d.Decode(Wire('I').U32(1).Ch('N').Cols(32767).Null().span()); },
                      "tuple claims 32767 columns");
  ExpectProtocolError(
      [&] { d.Decode(Wire('R').U32(1).Str("s").Str("t").Ch('d').I16(32767).span()); },
      "relation claims 32767 columns");
  ExpectProtocolError([&] { d.Decode(Wire('T').I32(0x7fffffff).U8(0).U32(1).span()); },
                      "truncate claims 2147483647 relations");
  ExpectProtocolError(
      [&] { d.Decode(Wire('I').U32(1).Ch('N').Cols(1).Ch('t').I32(0x7fffffff).Raw("ab").span()); },
      "needed 2147483647 bytes for text column value, 2 left");
}

TEST(PgOutputDecoderTest, MissingNulIsRejected) {
  PgOutputDecoder d(3);
  ExpectProtocolError([&] { d.Decode(Wire('O').I64(1).Raw("origin").span()); },
                      "no NUL terminator for origin name");
  ExpectProtocolError([&] { d.Decode(Wire('R').U32(1).Str("public").Raw("orders").span()); },
                      "no NUL terminator for relation name");
  ExpectProtocolError([&] { d.Decode(Wire('Y').U32(1).Raw("public").span()); },
                      "no NUL terminator for namespace name");
  ExpectProtocolError([&] { d.Decode(Wire('b').I64(1).I64(2).I64(0).U32(1).Raw("gid").span()); },
                      "no NUL terminator for gid");
}

TEST(PgOutputDecoderTest, BadTupleMarkersAreRejected) {
  PgOutputDecoder d(1);
  ExpectProtocolError([&] { d.Decode(Wire('I').U32(1).Ch('K').Cols(0).span()); },
                      "expected new tuple marker 'N', got 0x4b ('K')");
  ExpectProtocolError([&] { d.Decode(Wire('U').U32(1).Ch('X').Cols(0).span()); }, "got 0x58 ('X')");
  // After an old tuple, only 'N' may follow.
  ExpectProtocolError([&] { d.Decode(Wire('U').U32(1).Ch('K').Cols(0).Ch('K').Cols(0).span()); },
                      "expected tuple marker");
  ExpectProtocolError([&] { d.Decode(Wire('D').U32(1).Ch('N').Cols(0).span()); },
                      "expected old tuple marker 'K' or 'O'");
}

TEST(PgOutputDecoderTest, UnknownTupleValueKindIsRejected) {
  PgOutputDecoder d(1);
  ExpectProtocolError([&] { d.Decode(Wire('I').U32(1).Ch('N').Cols(2).Null().Ch('x').span()); },
                      "unknown tuple column kind 0x78 ('x') in column 1");
}

}  // namespace
}  // namespace wharf::capture
