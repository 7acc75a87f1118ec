#include "load/loader.hpp"

#include <spdlog/spdlog.h>

#include "core/error.hpp"
#include "staging/codec.hpp"
#include "staging/jsonl.hpp"
#include "staging/staged_log.hpp"

namespace wharf::load {

BatchApply Loader::Prepare(const core::SourceConfig& source, uint64_t seq) {
  staging::Manifest m = staging::ReadManifest(store_, source.name, seq);
  BatchApply batch;
  batch.source = source.name;
  batch.seq = m.seq;
  batch.last_lsn = m.last_lsn;
  batch.end_lsn = m.end_lsn;
  for (const auto& f : m.files) {
    std::string where = store_.Describe() + "/" + f.path;
    if (!store_.Exists(f.path)) {
      Fail(ErrorKind::kStaging,
           "staged file {} named by manifest {} is missing; restore it, or resynchronise the source",
           where, seq);
    }
    std::string stored = store_.Read(f.path);
    if (stored.size() != f.bytes || staging::Sha256Hex(stored) != f.sha256) {
      Fail(ErrorKind::kStaging,
           "staged file {} is corrupt or truncated ({} bytes, manifest says {}; checksum {}); "
           "nothing of batch {} was applied. Restore the file, or resynchronise the source",
           where, stored.size(), f.bytes,
           staging::Sha256Hex(stored) == f.sha256 ? "matches" : "differs", seq);
    }
    if (f.format != "jsonl") {
      Fail(ErrorKind::kUnsupported, "staged file {} has format {}; this loader reads jsonl", where,
           f.format);
    }
    std::string text = staging::Decompress(stored, staging::ParseCompression(f.compression), where);
    auto changes = staging::DecodeJsonLines(f.relation, text, where);
    Planner planner(f.relation);
    for (const auto& c : changes) planner.Add(c);
    TableBatch tb;
    tb.schema = f.relation;
    tb.target = {source.target_schema ? *source.target_schema : f.relation.table.schema,
                 f.relation.table.name};
    tb.plan = planner.Finish();
    batch.tables.push_back(std::move(tb));
  }
  return batch;
}

size_t Loader::CatchUp(const core::SourceConfig& source) {
  uint64_t applied = warehouse_.AppliedSeq(source.name);
  size_t count = 0;
  for (uint64_t seq : staging::ListManifests(store_, source.name, applied)) {
    if (seq != applied + 1) {
      Fail(ErrorKind::kStaging,
           "batch {} of source {} is missing from {} (the warehouse has applied up to {}, the next "
           "staged batch is {}); restore the missing manifest or resynchronise",
           applied + 1, source.name, store_.Describe(), applied, seq);
    }
    auto batch = Prepare(source, seq);
    warehouse_.Apply(batch);
    applied = seq;
    ++count;
  }
  if (count) spdlog::debug("load {}: applied {} batch(es), now at {}", source.name, count, applied);
  return count;
}

}  // namespace wharf::load
