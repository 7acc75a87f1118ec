#include "models/dbt/artifacts.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "core/clock.hpp"
#include "models/dbt/json_value.hpp"

namespace wharf::models::dbt {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

constexpr const char* kDbtVersion = "1.8.0";

json Metadata(const Session& s, const char* schema) {
  return json{{"dbt_schema_version", fmt::format("https://schemas.getdbt.com/dbt/{}", schema)},
              {"dbt_version", kDbtVersion},
              {"generated_at", core::UtcNowIsoMicros()},
              {"invocation_id", s.invocation_id()},
              {"env", json::object()},
              {"project_name", s.loaded().project.name},
              {"adapter_type", s.loaded().profile.type}};
}

void Write(const Session& s, const char* file, const json& doc) {
  const auto& p = s.loaded().project;
  fs::path dir = p.root / p.target_path;
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::path tmp = dir / (std::string(file) + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << doc.dump(2);
  }
  fs::rename(tmp, dir / file, ec);
}

json StringArray(const std::vector<std::string>& items) {
  json a = json::array();
  for (const auto& i : items) a.push_back(i);
  return a;
}

json NodeJson(const Session& s, const NodeState& st) {
  const project::Node& n = *st.node;
  json columns = json::object();
  for (const auto& c : n.columns)
    columns[c.name] = json{{"name", c.name}, {"description", c.description},
                           {"data_type", c.data_type.empty() ? json(nullptr) : json(c.data_type)}};
  std::vector<std::string> nodes, macros;
  for (const auto& d : st.depends_on) nodes.push_back(d);
  json j{{"unique_id", n.unique_id},
         {"resource_type", project::NodeKindName(n.kind)},
         {"name", n.name},
         {"package_name", n.package_name},
         {"path", n.path},
         {"original_file_path", n.original_file_path},
         {"fqn", StringArray(n.fqn)},
         {"database", st.relation.database},
         {"schema", st.relation.schema},
         {"alias", st.relation.identifier.empty() ? n.name : st.relation.identifier},
         {"relation_name", st.relation.identifier.empty() || st.relation.cte ? json(nullptr) : json(st.relation.Render())},
         {"config", ToJson(jinja::Value(st.config))},
         {"tags", ToJson(st.config.Find("tags") ? *st.config.Find("tags") : jinja::Value(jinja::List{}))},
         {"description", st.description},
         {"columns", columns},
         {"raw_code", n.raw_code},
         {"language", "sql"},
         {"refs", json::array()},
         {"sources", json::array()},
         {"depends_on", json{{"macros", json::array()}, {"nodes", StringArray(nodes)}}},
         {"compiled", st.compiled},
         {"patch_path", n.patch_path.empty() ? json(nullptr) : json(n.patch_path)}};
  for (const auto& r : st.refs) j["refs"].push_back(json{{"name", r}, {"package", nullptr}, {"version", nullptr}});
  if (st.compiled) j["compiled_code"] = st.compiled_sql;
  if (n.test) {
    json kwargs = ToJson(jinja::Value(n.test->kwargs));
    kwargs["model"] = n.test->model_arg;
    j["test_metadata"] = json{{"name", n.test->test_name},
                              {"kwargs", kwargs},
                              {"namespace", n.test->namespace_.empty() ? json(nullptr) : json(n.test->namespace_)}};
    j["column_name"] = n.test->column_name.empty() ? json(nullptr) : json(n.test->column_name);
    j["attached_node"] = n.test->attached_to;
  }
  (void)s;
  return j;
}

}  // namespace

