#include "staging/ledger.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "staging/layout.hpp"
#include "staging/staged_log.hpp"

namespace wharf::staging {

using nlohmann::json;

namespace {

// Beside the source's manifests, data and state folders, not inside state/:
// resynchronising (deleting <source>/state) must not reset batch numbering.
std::string MarkPath(const std::string& source, const std::string& name) {
  return EncodePathSegment(source) + "/" + name + ".json";
}

// A mark that exists but cannot be read is an error, not "nothing": reading
// it as zero would restart batch numbering or count applied batches as pending.
json ReadMark(ObjectStore& store, const std::string& source, const std::string& name) {
  std::string path = MarkPath(source, name);
  if (!store.Exists(path)) return json::object();
  try {
    return json::parse(store.Read(path));
  } catch (const json::exception& e) {
    Fail(ErrorKind::kStaging, "{}/{} is corrupt ({}); restore it from a backup or delete it ({})",
         store.Describe(), path, e.what(),
         name == "applied" ? "the next load writes it again"
                           : "then write the first kept batch's seq minus one as deleted_through");
  }
}

}  // namespace

AppliedMark LoadAppliedMark(ObjectStore& store, const std::string& source) {
  auto j = ReadMark(store, source, "applied");
  AppliedMark m;
  m.seq = j.value("seq", uint64_t{0});
  m.applied_at = j.value("applied_at", int64_t{0});
  return m;
}

void SaveAppliedMark(ObjectStore& store, const std::string& source, const AppliedMark& m) {
  store.Put(MarkPath(source, "applied"),
            json({{"seq", m.seq}, {"applied_at", m.applied_at}}).dump() + "\n");
}

RetentionMark LoadRetentionMark(ObjectStore& store, const std::string& source) {
  auto j = ReadMark(store, source, "retained");
  RetentionMark m;
  m.deleted_through = j.value("deleted_through", uint64_t{0});
  m.cleanup_from = j.value("cleanup_from", m.deleted_through + 1);
  m.last_lsn = Lsn(j.value("last_lsn", uint64_t{0}));
  m.end_lsn = Lsn(j.value("end_lsn", uint64_t{0}));
  return m;
}

void SaveRetentionMark(ObjectStore& store, const std::string& source, const RetentionMark& m) {
  store.Put(MarkPath(source, "retained"),
            json({{"deleted_through", m.deleted_through},
                  {"cleanup_from", m.cleanup_from},
                  {"last_lsn", m.last_lsn.value()},
                  {"end_lsn", m.end_lsn.value()},
                  {"end_lsn_text", m.end_lsn.ToString()}})
                    .dump() +
                "\n");
}

std::vector<std::pair<uint64_t, uint64_t>> StagedBytesAbove(ObjectStore& store, const std::string& source,
                                                            uint64_t after_seq) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (uint64_t seq : ListManifests(store, source, after_seq)) {
    uint64_t bytes = 0;
    try {
      for (const auto& f : ReadManifest(store, source, seq).files) bytes += f.bytes;
    } catch (const Error&) {
      // Applied and deleted by retention since the listing: no longer pending.
      if (!store.Exists(ManifestPath(source, seq))) continue;
      throw;
    }
    out.emplace_back(seq, bytes);
  }
  return out;
}

}  // namespace wharf::staging
