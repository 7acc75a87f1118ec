#include "pipeline/read_replica.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/error.hpp"
#include "load/duckdb/duckdb_handle.hpp"

namespace wharf::pipeline {

namespace fs = std::filesystem;

namespace {

void FsyncPath(const fs::path& p, int flags) {
  int fd = ::open(p.c_str(), flags);
  if (fd < 0 || ::fsync(fd) != 0) {
    int err = errno;
    if (fd >= 0) ::close(fd);
    Fail(ErrorKind::kWarehouse, "cannot fsync {}: {}", p.string(), std::strerror(err));
  }
  ::close(fd);
}

}  // namespace

ReadReplica::ReadReplica(const core::Config& config) : config_(config) {
  fs::path p = config.target.read_replica;
  path_ = (p.is_relative() ? fs::path(config.base_dir) / p : p).string();
}

void ReadReplica::AfterLoad(load::Warehouse& warehouse, uint64_t applied, bool models_built, bool final_pass) {
  bool due;
  if (!config_.models.project.empty()) {
    due = models_built || (final_pass && applied > refreshed_at_batches_);
  } else {
    due = (applied > refreshed_at_batches_ || !refreshed_once_) &&
          (final_pass || !refreshed_once_ || std::chrono::steady_clock::now() - last_ >= config_.models.every);
  }
  if (!due) return;
  try {
    Refresh(warehouse);
    refreshed_at_batches_ = applied;
    refreshed_once_ = true;
    last_ = std::chrono::steady_clock::now();
  } catch (const std::exception& e) {
    spdlog::error("read replica {}: {}; readers keep the previous copy, tried again after the next batches",
                  path_, e.what());
  }
}

void ReadReplica::Refresh(load::Warehouse& warehouse) {
  auto embedded = warehouse.EmbeddedDatabase();
  if (!embedded) Fail(ErrorKind::kConfig, "target.read_replica is for a duckdb target");
  auto started = std::chrono::steady_clock::now();
  // Everything committed goes into the file and its WAL is emptied: between
  // batches nothing writes, so the file alone is the whole database.
  load::duckdb::Connection conn(embedded->database);
  conn.Query("CHECKPOINT " + load::duckdb::Ident(embedded->catalog));
  fs::path source = load::DuckDbFile(config_.target, config_.base_dir);
  fs::path target = path_;
  fs::path tmp = target;
  tmp += ".tmp";
  if (!target.parent_path().empty()) fs::create_directories(target.parent_path());
  std::error_code ec;
  fs::copy_file(source, tmp, fs::copy_options::overwrite_existing, ec);
  if (ec) Fail(ErrorKind::kWarehouse, "cannot copy {} to {}: {}", source.string(), tmp.string(), ec.message());
  FsyncPath(tmp, O_RDONLY);
  fs::rename(tmp, target, ec);
  if (ec) Fail(ErrorKind::kWarehouse, "cannot rename {} to {}: {}", tmp.string(), target.string(), ec.message());
  FsyncPath(target.parent_path().empty() ? fs::path(".") : target.parent_path(), O_RDONLY | O_DIRECTORY);
  spdlog::info("read replica {} refreshed in {:.2f} s", path_,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

}  // namespace wharf::pipeline
