#include "staging/batch_writer.hpp"
#include "core/clock.hpp"

#include <chrono>

#include "core/fault.hpp"
#include "staging/layout.hpp"

namespace wharf::staging {

BatchWriter::BatchWriter(ObjectStore& store, std::string source, uint64_t seq, BatchOptions options)
    : store_(store), options_(options) {
  manifest_.source = std::move(source);
  manifest_.seq = seq;
}

BatchWriter::~BatchWriter() {
  if (committed_ || !options_.fresh_cache) return;
  // Never committed: a loader streaming one of these texts rolls back.
  for (auto& [oid, f] : files_)
    if (f.text) f.text->Abandon();
  for (auto& [path, text] : closed_texts_) text->Abandon();
  options_.fresh_cache->TakeStream(manifest_.source, manifest_.seq);
}

BatchWriter::OpenFile& BatchWriter::FileFor(const core::RelationSchema& schema, int64_t ts) {
  auto it = files_.find(schema.oid);
  if (it != files_.end()) {
    if (it->second.meta.relation == schema) return it->second;
    Close(it->second);  // the schema changed mid-batch: continue in a new part
    files_.erase(it);
  }
  uint32_t part = parts_[schema.table.ToString()]++;
  OpenFile f;
  f.meta.relation = schema;
  f.meta.format = FormatName(options_.format);
  f.meta.compression = CompressionName(options_.compression);
  f.meta.fresh = options_.fresh;
  f.meta.path = DataPath(manifest_.source, schema.table, ts ? ts : core::NowMicros(), manifest_.seq, part,
                         FormatExtension(options_.format, options_.compression));
  // Fresh rows (a first full load) are bulk: written once, read once, soon.
  f.writer = OpenEncoder(options_.format, options_.compression, schema, store_.OpenWriter(f.meta.path),
                         options_.fresh ? Effort::kBulk : Effort::kDefault);
  if (options_.fresh && options_.fresh_cache) f.text = std::make_shared<FreshText>(options_.fresh_cache);
  return files_.emplace(schema.oid, std::move(f)).first->second;
}

void BatchWriter::Close(OpenFile& f) {
  for (size_t op = 0; op < f.op_counts.size(); ++op) {
    if (f.op_counts[op]) f.meta.ops[static_cast<char>(op)] += f.op_counts[op];
  }
  f.writer->Finish();
  f.meta.bytes = f.writer->stored_bytes();
  f.meta.checksum = f.writer->checksum();
  if (f.text) {
    f.text->Seal();
    closed_texts_.emplace_back(f.meta.path, std::move(f.text));
  }
  closed_.push_back(std::move(f.meta));
  core::FaultPoint("staging.after_data_file");
}

void BatchWriter::Add(const core::RelationSchema& schema, const core::Change& change) {
  OpenFile& f = FileFor(schema, change.ts);
  DropText(f);  // this row is not COPY text: the loader reads the file
  Count(f, change, f.writer->Add(change));
}

void BatchWriter::AddCopyText(const core::RelationSchema& schema, const core::Change& header,
                              std::string_view copy_line) {
  AddCopyText(FileFor(schema, header.ts), header, copy_line);
}

void BatchWriter::AddCopyText(OpenFile& f, const core::Change& header, std::string_view copy_line) {
  Count(f, header, f.writer->AddCopyText(header, copy_line));
  if (!f.text) return;
  if (!f.text->Add(copy_line)) {
    DropText(f);  // no room left in the cache's budget: the loader reads this file back
  } else if (!f.announced) {
    // The file's first row: this process's loader may stream it from now on.
    f.announced = true;
    options_.fresh_cache->Announce({manifest_.source, manifest_.seq, f.meta.path, f.meta.relation,
                                    header.end_lsn, expected_rows_, f.text});
  }
}

void BatchWriter::DropText(OpenFile& f) {
  if (!f.text) return;
  f.text->Abandon();
  f.text.reset();
}

void BatchWriter::Count(OpenFile& f, const core::Change& change, size_t bytes) {
  f.meta.rows++;
  f.op_counts[static_cast<unsigned char>(change.op) & 127]++;
  raw_bytes_ += bytes;
  changes_++;
}

void BatchWriter::AddSchema(const core::RelationSchema& schema) { FileFor(schema, 0); }

Manifest BatchWriter::Commit(Lsn first_lsn, Lsn last_lsn, Lsn end_lsn, uint64_t transactions) {
  for (auto& [oid, f] : files_) Close(f);
  files_.clear();
  manifest_.files = std::move(closed_);
  manifest_.first_lsn = first_lsn;
  manifest_.last_lsn = last_lsn;
  manifest_.end_lsn = end_lsn;
  manifest_.transactions = transactions;
  manifest_.created_at = core::NowMicros();
  core::FaultPoint("staging.before_manifest");
  store_.Put(ManifestPath(manifest_.source, manifest_.seq), manifest_.ToJson());
  core::FaultPoint("staging.after_manifest");
  // Only now: a loader can apply the batch, and so take its text, once the
  // manifest is durable.
  committed_ = true;
  if (options_.fresh_cache) {
    for (auto& [path, text] : closed_texts_) options_.fresh_cache->Offer(path, std::move(text));
    closed_texts_.clear();
    options_.fresh_cache->TakeStream(manifest_.source, manifest_.seq);  // streamed or not, it is whole now
  }
  return manifest_;
}

}  // namespace wharf::staging
