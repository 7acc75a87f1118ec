#include "models/dbt/materialize_sql.hpp"

#include <optional>

namespace wharf::models::dbt::sql {

namespace {

std::string QuotedList(const std::vector<std::string>& columns, const std::string& prefix = "") {
  std::string out;
  for (const auto& c : columns) out += (out.empty() ? "" : ", ") + prefix + QuoteIdent(c);
  return out;
}

// dbt's composite key match: (s.k1 = t.k1 and s.k2 = t.k2).
std::string KeyMatch(const std::vector<std::string>& keys, const std::string& left, const std::string& right) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : " and ") + left + "." + k + " = " + right + "." + k;
  return "(" + out + ")";
}

}  // namespace

Relation Twin(const Relation& relation, const std::string& suffix) {
  Relation r = relation;
  r.identifier += suffix;
  return r;
}

std::string CreateSchema(const std::string& adapter, const Relation& relation) {
  // PostgreSQL names no database in CREATE SCHEMA; DuckDB needs its catalog.
  if (adapter == "postgres" || relation.database.empty()) return "create schema if not exists " + QuoteIdent(relation.schema);
  return "create schema if not exists " + QuoteIdent(relation.database) + "." + QuoteIdent(relation.schema);
}

std::string Drop(const Relation& relation, RelKind kind) {
  return std::string("drop ") + (kind == RelKind::kView ? "view" : "table") + " if exists " + relation.Render() +
         " cascade";
}

std::string CreateView(const Relation& relation, const std::string& select) {
  return "create view " + relation.Render() + " as (\n" + select + "\n)";
}

std::string CreateTableAs(const Relation& relation, const std::string& select, bool temporary) {
  std::string name = temporary ? QuoteIdent(relation.identifier) : relation.Render();
  return std::string("create ") + (temporary ? "temporary " : "") + "table " + name + " as (\n" + select + "\n)";
}

std::string Rename(const Relation& from, RelKind kind, const Relation& to) {
  return std::string("alter ") + (kind == RelKind::kView ? "view " : "table ") + from.Render() + " rename to " +
         QuoteIdent(to.identifier);
}

std::string InsertFrom(const Relation& target, const std::string& source, const std::vector<std::string>& columns) {
  std::string cols = QuotedList(columns);
  return "insert into " + target.Render() + " (" + cols + ")\n(select " + cols + " from " + source + ")";
}

std::string DeleteMatching(const Relation& target, const std::string& source, const std::vector<std::string>& keys) {
  if (keys.size() == 1) {
    return "delete from " + target.Render() + " where (" + keys[0] + ") in (select (" + keys[0] + ") from " + source +
           ")";
  }
  return "delete from " + target.Render() + " using " + source + " as dbt_internal_source where " +
         KeyMatch(keys, "dbt_internal_source", target.Render());
}

std::string MergeUpdate(const Relation& target, const std::string& source, const std::vector<std::string>& keys,
                        const std::vector<std::string>& update_columns) {
  std::string set;
  for (const auto& c : update_columns)
    set += (set.empty() ? "" : ", ") + QuoteIdent(c) + " = dbt_internal_source." + QuoteIdent(c);
  return "update " + target.Render() + " set " + set + " from " + source + " as dbt_internal_source where " +
         KeyMatch(keys, "dbt_internal_source", target.Render());
}

std::string MergeInsert(const Relation& target, const std::string& source, const std::vector<std::string>& keys,
                        const std::vector<std::string>& columns) {
  return "insert into " + target.Render() + " (" + QuotedList(columns) + ")\n(select " +
         QuotedList(columns, "dbt_internal_source.") + " from " + source +
         " as dbt_internal_source where not exists (select 1 from " + target.Render() + " as dbt_internal_dest where " +
         KeyMatch(keys, "dbt_internal_source", "dbt_internal_dest") + "))";
}

std::string CreateTable(const Relation& relation, const std::vector<std::string>& columns,
                        const std::vector<std::string>& types) {
  std::string out = "create table " + relation.Render() + " (";
  for (size_t i = 0; i < columns.size(); ++i) out += (i ? ", " : "") + QuoteIdent(columns[i]) + " " + types[i];
  return out + ")";
}

std::string InsertValues(const Relation& relation, const std::vector<std::string>& columns,
                         const std::vector<std::vector<std::optional<std::string>>>& rows, size_t begin, size_t end) {
  std::string out = "insert into " + relation.Render() + " (" + QuotedList(columns) + ") values\n";
  for (size_t r = begin; r < end; ++r) {
    out += r == begin ? "(" : ",\n(";
    for (size_t c = 0; c < rows[r].size(); ++c) {
      if (c) out += ", ";
      out += rows[r][c] ? QuoteLiteral(*rows[r][c]) : "null";
    }
    out += ")";
  }
  return out;
}

std::string TestQuery(const std::string& select, const std::string& fail_calc, const std::string& warn_if,
                      const std::string& error_if, const std::string& limit) {
  return "select\n  " + fail_calc + " as failures,\n  " + fail_calc + " " + warn_if + " as should_warn,\n  " + fail_calc +
         " " + error_if + " as should_error\nfrom (\n" + select + "\n" + (limit.empty() ? "" : "limit " + limit + "\n") +
         ") dbt_internal_test";
}

}  // namespace wharf::models::dbt::sql
