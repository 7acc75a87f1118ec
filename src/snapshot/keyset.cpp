#include "snapshot/keyset.hpp"

#include "core/error.hpp"

namespace wharf::snapshot {

KeyInfo DescribeKey(pg::Connection& conn, const core::RelationSchema& schema) {
  KeyInfo key;
  key.columns = schema.KeyIndexes();
  if (key.columns.empty()) return key;
  std::string names;
  for (size_t i : key.columns) names += (names.empty() ? "" : ",") + pg::QuoteLiteral(schema.columns[i].name);
  auto r = conn.ExecParams(
      "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
      "WHERE attrelid = $1::oid AND attname IN (" + names + ")",
      {std::to_string(schema.oid)});
  for (size_t i : key.columns) {
    std::string type;
    for (int row = 0; row < r.rows(); ++row)
      if (r.Get(row, 0) == schema.columns[i].name) type = std::string(r.Get(row, 1));
    if (type.empty()) {
      Fail(ErrorKind::kSource, "key column {} of {} is not in the catalog", schema.columns[i].name,
           schema.table.ToString());
    }
    key.type_names.push_back(type);
  }
  return key;
}

namespace {
std::string Tuple(const core::RelationSchema& schema, const KeyInfo& key) {
  std::string out = "(";
  for (size_t k = 0; k < key.columns.size(); ++k)
    out += (k ? ", " : "") + pg::QuoteIdent(schema.columns[key.columns[k]].name);
  return out + ")";
}
std::string Values(const KeyInfo& key, const std::vector<std::string>& texts) {
  std::string out = "(";
  for (size_t k = 0; k < key.columns.size(); ++k)
    out += (k ? ", " : "") + pg::QuoteLiteral(texts.at(k)) + "::" + key.type_names[k];
  return out + ")";
}
}  // namespace

std::string PageQuery(const core::RelationSchema& schema, const KeyInfo& key,
                      const staging::KeyRange& range, uint64_t limit) {
  std::string cols;
  for (const auto& c : schema.columns) cols += (cols.empty() ? "" : ", ") + pg::QuoteIdent(c.name);
  std::string sql = "SELECT " + cols + " FROM " + pg::QuoteIdent(schema.table.schema) + "." +
                    pg::QuoteIdent(schema.table.name);
  if (!key.Usable()) return sql;
  std::vector<std::string> where;
  // Row comparisons use the key's btree index.
  if (!range.after.empty()) where.push_back(Tuple(schema, key) + " > " + Values(key, range.after));
  if (!range.upto.empty()) where.push_back(Tuple(schema, key) + " <= " + Values(key, range.upto));
  for (size_t i = 0; i < where.size(); ++i) sql += (i ? " AND " : " WHERE ") + where[i];
  std::string order;
  for (size_t k : key.columns) order += (order.empty() ? "" : ", ") + pg::QuoteIdent(schema.columns[k].name);
  sql += " ORDER BY " + order;
  if (limit) sql += " LIMIT " + std::to_string(limit);
  return sql;
}

std::vector<std::string> KeyOf(const KeyInfo& key, const std::vector<core::Datum>& row) {
  std::vector<std::string> out;
  for (size_t i : key.columns) out.push_back(row.at(i).value_or(""));
  return out;
}

}  // namespace wharf::snapshot
