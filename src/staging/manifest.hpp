#pragma once
// A batch manifest. Its existence in the store commits the batch: it is
// written last, after every data file it names is durable.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/lsn.hpp"
#include "core/relation.hpp"

namespace wharf::staging {

// A relation schema as manifests (and capture's schema record) store it.
nlohmann::json RelationToJson(const core::RelationSchema& r);
core::RelationSchema RelationFromJson(const nlohmann::json& j);

struct ManifestFile {
  std::string path;  // relative to the store root
  core::RelationSchema relation;  // the schema the file was written with
  uint64_t rows = 0;
  uint64_t bytes = 0;  // size of the stored (compressed) object
  // Of the stored bytes, "<algo>:<hex>" (staging/codec.hpp Checksum): "xxh128:..."
  // for new files; "sha256:..." for files staged before (key "sha256", bare hex).
  std::string checksum;
  std::map<char, uint64_t> ops;  // op letter -> count
  std::string format = "jsonl";
  std::string compression = "none";
  // Every row is a snapshot row new to the warehouse: the first full load
  // emptied the table ahead of it and no earlier batch staged that row, so the
  // loader may append the rows without looking for them (see full_load.cpp).
  bool fresh = false;
};

struct Manifest {
  int version = 1;
  std::string source;
  uint64_t seq = 0;
  // Invariants: first_lsn <= last_lsn < end_lsn for change batches. A
  // snapshot batch holds no transaction: first_lsn and last_lsn are 0 and
  // end_lsn is the snapshot's consistent point.
  Lsn first_lsn;  // commit LSN of the first transaction in the batch
  Lsn last_lsn;   // commit LSN of the last transaction
  Lsn end_lsn;    // end LSN of the last transaction: safe to confirm once durable
  uint64_t transactions = 0;
  int64_t created_at = 0;  // unix micros
  std::vector<ManifestFile> files;
  // Source tables ("schema.table") a copy while streaming was running for at
  // some point while the batch was open: a row change of theirs may meet no
  // warehouse row to take unchanged TOAST values from, because its page is
  // still to come. For other tables that means a row is missing.
  std::vector<std::string> copying;

  std::string ToJson() const;
  static Manifest FromJson(const std::string& text, const std::string& where);
};

}  // namespace wharf::staging
