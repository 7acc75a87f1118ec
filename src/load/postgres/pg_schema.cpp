#include "load/postgres/pg_schema.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <tuple>

#include "core/error.hpp"

namespace wharf::load::postgres {

namespace {

using pg::QuoteIdent;
using pg::QuoteLiteral;

constexpr uint32_t kVarbit = 1562;

std::string Qualified(const core::TableName& t) { return QuoteIdent(t.schema) + "." + QuoteIdent(t.name); }

std::string Where(const core::TableName& t) {
  return "table_schema = " + QuoteLiteral(t.schema) + " AND table_name = " + QuoteLiteral(t.name);
}

bool SameType(const core::Column& a, const core::Column& b) {
  return a.type_oid == b.type_oid && a.typmod == b.typmod && a.elem_oid == b.elem_oid && a.ndims == b.ndims;
}

// As DiffSchema compares them: in attnum order (kept columns move to the end of its `after`).
bool SameColumns(std::vector<WarehouseColumn> a, std::vector<WarehouseColumn> b) {
  auto by_attnum = [](const WarehouseColumn& x, const WarehouseColumn& y) {
    return std::tie(x.attnum, x.name) < std::tie(y.attnum, y.name);
  };
  std::sort(a.begin(), a.end(), by_attnum);
  std::sort(b.begin(), b.end(), by_attnum);
  return a == b;
}

}  // namespace

std::string SchemaMetadataDdl() {
  return "CREATE SCHEMA IF NOT EXISTS _wharf; "
         "CREATE TABLE IF NOT EXISTS _wharf.columns (table_schema text NOT NULL, table_name text NOT NULL, "
         "position int NOT NULL, column_name text NOT NULL, attnum int NOT NULL, type_oid bigint NOT NULL, "
         "typmod int NOT NULL, elem_oid bigint NOT NULL, ndims int NOT NULL, dropped boolean NOT NULL); "
         "CREATE TABLE IF NOT EXISTS _wharf.table_errors (table_schema text NOT NULL, table_name text NOT NULL, "
         "source text NOT NULL, reason text NOT NULL, batch_seq bigint NOT NULL, errored_at timestamptz NOT NULL)";
}

std::string FormatTypeSql(const core::Column& c) {
  return "SELECT format_type(" + std::to_string(c.type_oid) + ", " + std::to_string(c.typmod) + ")";
}

std::vector<std::string> SchemaStepSql(const core::TableName& target, const SchemaStep& s,
                                       const std::string& type_name) {
  const std::string alter = "ALTER TABLE " + Qualified(target) + " ";
  const std::string col = QuoteIdent(s.column);
  switch (s.kind) {
    case SchemaStep::Kind::kDrop:
      return {alter + "DROP COLUMN " + col};
    case SchemaStep::Kind::kRename:
      return {alter + "RENAME COLUMN " + col + " TO " + QuoteIdent(s.new_name)};
    case SchemaStep::Kind::kAlterType:
      // The source's own conversion (ALTER ... TYPE on the source converts the same way).
      return {alter + "ALTER COLUMN " + col + " TYPE " + type_name + " USING " + col + "::" + type_name};
    case SchemaStep::Kind::kAdd:
      if (!s.fill) return {alter + "ADD COLUMN " + col + " " + type_name};
      // A constant default fills existing rows without a rewrite (PostgreSQL 11+); the column
      // keeps no default, as rows arrive with their own values.
      return {alter + "ADD COLUMN " + col + " " + type_name + " DEFAULT " + QuoteLiteral(*s.fill) + "::" +
                  type_name,
              alter + "ALTER COLUMN " + col + " DROP DEFAULT"};
  }
  return {};
}

std::string SaveColumnsSql(const core::TableName& target, const std::vector<WarehouseColumn>& columns) {
  std::string sql = "DELETE FROM _wharf.columns WHERE " + Where(target);
  std::string values;
  for (size_t i = 0; i < columns.size(); ++i) {
    const auto& c = columns[i];
    values += (values.empty() ? "" : ", ") + std::string("(") + QuoteLiteral(target.schema) + ", " +
              QuoteLiteral(target.name) + ", " + std::to_string(i) + ", " + QuoteLiteral(c.name) + ", " +
              std::to_string(c.attnum) + ", " + std::to_string(c.source.type_oid) + ", " +
              std::to_string(c.source.typmod) + ", " + std::to_string(c.source.elem_oid) + ", " +
              std::to_string(c.source.ndims) + ", " + (c.dropped ? "true" : "false") + ")";
  }
  if (!values.empty()) sql += "; INSERT INTO _wharf.columns VALUES " + values;
  return sql;
}

std::string TableErrorSql(const core::TableName& target, const std::string& source, const std::string& reason,
                          uint64_t seq) {
  return "INSERT INTO _wharf.table_errors VALUES (" + QuoteLiteral(target.schema) + ", " +
         QuoteLiteral(target.name) + ", " + QuoteLiteral(source) + ", " + QuoteLiteral(reason) + ", " +
         std::to_string(seq) + ", now())";
}

bool PgWidens(const core::Column& from, const core::Column& to) {
  namespace oid = core::oid;
  // Arrays: their elements' types (an array's typmod is its element's).
  if ((from.elem_oid != 0) != (to.elem_oid != 0) || from.ndims != to.ndims) return false;
  const uint32_t f = from.elem_oid ? from.elem_oid : from.type_oid;
  const uint32_t t = to.elem_oid ? to.elem_oid : to.type_oid;
  // text holds every value's text form (the cast is the one the source's ALTER applies).
  if (t == oid::kText) return true;
  if (f != t) return false;
  if (f != oid::kVarchar && f != oid::kBpchar && f != kVarbit) return false;
  // typmod -1: no limit.
  return to.typmod == -1 || (from.typmod != -1 && to.typmod >= from.typmod);
}

PgSchemas::PgSchemas(pg::Connection& conn, const core::TargetConfig& config, CreateTable create)
    : conn_(conn), config_(config), create_(std::move(create)) {}

std::vector<core::LogicalType> PgSchemas::TypesOf(const core::RelationSchema& schema) const {
  std::vector<core::LogicalType> types;
  for (const auto& c : schema.columns) types.push_back(core::MapColumnType(c, config_.types));
  return types;
}

std::string PgSchemas::TypeName(const core::Column& c) {
  return std::string(conn_.Exec(FormatTypeSql(c)).Get(0, 0));
}

std::map<std::string, std::string> PgSchemas::Errors() {
  std::map<std::string, std::string> out;
  auto r = conn_.Exec("SELECT table_schema, table_name, reason FROM _wharf.table_errors");
  for (int i = 0; i < r.rows(); ++i)
    out[std::string(r.Get(i, 0)) + "." + std::string(r.Get(i, 1))] = std::string(r.Get(i, 2));
  return out;
}

void PgSchemas::Stop(const std::string& source, uint64_t seq, const core::TableName& target,
                     const std::string& reason) {
  spdlog::error("load: {} stopped: {}", target.ToString(), reason);
  conn_.Exec(TableErrorSql(target, source, reason, seq));
  auto it = tables_.find(target);
  if (it != tables_.end()) it->second.error = reason;
}

void PgSchemas::RecordHeld(const std::string& source, const std::map<std::string, std::string>& held) {
  std::string sql = "BEGIN; DELETE FROM _wharf.table_errors WHERE source = " + QuoteLiteral(source) +
                    " AND batch_seq = 0;";
  for (const auto& [table, reason] : held) {
    auto dot = table.find('.');
    sql += " " + TableErrorSql({table.substr(0, dot), table.substr(dot + 1)}, source, reason, 0) + ";";
  }
  conn_.Exec(sql + " COMMIT;");
}

PgSchemas::Table* PgSchemas::Load(const core::TableName& target, const core::RelationSchema& schema) {
  if (auto it = tables_.find(target); it != tables_.end()) return &it->second;
  auto physical = conn_.Exec("SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(" +
                             QuoteLiteral(Qualified(target)) + ") AND attnum > 0 AND NOT attisdropped "
                             "ORDER BY attnum");
  if (physical.rows() == 0) return nullptr;
  Table t;
  auto r = conn_.Exec(
      "SELECT column_name, attnum, type_oid, typmod, elem_oid, ndims, dropped FROM _wharf.columns WHERE " +
      Where(target) + " ORDER BY position");
  for (int i = 0; i < r.rows(); ++i) {
    WarehouseColumn w;
    w.name = std::string(r.Get(i, 0));
    w.attnum = std::stoi(std::string(r.Get(i, 1)));
    w.source.type_oid = static_cast<uint32_t>(std::stoul(std::string(r.Get(i, 2))));
    w.source.typmod = std::stoi(std::string(r.Get(i, 3)));
    w.source.elem_oid = static_cast<uint32_t>(std::stoul(std::string(r.Get(i, 4))));
    w.source.ndims = std::stoi(std::string(r.Get(i, 5)));
    w.dropped = r.Get(i, 6) == "t";
    w.type = core::MapColumnType(w.source, config_.types);
    t.columns.push_back(std::move(w));
  }
  if (t.columns.empty()) {
    // Made by a wharf that kept no record (PostgreSQL keeps quoted names exactly).
    std::vector<std::string> names;
    for (int i = 0; i < physical.rows(); ++i) names.emplace_back(physical.Get(i, 0));
    t.columns = ColumnsByName(names, schema, config_.types, false);
  }
  auto e = conn_.Exec("SELECT reason FROM _wharf.table_errors WHERE " + Where(target));
  if (e.rows()) t.error = std::string(e.Get(0, 0));
  return &tables_.emplace(target, std::move(t)).first->second;
}

void PgSchemas::Create(const core::TableName& target, const core::RelationSchema& schema) {
  create_(target, schema);
  SchemaPlan fresh = DiffSchema({}, schema, TypesOf(schema), DroppedColumns::kKeep);
  conn_.Exec(SaveColumnsSql(target, fresh.after));
  tables_[target] = Table{fresh.after, ""};
}

void PgSchemas::Drop(const core::TableName& target) {
  conn_.Exec("DROP TABLE IF EXISTS " + Qualified(target) + "; DELETE FROM _wharf.columns WHERE " + Where(target) +
             "; DELETE FROM _wharf.table_errors WHERE " + Where(target));
  tables_.erase(target);
}

void PgSchemas::PgDeclaredTypes(const core::TableName& target, const core::RelationSchema& schema,
                                const Table& table, SchemaPlan& plan) {
  // Declared types that changed within one logical type (varchar(10) -> varchar(100)).
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    const auto& s = schema.columns[i];
    bool stepped = false;
    for (const auto& st : plan.steps)
      stepped |= (st.kind == SchemaStep::Kind::kAdd || st.kind == SchemaStep::Kind::kAlterType) &&
                 st.source_index == i;
    if (stepped) continue;
    const WarehouseColumn* old = nullptr;
    for (const auto& w : table.columns)
      if (!w.dropped && ((s.attnum && w.attnum == s.attnum) || ((!s.attnum || !w.attnum) && FoldCase(w.name) == FoldCase(s.name))))
        old = &w;
    if (!old || SameType(old->source, s)) continue;
    if (PgWidens(old->source, s)) {
      plan.steps.push_back({SchemaStep::Kind::kAlterType, s.name, "", plan.after[i].type, std::nullopt, i});
    } else if (PgWidens(s, old->source)) {
      // Every value of the new declared type fits the column as it is, which the record keeps
      // (so later batches see the same difference and leave it again, quietly).
      spdlog::debug("load: {}: column {} is now {} on the source; the warehouse column keeps its type",
                    target.ToString(), s.name, TypeName(s));
      plan.after[i].source = old->source;
    } else {
      // Same logical type, unrelated PostgreSQL types (inet -> cidr, one enum -> another).
      plan.error = fmt::format(
          "column {} changed type from {} to {} on the source, which the warehouse cannot take "
          "without losing or guessing values (only widening changes are applied)",
          s.name, TypeName(old->source), TypeName(s));
      break;
    }
  }
}

