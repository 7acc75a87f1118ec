#pragma once
// wharf::models::dbt::RunCommand: one `wharf models <command>` (run, test,
// seed, snapshot, build, compile, ls, show) over a project: load it, parse it,
// select nodes, build them in DAG order, write dbt's artifacts
// (target/run_results.json, target/manifest.json, compiled SQL) and print
// dbt's progress lines and a summary. Exit codes as dbt's: 0 success,
// 1 a node failed (model error, failing test), 2 the project could not be
// used (bad YAML, a parse error anywhere, a cycle).
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "models/dbt/db.hpp"
#include "models/dbt/materialize.hpp"
#include "models/project/project.hpp"

namespace wharf::models::dbt {

struct CommandOptions {
  std::string command = "run";  // run | test | seed | snapshot | build | compile | ls
  project::ProjectOptions project;
  std::vector<std::string> select;
  std::vector<std::string> exclude;
  bool full_refresh = false;
  bool fail_fast = false;
  bool store_failures = false;
  std::vector<std::string> resource_types;  // ls --resource-type
  std::string output = "selector";          // ls --output: selector | name | path | json
  int limit = 5;                            // show --limit
  std::string inline_sql;                   // show --inline
  bool write_artifacts = true;
};

struct NodeResult {
  std::string unique_id;
  std::string resource_type;
  std::string name;
  std::string relation;  // printed name, "" for tests
  Outcome outcome;
  double seconds = 0;
  std::string started_at, completed_at;  // ISO 8601 UTC
  std::string compiled_at;               // the end of compiling, the start of executing
  double compile_seconds = 0;            // of `seconds`, rendering templates
  std::string compiled_sql;
};

struct CommandResult {
  int exit_code = 0;
  std::vector<NodeResult> results;
  double elapsed = 0;
  std::string error;  // why the command could not run at all (exit 2)
};

// Opens the warehouse a profile names; `wharf run` passes one that reuses its own.
using OpenDb = std::function<std::unique_ptr<Db>(const project::Profile& profile)>;
OpenDb DefaultOpenDb();

CommandResult RunCommand(const CommandOptions& options, const OpenDb& open_db, std::ostream& out);

}  // namespace wharf::models::dbt
