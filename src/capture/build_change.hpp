#pragma once
// pgoutput row messages to staged changes (pure).
#include <vector>

#include "capture/pgoutput_messages.hpp"
#include "capture/relation_cache.hpp"
#include "core/change.hpp"
#include "core/error.hpp"

namespace wharf::capture {

inline core::Datum ToDatum(const TupleValue& v) {
  if (v.kind == TupleValue::Kind::kNull) return std::nullopt;
  if (v.kind == TupleValue::Kind::kBinary) {
    Fail(ErrorKind::kProtocol, "pgoutput sent a binary value; wharf requests text values");
  }
  return std::string(v.data);
}

// Fills `out` from a tuple; records unchanged-TOAST columns in `unchanged`.
inline void FillRow(const core::RelationSchema& schema, const Tuple& tuple, std::vector<core::Datum>& out,
             std::vector<uint32_t>* unchanged) {
  if (tuple.size() != schema.columns.size()) {
    Fail(ErrorKind::kProtocol, "pgoutput sent {} columns for {}, its Relation message had {}",
         tuple.size(), schema.table.ToString(), schema.columns.size());
  }
  out.resize(tuple.size());
  for (size_t i = 0; i < tuple.size(); ++i) {
    if (tuple[i].kind == TupleValue::Kind::kUnchanged) {
      out[i].reset();
      if (unchanged) unchanged->push_back(static_cast<uint32_t>(i));
    } else {
      out[i] = ToDatum(tuple[i]);
    }
  }
}

// Turns a row message into `change` (Insert, Update, Delete: one call of
// `sink`; Truncate: one per relation). `sink` gets the schema and the message's
// xid (0 outside a stream). Other messages are ignored.
template <typename Sink>
void BuildChange(const Message& msg, RelationCache& relations, core::Change& change, Sink&& sink) {
  if (auto* ins = std::get_if<InsertMsg>(&msg)) {
    const auto& schema = relations.Get(ins->relation_oid);
    change.op = core::Op::kInsert;
    change.unchanged.clear();
    change.has_old = false;
    change.old.clear();
    FillRow(schema, ins->new_tuple, change.row, &change.unchanged);
    sink(schema, ins->xid.value_or(0));
  } else if (auto* up = std::get_if<UpdateMsg>(&msg)) {
    const auto& schema = relations.Get(up->relation_oid);
    change.op = core::Op::kUpdate;
    change.unchanged.clear();
    FillRow(schema, up->new_tuple, change.row, &change.unchanged);
    change.has_old = up->old_kind != 0;
    change.old_kind = up->old_kind == 'O' ? 'O' : 'K';
    if (change.has_old) FillRow(schema, up->old_tuple, change.old, nullptr);
    else change.old.clear();
    sink(schema, up->xid.value_or(0));
  } else if (auto* del = std::get_if<DeleteMsg>(&msg)) {
    const auto& schema = relations.Get(del->relation_oid);
    change.op = core::Op::kDelete;
    change.unchanged.clear();
    change.row.clear();
    change.has_old = true;
    change.old_kind = del->old_kind == 'O' ? 'O' : 'K';
    FillRow(schema, del->old_tuple, change.old, nullptr);
    sink(schema, del->xid.value_or(0));
  } else if (auto* tr = std::get_if<TruncateMsg>(&msg)) {
    change.op = core::Op::kTruncate;
    change.unchanged.clear();
    change.row.clear();
    change.old.clear();
    change.has_old = false;
    for (uint32_t oid : tr->relation_oids) sink(relations.Get(oid), tr->xid.value_or(0));
  }
  // Origin, Type and logical decoding messages carry nothing to stage.
}


}  // namespace wharf::capture
