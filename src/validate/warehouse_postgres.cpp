// WarehouseReader over a PostgreSQL target.
#include "core/error.hpp"
#include "pg/connection.hpp"
#include "validate/warehouse_reader.hpp"

namespace wharf::validate {
namespace {

class PgReader final : public WarehouseReader {
 public:
  explicit PgReader(const std::string& dsn) : conn_(pg::Connection::Open(dsn, false, "wharf validate")) {}
  Dialect dialect() const override { return Dialect::kPostgres; }
  std::vector<TextRow> Query(const std::string& sql) override {
    auto r = conn_.Exec(sql);
    std::vector<TextRow> out(static_cast<size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i)
      for (int c = 0; c < r.columns(); ++c) out[static_cast<size_t>(i)].push_back(r.GetOpt(i, c));
    return out;
  }
  void Begin() override { conn_.Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }
  void Commit() override { conn_.Exec("COMMIT"); }

 private:
  pg::Connection conn_;
};

}  // namespace

std::unique_ptr<WarehouseReader> OpenPgWarehouseReader(const core::TargetConfig& target) {
  if (target.dsn.empty())
    Fail(ErrorKind::kConfig, "target.type postgres needs target.dsn: the warehouse database to compare with");
  return std::make_unique<PgReader>(target.dsn);
}

}  // namespace wharf::validate
