#include "staging/manifest.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "staging/codec.hpp"

namespace wharf::staging {

using nlohmann::json;

json RelationToJson(const core::RelationSchema& r) {
  json cols = json::array();
  for (const auto& c : r.columns) {
    json col = {
        {"name", c.name}, {"type_oid", c.type_oid}, {"typmod", c.typmod}, {"key", c.is_key}};
    // Array columns only: manifests written before arrays became LISTs have neither key.
    if (c.elem_oid != 0) {
      col["elem_oid"] = c.elem_oid;
      col["ndims"] = c.ndims;
    }
    // Written when known: manifests without them match warehouse columns by name.
    if (c.attnum != 0) col["attnum"] = c.attnum;
    if (c.missing) col["missing"] = *c.missing;
    cols.push_back(std::move(col));
  }
  return {{"oid", r.oid},
          {"schema", r.table.schema},
          {"table", r.table.name},
          {"replica_identity", std::string(1, r.replica_identity)},
          {"columns", cols}};
}
core::RelationSchema RelationFromJson(const json& j) {
  core::RelationSchema r;
  r.oid = j.at("oid").get<uint32_t>();
  r.table.schema = j.at("schema").get<std::string>();
  r.table.name = j.at("table").get<std::string>();
  r.replica_identity = j.at("replica_identity").get<std::string>().at(0);
  for (const auto& c : j.at("columns")) {
    core::Column col;
    col.name = c.at("name").get<std::string>();
    col.type_oid = c.at("type_oid").get<uint32_t>();
    col.typmod = c.at("typmod").get<int32_t>();
    col.is_key = c.at("key").get<bool>();
    // Absent in manifests written before arrays became LISTs: their arrays keep mapping to
    // VARCHAR (elem_oid 0), as the warehouse columns an older wharf made for them are, and their
    // dimensions were not recorded.
    col.elem_oid = c.value("elem_oid", uint32_t{0});
    col.ndims = c.value("ndims", int32_t{0});
    col.attnum = c.value("attnum", int32_t{0});
    if (c.contains("missing")) col.missing = c.at("missing").get<std::string>();
    r.columns.push_back(std::move(col));
  }
  return r;
}

std::string Manifest::ToJson() const {
  json files_json = json::array();
  for (const auto& f : files) {
    json ops_json = json::object();
    for (auto [op, n] : f.ops) ops_json[std::string(1, op)] = n;
    files_json.push_back({{"path", f.path},
                          {"table", f.relation.table.ToString()},
                          {"rows", f.rows},
                          {"bytes", f.bytes},
                          {"checksum", f.checksum},
                          {"format", f.format},
                          {"compression", f.compression},
                          {"ops", ops_json},
                          {"relation", RelationToJson(f.relation)}});
    if (f.fresh) files_json.back()["fresh"] = true;
  }
  json j = {{"version", version},
            {"source", source},
            {"seq", seq},
            {"first_lsn", first_lsn.value()},
            {"last_lsn", last_lsn.value()},
            {"end_lsn", end_lsn.value()},
            {"end_lsn_text", end_lsn.ToString()},
            {"transactions", transactions},
            {"created_at", created_at},
            {"copying", copying},
            {"files", files_json}};
  return j.dump(1) + "\n";
}

Manifest Manifest::FromJson(const std::string& text, const std::string& where) {
  try {
    json j = json::parse(text);
    Manifest m;
    m.version = j.at("version").get<int>();
    if (m.version != 1) {
      Fail(ErrorKind::kStaging, "manifest {} has version {}, this wharf reads version 1", where,
           m.version);
    }
    m.source = j.at("source").get<std::string>();
    m.seq = j.at("seq").get<uint64_t>();
    m.first_lsn = Lsn(j.at("first_lsn").get<uint64_t>());
    m.last_lsn = Lsn(j.at("last_lsn").get<uint64_t>());
    m.end_lsn = Lsn(j.at("end_lsn").get<uint64_t>());
    m.transactions = j.value("transactions", uint64_t{0});
    m.created_at = j.value("created_at", int64_t{0});
    m.copying = j.value("copying", std::vector<std::string>{});
    for (const auto& fj : j.at("files")) {
      ManifestFile f;
      f.path = fj.at("path").get<std::string>();
      f.rows = fj.at("rows").get<uint64_t>();
      f.bytes = fj.at("bytes").get<uint64_t>();
      // Manifests of an earlier wharf name only a SHA-256, as bare hex.
      f.checksum = fj.contains("checksum") ? fj.at("checksum").get<std::string>()
                                           : "sha256:" + fj.at("sha256").get<std::string>();
      ChecksumAlgoOf(f.checksum, fmt::format("{} (manifest {})", f.path, where));
      f.format = fj.value("format", std::string("jsonl"));
      f.compression = fj.value("compression", std::string("none"));
      f.fresh = fj.value("fresh", false);
      for (auto& [k, v] : fj.at("ops").items()) f.ops[k.at(0)] = v.get<uint64_t>();
      f.relation = RelationFromJson(fj.at("relation"));
      m.files.push_back(std::move(f));
    }
    return m;
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    Fail(ErrorKind::kStaging,
         "manifest {} is corrupt ({}); restore it from a copy or drop the staging directory and "
         "resynchronise",
         where, e.what());
  }
}

}  // namespace wharf::staging
