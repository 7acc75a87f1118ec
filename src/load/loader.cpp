#include "load/loader.hpp"

#include <malloc.h>

#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdlib>
#include <memory>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "load/fresh_rows.hpp"
#include "load/planner.hpp"
#include "staging/codec.hpp"
#include "staging/format.hpp"
#include "staging/ledger.hpp"
#include "staging/parallel_reader.hpp"
#include "staging/staged_log.hpp"
#include "staging/state_store.hpp"

namespace wharf::load {

namespace {

constexpr size_t kReadSize = size_t{1} << 20;

// What a decoded change costs while it waits in the planner: its values plus
// the per-value and per-change overhead, so a table of many small columns is
// measured as fairly as one of a few large ones.
size_t Footprint(const core::Change& c) {
  auto values = [](const std::vector<core::Datum>& v) {
    size_t n = v.size() * sizeof(core::Datum);
    for (const auto& d : v)
      if (d && d->size() > 15) n += d->size();  // beyond the small-string buffer
    return n;
  };
  return sizeof(core::Change) + 64 + values(c.row) + values(c.old) +
         c.unchanged.size() * sizeof(uint32_t);
}

std::string Where(const staging::ObjectStore& store, const std::string& path) {
  return store.Describe() + "/" + path;
}

std::string Where(const staging::ObjectStore& store, const staging::ManifestFile& f) {
  return Where(store, f.path);
}

// When the batch became visible to warehouse readers, in the clock
// PostgreSQL's commit timestamps use: bench/e2e_bench.sh measures freshness
// (visible minus source commit time) from these lines without opening the
// warehouse a second time (DuckDB allows one writer process).
void LogCommitted(const std::string& source, const staging::Manifest& m) {
  spdlog::debug("load {}: batch {} committed at {} us ({} transactions, last commit LSN {})", source,
                m.seq, core::NowMicros(), m.transactions, m.last_lsn.ToString());
}

}  // namespace

LoaderOptions LoaderOptions::FromEnvironment() {
  LoaderOptions o;
  if (const char* v = std::getenv("WHARF_LOAD_CHUNK_BYTES"); v && *v) {
    std::string_view text(v);
    size_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end != text.data() + text.size() || n == 0) {
      Fail(ErrorKind::kConfig,
           "WHARF_LOAD_CHUNK_BYTES='{}' is not a positive number of bytes; unset it or give one, "
           "e.g. 16777216",
           text);
    }
    o.chunk_bytes = n;
  }
  return o;
}

void Loader::CheckFiles(const staging::Manifest& m) {
  for (const auto& f : m.files) {
    std::string where = Where(store_, f);
    if (!store_.Exists(f.path)) {
      Fail(ErrorKind::kStaging,
           "staged file {} named by manifest {} is missing; restore it, or resynchronise the source",
           where, m.seq);
    }
    try {
      staging::ParseFormat(f.format);  // an unknown one fails here, before anything applies
    } catch (const Error&) {
      Fail(ErrorKind::kUnsupported,
           "staged file {} has format '{}'; this loader reads jsonl, csv and parquet. Load it with "
           "the wharf version that wrote it",
           where, f.format);
    }
    staging::ParseCompression(f.compression);  // an unknown one fails here, before anything applies
    staging::ChecksumAlgoOf(f.checksum, where);  // likewise
  }
}

void Loader::ExpectIntact(const staging::ManifestFile& f, uint64_t seq, uint64_t size,
                          const std::string& digest) {
  if (size != f.bytes || digest != f.checksum) {
    Fail(ErrorKind::kStaging,
         "staged file {} is corrupt or truncated ({} bytes, manifest says {}; checksum {}); "
         "nothing of batch {} was applied. Restore the file, or resynchronise the source",
         Where(store_, f), size, f.bytes, digest == f.checksum ? "matches" : "differs", seq);
  }
}

void Loader::VerifyFile(const staging::ManifestFile& f, uint64_t seq) {
  std::unique_ptr<char[]> buf = std::make_unique_for_overwrite<char[]>(kReadSize);
  staging::HashingReader reader(store_.OpenReader(f.path),
                                staging::ChecksumAlgoOf(f.checksum, Where(store_, f)));
  while (reader.Read(buf.get(), kReadSize)) {
  }
  ExpectIntact(f, seq, reader.tally()->bytes, reader.tally()->sum.Finish());
}

core::TableName Loader::TargetOf(const core::SourceConfig& source, const core::RelationSchema& relation) const {
  return {source.target_schema ? *source.target_schema : relation.table.schema, relation.table.name};
}

