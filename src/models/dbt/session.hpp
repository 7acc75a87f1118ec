#pragma once
// wharf::models::dbt::Session: one dbt invocation over a loaded project. It
// owns the Jinja environment with dbt's context (ref, source, config, var,
// this, is_incremental, adapter, ...), parses every node once (rendering with
// execute=False, as dbt does, to learn configs and dependencies), names each
// node's relation, builds the DAG, and compiles nodes for execution.
//
//   Session s(std::move(loaded), db, flags);
//   s.Parse();                       // configs, refs, relations, graph
//   std::string sql = s.Compile(id); // execute=True; ephemeral refs become CTEs
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "models/dbt/db.hpp"
#include "models/dbt/relation.hpp"
#include "models/graph/graph.hpp"
#include "models/jinja/environment.hpp"
#include "models/project/project.hpp"

namespace wharf::models::dbt {

struct Flags {
  bool full_refresh = false;
  std::string which = "run";  // run | test | seed | snapshot | build | compile | ls
  jinja::Dict vars;           // --vars: win over the project's vars
  bool store_failures = false;  // --store-failures
};

struct Loaded {
  project::Project project;
  project::Profile profile;
  project::Manifest manifest;
};

// A node as the invocation knows it: its config after in-file config() calls,
// its dependencies, its relation, and what went wrong parsing it.
struct NodeState {
  const project::Node* node = nullptr;
  jinja::Dict config;
  std::vector<std::string> depends_on;  // unique_ids (models, seeds, snapshots, sources)
  std::vector<std::string> refs;        // as written, for the manifest
  Relation relation;
  std::string parse_error;  // non-empty: the node failed to parse (its file:line:col message)
  std::string description;  // the YAML description with {{ doc(...) }} rendered
  std::string rendered_sql;  // execute=True render, before CTE injection
  std::string compiled_sql;  // what runs: with the CTEs of ephemeral models it reads
  bool compiled = false;

  std::string materialized() const;
  // A config value as a string ("" when unset or not a string).
  std::string ConfigString(std::string_view key) const;
  // A config value that is one name or a list of them (unique_key, check_cols):
  // each item's text; empty when unset, none or "".
  std::vector<std::string> ConfigList(std::string_view key) const;
};

class Session {
 public:
  Session(Loaded loaded, Db* db, Flags flags);
  ~Session();

  // Renders every node with execute=False. A node that fails is kept with its
  // error (so the rest of the DAG still builds); errors that make the graph
  // itself impossible (a cycle) are in graph_error(), and the nodes on the
  // cycle get that as their parse error.
  void Parse();

  // The compiled SQL of a node (execute=True): refs resolved, the CTEs of
  // ephemeral models it reads injected. Throws wharf::Error on a template error.
  const std::string& Compile(const std::string& unique_id);
  // Renders SQL outside any node (show --inline): ref() and source() resolve.
  std::string RenderInline(const std::string& text, const jinja::Dict& extra = {});
  // Renders a piece of SQL (a hook) in the node's context.
  std::string RenderInNode(const std::string& unique_id, const std::string& text, const std::string& name);

  const graph::Graph& graph() const { return *graph_; }
  const std::string& graph_error() const { return graph_error_; }
  NodeState& node(const std::string& unique_id);
  const std::map<std::string, NodeState>& nodes() const { return nodes_; }
  const project::SourceTable* source(const std::string& unique_id) const;
  Relation SourceRelation(const project::SourceTable& table) const;
  const Loaded& loaded() const { return loaded_; }
  Db* db() const { return db_; }
  const Flags& flags() const { return flags_; }
  const jinja::Environment& env() const { return *env_; }
  const std::string& invocation_id() const { return invocation_id_; }
  // Log lines from templates ({{ log(msg, info=True) }}), drained by the runner.
  std::vector<std::string> TakeLogs();

  // Whether a node is built incrementally now: an incremental model whose
  // table exists, without --full-refresh (or with config full_refresh: false).
  bool IsIncremental(const NodeState& state);

 private:
  // The node being rendered and how: host functions read it.
  struct Render {
    NodeState* state = nullptr;
    bool execute = false;
  };

  // context.cpp
  void RegisterContext();
  void RegisterNodeFunctions();
  void RegisterValues();
  void RegisterLogging();
  void RegisterQueries();
  void RegisterHelpers();
  // The node being rendered; a ValueError naming `fn` outside any node.
  Render& Current(const char* fn);
  jinja::Value RefValue(Render& render, const jinja::CallArgs& args);
  jinja::Value SourceValue(Render& render, const std::string& source_name, const std::string& table);
  jinja::Value AdapterValue();

  void LoadMacros();
  std::string RenderNode(NodeState& state, bool execute);
  std::string NodeTemplateText(const NodeState& state) const;
  jinja::Dict NodeContext(NodeState& state);
  void NameRelation(NodeState& state);
  void BuildGraph();
  std::string InjectCtes(const std::vector<std::string>& depends_on, const std::string& sql);

  Loaded loaded_;
  Db* db_;
  Flags flags_;
  std::unique_ptr<jinja::Environment> env_;
  std::map<std::string, NodeState> nodes_;
  std::map<std::string, std::string> by_name_;  // model/seed/snapshot name -> unique_id
  std::map<std::string, const project::SourceTable*> sources_;
  std::unique_ptr<graph::Graph> graph_;
  std::string graph_error_;
  std::string invocation_id_;
  std::vector<std::string> logs_;
  Render* current_ = nullptr;
  std::map<std::string, jinja::Template> templates_;  // parsed node templates, by unique_id
  std::map<std::string, jinja::Value> statement_results_;
};

}  // namespace wharf::models::dbt
