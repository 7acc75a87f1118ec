#include "validate/validate.hpp"

#include "capture/source_setup.hpp"
#include "core/error.hpp"
#include "pg/catalog.hpp"
#include "pg/copy_text.hpp"

namespace wharf::validate {

Report ValidateSource(const core::SourceConfig& source, load::Warehouse& warehouse,
                      const std::optional<std::string>& only_table, size_t sample_limit) {
  auto conn = pg::Connection::Open(source.dsn, false, "wharf validate " + source.name);
  auto tables = capture::SelectTables(conn, source).tables;
  conn.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  pg::TypeResolver types;
  Report report;
  bool found = false;
  for (const auto& t : tables) {
    if (only_table && t.name.ToString() != *only_table) continue;
    found = true;
    auto schema = pg::DescribeTable(conn, t, types);
    TableReport tr;
    tr.source = source.name;
    tr.source_table = t.name;
    tr.target = {source.target_schema ? *source.target_schema : t.name.schema, t.name.name};
    std::string cols;
    for (const auto& c : schema.columns) cols += (cols.empty() ? "" : ", ") + pg::QuoteIdent(c.name);
    std::string sql = "COPY (SELECT " + cols + " FROM " + pg::QuoteIdent(t.name.schema) + "." +
                      pg::QuoteIdent(t.name.name) + ") TO STDOUT";
    tr.diff = warehouse.Compare(
        tr.target, schema,
        [&](const load::RowCallback& emit) {
          std::vector<core::Datum> row;
          conn.CopyOut(sql, [&](std::string_view line) {
            pg::ParseCopyTextRow(line, row, schema.columns.size());
            emit(row);
          });
        },
        sample_limit);
    report.tables.push_back(std::move(tr));
  }
  conn.Exec("COMMIT");
  if (only_table && !found) {
    Fail(ErrorKind::kConfig, "table {} is not among the tables source {} replicates", *only_table,
         source.name);
  }
  return report;
}

}  // namespace wharf::validate
