#pragma once
// Applies a source's staged batches to the warehouse in seq order, each as
// one warehouse transaction, in memory bounded whatever the batch's size:
//
//   1. check: every file of the batch exists, in a format and compression
//      this loader reads, before anything is applied.
//   2. apply: each file is streamed once (decompression and decoding a piece
//      at a time) while its size and checksum are computed, its changes planned
//      in chunks of about `chunk_bytes`, and each chunk's plan applied inside
//      the batch's one warehouse transaction before the next chunk is read.
//      Applying the chunks' plans in order has the same effect as the batch's
//      net effect. Fresh full-load rows skip the planner (Warehouse::AppendRows).
//   3. a file whose size or checksum differs from its manifest (corrupt,
//      truncated, or changed while loading) fails the batch, whose
//      transaction then rolls back: nothing of it is applied. Reading once
//      instead of verifying first halves the I/O and hashing of a bulk load.
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "core/config.hpp"
#include "load/load_mode.hpp"
#include "load/warehouse.hpp"
#include "staging/format.hpp"
#include "staging/fresh_cache.hpp"
#include "staging/manifest.hpp"
#include "staging/object_store.hpp"

namespace wharf::load {

struct LoaderOptions {
  // Changes held in memory before their plan is applied: about this many
  // bytes of decoded values and per-value overhead. One change larger than
  // this is a chunk of its own.
  size_t chunk_bytes = size_t{16} << 20;

  // The defaults, with chunk_bytes from WHARF_LOAD_CHUNK_BYTES when set (a
  // hidden knob for tests and tuning; plain bytes). Throws kConfig on a bad value.
  static LoaderOptions FromEnvironment();
};

class Loader {
 public:
  // `store` and `warehouse` must outlive the loader. `modes`: each warehouse
  // table's load mode (target.mode, target.tables). `fresh_cache` (may be
  // null; must outlive the loader): fresh files' rows kept by this process's
  // capture, taken from there instead of reading the file.
  Loader(staging::ObjectStore& store, Warehouse& warehouse,
         LoaderOptions options = LoaderOptions::FromEnvironment(), ModeRules modes = {},
         staging::FreshCache* fresh_cache = nullptr)
      : store_(store), warehouse_(warehouse), options_(options), modes_(std::move(modes)),
        fresh_cache_(fresh_cache) {}

  // Applies every committed batch of `source` above the warehouse's progress,
  // then, while the next batch is a fresh file this process is still staging,
  // that one too as it is written (ApplyAhead). Returns how many batches were applied.
  size_t CatchUp(const core::SourceConfig& source);

  // Verifies and applies batch `seq` in one warehouse transaction. Returns
  // false when the warehouse had already applied it (nothing done).
  bool ApplyBatch(const core::SourceConfig& source, uint64_t seq);

  // Capture's held-back tables (capture state) into _wharf.table_errors:
  // looked up at most every 5 s unless `now`, written only when they changed.
  void SyncHeldTables(const core::SourceConfig& source, bool now = false);

  // Called on the loader's thread after each batch commits (status, metrics).
  void SetObserver(std::function<void(const staging::Manifest&)> observer) { observer_ = std::move(observer); }

 private:
  struct HeldSync {
    std::chrono::steady_clock::time_point checked{};
    std::optional<std::map<std::string, std::string>> recorded;  // what the warehouse has
  };
  std::map<std::string, HeldSync> held_;  // by source name

  // Presence, format, compression and checksum algorithm of every file (no reading).
  void CheckFiles(const staging::Manifest& manifest);
  // Size and checksum of one file, streaming; throws kStaging when they differ.
  void VerifyFile(const staging::ManifestFile& file, uint64_t seq);
  void ExpectIntact(const staging::ManifestFile& file, uint64_t seq, uint64_t size,
                    const std::string& digest);
  void ApplyFile(const core::SourceConfig& source, const staging::ManifestFile& file,
                 const staging::Manifest& manifest);
  // Batch `seq` when its first file is a fresh file still being staged by
  // this process (staging::FreshStream): its rows are appended inside the
  // batch's transaction as the copy writes them, and the transaction commits
  // once the manifest is durable and names exactly those rows, with the
  // manifest's other files applied as ApplyBatch would. Nothing is applied
  // when there is no such stream (kNone) or it does not qualify (kDeclined:
  // too few rows to be worth it, another load mode, abandoned by its writer,
  // wharf stopping, a manifest that differs): ApplyBatch then applies the
  // batch as always once it is committed.
  enum class Ahead {
    kNone,      // no stream for it
    kApplied,   // applied and committed
    kDeclined,  // a stream was there but did not qualify: nothing applied
  };
  Ahead ApplyAhead(const core::SourceConfig& source, uint64_t seq);
  // The committed batches after `applied`, in order; advances `applied`.
  // Returns how many were applied.
  size_t ApplyListed(const core::SourceConfig& source, uint64_t& applied);
  core::TableName TargetOf(const core::SourceConfig& source, const core::RelationSchema& relation) const;
  // Through the planner, in chunks.
  void ApplyChanges(const core::SourceConfig& source, const staging::ManifestFile& file, uint64_t seq,
                    const core::TableName& target, LoadMode mode, bool copying, staging::ChangeReader& changes);

  staging::ObjectStore& store_;
  Warehouse& warehouse_;
  LoaderOptions options_;
  ModeRules modes_;
  staging::FreshCache* fresh_cache_;
  std::function<void(const staging::Manifest&)> observer_;
};

}  // namespace wharf::load