void WriteManifest(const Session& s) {
  json doc{{"metadata", Metadata(s, "manifest/v12.json")}};
  json nodes = json::object(), sources = json::object(), macros = json::object(), docs = json::object();
  for (const auto& [id, st] : s.nodes()) nodes[id] = NodeJson(s, st);
  for (const auto& t : s.loaded().manifest.sources) {
    Relation r = s.SourceRelation(t);
    sources[t.unique_id] = json{{"unique_id", t.unique_id}, {"resource_type", "source"}, {"name", t.name},
                                {"source_name", t.source_name}, {"identifier", t.identifier},
                                {"schema", t.schema}, {"database", r.database}, {"relation_name", r.Render()},
                                {"fqn", StringArray(t.fqn)}, {"description", t.description},
                                {"original_file_path", t.original_file_path},
                                {"package_name", s.loaded().project.name}};
  }
  for (const auto& m : s.loaded().manifest.macros) macros["macro." + s.loaded().project.name + "." + m.path] = json{{"original_file_path", m.path}};
  for (const auto& d : s.loaded().manifest.docs)
    docs["doc." + s.loaded().project.name + "." + d.name] = json{{"name", d.name}, {"block_contents", d.text}};
  json parent_map = json::object(), child_map = json::object();
  for (const auto& g : s.graph().nodes()) {
    parent_map[g.unique_id] = StringArray(s.graph().Parents(g.unique_id));
    child_map[g.unique_id] = StringArray(s.graph().Children(g.unique_id));
  }
  doc["nodes"] = nodes;
  doc["sources"] = sources;
  doc["macros"] = macros;
  doc["docs"] = docs;
  for (const char* empty : {"exposures", "metrics", "groups", "selectors", "disabled", "semantic_models",
                            "saved_queries", "unit_tests"})
    doc[empty] = json::object();
  doc["parent_map"] = parent_map;
  doc["child_map"] = child_map;
  doc["group_map"] = json::object();
  Write(s, "manifest.json", doc);
}

void WriteRunResults(const Session& s, const CommandResult& result, const CommandOptions& o) {
  json results = json::array();
  for (const auto& r : result.results) {
    json timing = json::array();
    std::string compiled = r.compiled_at.empty() ? r.started_at : r.compiled_at;
    timing.push_back(json{{"name", "compile"}, {"started_at", r.started_at}, {"completed_at", compiled}});
    timing.push_back(json{{"name", "execute"}, {"started_at", compiled}, {"completed_at", r.completed_at}});
    json rows = r.outcome.rows >= 0 ? json(r.outcome.rows) : json(nullptr);
    results.push_back(json{{"status", r.outcome.status},
                           {"timing", timing},
                           {"thread_id", "Thread-1"},
                           {"execution_time", r.seconds},
                           {"compile_time", r.compile_seconds},
                           {"adapter_response", json{{"_message", r.outcome.message}, {"rows_affected", rows}}},
                           {"message", r.outcome.message},
                           {"failures", r.outcome.failures ? json(*r.outcome.failures) : json(nullptr)},
                           {"unique_id", r.unique_id},
                           {"compiled", !r.compiled_sql.empty()},
                           {"compiled_code", r.compiled_sql},
                           {"relation_name", r.relation.empty() ? json(nullptr) : json(r.relation)}});
  }
  json args{{"which", o.command}, {"select", StringArray(o.select)}, {"exclude", StringArray(o.exclude)},
            {"full_refresh", o.full_refresh}, {"project_dir", s.loaded().project.root.string()}};
  json doc{{"metadata", Metadata(s, "run-results/v6.json")},
           {"results", results},
           {"elapsed_time", result.elapsed},
           {"args", args}};
  Write(s, "run_results.json", doc);
}

std::string ListJson(const graph::GraphNode& g) {
  json j{{"name", g.name}, {"resource_type", g.resource_type}, {"package_name", g.package_name},
         {"original_file_path", g.original_file_path}, {"unique_id", g.unique_id}, {"tags", StringArray(g.tags)},
         {"depends_on", json{{"nodes", StringArray(g.depends_on)}}}};
  json config = json::object();
  for (const auto& [k, v] : g.config) config[k] = v;
  j["config"] = config;
  return j.dump();
}

std::string FoundLine(const Session& s) {
  std::map<std::string, int> counts;
  for (const auto& [id, st] : s.nodes()) {
    std::string k = project::NodeKindName(st.node->kind);
    if (k == "test") k = "data test";
    counts[k]++;
  }
  counts["source"] = static_cast<int>(s.loaded().manifest.sources.size());
  counts["macro"] = static_cast<int>(s.loaded().manifest.macros.size());
  std::string out = "Found ";
  bool first = true;
  for (const char* k : {"model", "snapshot", "seed", "data test", "analysis", "source", "macro"}) {
    int n = counts[k];
    if (!n) continue;
    out += fmt::format("{}{} {}{}", first ? "" : ", ", n, k, n == 1 ? "" : (std::string(k) == "analysis" ? "" : "s"));
    first = false;
  }
  return first ? "Found nothing" : out;
}

}  // namespace wharf::models::dbt