bool PgSchemas::Prepare(const std::string& source, uint64_t seq, const core::TableName& target,
                        const core::RelationSchema& schema, bool truncates) {
  Table* t = Load(target, schema);
  if (!t) {
    Create(target, schema);
    return true;
  }
  if (!t->error.empty()) {
    if (!truncates) return false;
    spdlog::info("load: {} is emptied by this batch (resync or TRUNCATE): created afresh, and loading again",
                 target.ToString());
    Drop(target);
    Create(target, schema);
    return true;
  }
  SchemaPlan plan = DiffSchema(t->columns, schema, TypesOf(schema),
                               config_.dropped_columns == "drop" ? DroppedColumns::kDrop : DroppedColumns::kKeep);
  if (plan.error.empty()) PgDeclaredTypes(target, schema, *t, plan);
  if (!plan.error.empty()) {
    if (truncates) {
      // Everything the table will hold follows: no old value needs converting.
      spdlog::info("load: {}: {}; the batch empties the table, so it is created afresh", target.ToString(),
                   plan.error);
      Drop(target);
      Create(target, schema);
      return true;
    }
    Stop(source, seq, target, StopReason(plan.error, seq, schema.table));
    return false;
  }
  plan.metadata_changed = !SameColumns(plan.after, t->columns);
  if (!plan.steps.empty()) Apply(target, plan, schema);
  if (plan.metadata_changed) {
    conn_.Exec(SaveColumnsSql(target, plan.after));
    t->columns = plan.after;
  }
  return true;
}

void PgSchemas::Apply(const core::TableName& target, const SchemaPlan& plan, const core::RelationSchema& schema) {
  for (const auto& s : plan.steps) {
    std::string type_name;
    if (s.kind == SchemaStep::Kind::kAdd || s.kind == SchemaStep::Kind::kAlterType)
      type_name = TypeName(schema.columns[s.source_index]);
    for (const auto& sql : SchemaStepSql(target, s, type_name)) conn_.Exec(sql);
    spdlog::info("load: {}: {}", target.ToString(), DescribeStep(s, type_name));
  }
}

}  // namespace wharf::load::postgres