void Loader::ApplyFile(const core::SourceConfig& source, const staging::ManifestFile& f,
                       const staging::Manifest& m) {
  std::string where = Where(store_, f);
  const core::TableName target = TargetOf(source, f.relation);
  const LoadMode mode = modes_.For(f.relation.table, target);
  const bool fresh = mode == LoadMode::kMirror && f.fresh && f.ops.size() <= 1 &&
                     (f.ops.empty() || f.ops.begin()->first == 'R');
  if (f.fresh && fresh_cache_) {
    // This process staged the file a moment ago and kept its rows: the same
    // lines the file was encoded from, so reading it back would only cost.
    // Taken even when unused (a table in another mode), to free it.
    if (auto text = fresh_cache_->Take(f.path); fresh && text && text->rows() == f.rows) {
      spdlog::debug("load {}: batch {}: the {} rows of {} taken from memory", source.name, m.seq, f.rows,
                    f.path);
      FreshTextRows rows(*text, f.relation.columns.size(), where);
      warehouse_.AppendRows(target, f.relation, m.end_lsn, rows);
      rows.Finish();
      return;
    }
  }
  // With the algorithm the manifest names: batches staged before xxh128 carry sha256.
  auto hashing = std::make_unique<staging::HashingReader>(
      store_.OpenReader(f.path), staging::ChecksumAlgoOf(f.checksum, where));
  auto stored = hashing->tally();  // outlives the reader, which the change reader owns
  try {
    if (fresh) {
      // Rows of the first full load need no reconciliation (ManifestFile::fresh):
      // they stream straight into the table, decoded and converted on several
      // threads where the warehouse can, skipping the planner's map and the
      // warehouse's delete join, which dominate a bulk load otherwise. The
      // batch's end LSN is the snapshot's, which every row carries.
      auto reader = staging::OpenParallelChangeReader(f, std::move(hashing), where, kReadSize);
      FreshFileRows rows(*reader, f.rows, m.end_lsn, where);
      warehouse_.AppendRows(target, f.relation, m.end_lsn, rows);
      reader->Finish();
    } else {
      // Inside: a Parquet reader reads the whole file when it opens.
      auto changes = staging::OpenChangeReader(f, std::move(hashing), where, kReadSize);
      const bool copying = std::find(m.copying.begin(), m.copying.end(), f.relation.table.ToString()) != m.copying.end();
      ApplyChanges(source, f, m.seq, target, mode, copying, *changes);
    }
  } catch (const Error& e) {
    // A corrupt or truncated file usually fails as undecodable bytes; its
    // checksum then says what happened better than the decoder.
    if (e.kind() == ErrorKind::kStaging) VerifyFile(f, m.seq);
    throw;
  }
  // Read to its end: what was applied was exactly the file the manifest
  // names (else the batch rolls back).
  ExpectIntact(f, m.seq, stored->bytes, stored->sum.Finish());
}

void Loader::ApplyChanges(const core::SourceConfig& source, const staging::ManifestFile& f,
                          uint64_t seq, const core::TableName& target, LoadMode mode, bool copying,
                          staging::ChangeReader& changes) {
  TableBatch tb;
  tb.schema = f.relation;
  tb.target = target;
  tb.mode = mode;
  tb.copying = copying;
  size_t chunks = 0;
  Planner planner(f.relation, tb.mode);
  size_t held = 0;
  auto flush = [&] {
    tb.plan = planner.Finish();
    warehouse_.ApplyTable(tb);
    tb.plan = TablePlan{};  // release the chunk before reading the next
    // Hand the chunk's freed heap back to the system: without it glibc keeps
    // the pages of thousands of freed values, and a long batch's RSS creeps up.
    malloc_trim(0);
    held = 0;
    ++chunks;
  };
  core::Change change;
  while (changes.Next(change)) {
    if (planner.StartsNewChunk(change)) flush();
    held += Footprint(change);
    planner.Add(std::move(change));
    if (held >= options_.chunk_bytes) flush();
  }
  // The last chunk; also the only call for an empty file, so its table exists.
  if (planner.pending_changes() > 0 || chunks == 0) flush();
  if (chunks > 1) {
    // Once per large file: says why a big batch's transaction is long.
    spdlog::info("load {}: batch {}: {} changes to {} applied in {} chunks", source.name, seq,
                 changes.changes_read(), tb.target.ToString(), chunks);
  }
}

bool Loader::ApplyBatch(const core::SourceConfig& source, uint64_t seq) {
  staging::Manifest m = staging::ReadManifest(store_, source.name, seq);
  CheckFiles(m);
  if (!warehouse_.BeginBatch(source.name, m.seq)) {
    if (fresh_cache_) {
      for (const auto& f : m.files) fresh_cache_->Take(f.path);  // kept rows nobody needs now
    }
    return false;
  }
  try {
    for (const auto& f : m.files) ApplyFile(source, f, m);
    warehouse_.CommitBatch(m.last_lsn, m.end_lsn);
  } catch (...) {
    warehouse_.AbortBatch();
    throw;
  }
  LogCommitted(source.name, m);
  if (observer_) observer_(m);
  return true;
}

Loader::Ahead Loader::ApplyAhead(const core::SourceConfig& source, uint64_t seq) {
  if (!fresh_cache_) return Ahead::kNone;
  auto stream = fresh_cache_->TakeStream(source.name, seq);
  if (!stream) return Ahead::kNone;
  const core::TableName target = TargetOf(source, stream->relation);
  if (modes_.For(stream->relation.table, target) != LoadMode::kMirror) return Ahead::kDeclined;
  try {
    // Only a file large enough for the warehouse's bulk path, or expected to
    // be (as its range's previous batch was). A smaller one is usually whole
    // before the loader gets to it anyway.
    const uint64_t enough = warehouse_.AppendAheadRows();
    if (stream->expected_rows < enough && !stream->text->WaitRows(enough)) return Ahead::kDeclined;
    if (!warehouse_.BeginBatch(source.name, seq)) return Ahead::kDeclined;
    const std::string where = Where(store_, stream->path);
    FreshTextRows rows(*stream->text, stream->relation.columns.size(), where, stream->expected_rows);
    warehouse_.AppendRows(target, stream->relation, stream->lsn, rows);
    rows.Finish();
    // Every row is in; the batch is the manifest's to commit.
    if (!stream->text->WaitCommitted()) {
      warehouse_.AbortBatch();
      return Ahead::kDeclined;
    }
    staging::Manifest m = staging::ReadManifest(store_, source.name, seq);
    CheckFiles(m);
    const bool same = !m.files.empty() && m.files[0].path == stream->path && m.files[0].fresh &&
                      m.files[0].rows == stream->text->rows() && m.files[0].relation == stream->relation &&
                      m.end_lsn == stream->lsn && m.files[0].ops.size() == 1 &&
                      m.files[0].ops.begin()->first == 'R';
    fresh_cache_->Take(stream->path);  // the same text, offered at the commit: not needed again
    if (!same) {
      spdlog::warn("load {}: batch {}: its manifest does not name the rows streamed from {}; "
                   "applying it from its files instead",
                   source.name, seq, stream->path);
      warehouse_.AbortBatch();
      return Ahead::kDeclined;
    }
    for (size_t i = 1; i < m.files.size(); ++i) ApplyFile(source, m.files[i], m);
    warehouse_.CommitBatch(m.last_lsn, m.end_lsn);
    spdlog::debug("load {}: batch {}: the {} rows of {} appended as they were copied", source.name, seq,
                  m.files[0].rows, stream->path);
    LogCommitted(source.name, m);
    if (observer_) observer_(m);
    return Ahead::kApplied;
  } catch (const Error& e) {
    warehouse_.AbortBatch();
    // Its writer gave the text up (a failed copy, no room) or wharf is
    // stopping: the batch is applied from its files, if it is ever committed.
    // Anything else is the batch's own error, as ApplyBatch would meet it.
    const auto state = stream->text->state();
    if (state == staging::FreshText::State::kAbandoned || fresh_cache_->cancelled()) {
      spdlog::debug("load {}: batch {}: stopped streaming {}: {}", source.name, seq, stream->path,
                    e.message());
      return Ahead::kDeclined;
    }
    throw;
  }
}

size_t Loader::CatchUp(const core::SourceConfig& source) {
  uint64_t applied = warehouse_.AppliedSeq(source.name);
  size_t count = 0;
  for (;;) {
    count += ApplyListed(source, applied);
    // Then the batch being staged, if it streams; after it (or after a
    // stream that did not qualify) whatever was committed meanwhile.
    const Ahead ahead = ApplyAhead(source, applied + 1);
    if (ahead == Ahead::kNone) break;
    if (ahead == Ahead::kApplied) {
      ++count;
      ++applied;
    }
  }
  if (count) spdlog::debug("load {}: applied {} batch(es), now at {}", source.name, count, applied);
  return count;
}

void Loader::SyncHeldTables(const core::SourceConfig& source, bool now) {
  auto& sync = held_[source.name];
  auto at = std::chrono::steady_clock::now();
  if (!now && at - sync.checked < std::chrono::seconds(5)) return;
  sync.checked = at;
  auto state = staging::StateStore(store_, source.name).Load();
  std::map<std::string, std::string> held;
  if (state) {
    for (const auto& h : state->held) {
      auto dot = h.table.find('.');
      std::string schema = source.target_schema ? *source.target_schema : h.table.substr(0, dot);
      held[schema + "." + h.table.substr(dot + 1)] = "not replicated: " + h.reason;
    }
  }
  if (sync.recorded == held) return;
  warehouse_.RecordHeldTables(source.name, held);
  sync.recorded = std::move(held);
}

size_t Loader::ApplyListed(const core::SourceConfig& source, uint64_t& applied) {
  size_t count = 0;
  for (uint64_t seq : staging::ListManifests(store_, source.name, applied)) {
    if (seq != applied + 1) {
      auto kept = staging::LoadRetentionMark(store_, source.name);
      if (kept.deleted_through > applied) {
        Fail(ErrorKind::kStaging,
             "batches {}..{} of source {} were deleted by retention (staging.retention) after "
             "another warehouse applied them; this warehouse has applied up to {}. Point target at "
             "the warehouse that applied them, or build a new one with a new full load",
             applied + 1, kept.deleted_through, source.name, applied);
      }
      Fail(ErrorKind::kStaging,
           "batch {} of source {} is missing from {} (the warehouse has applied up to {}, the next "
           "staged batch is {}); restore the missing manifest or resynchronise",
           applied + 1, source.name, store_.Describe(), applied, seq);
    }
    if (ApplyBatch(source, seq)) ++count;
    applied = seq;
  }
  return count;
}

}  // namespace wharf::load
