#include "models/dbt/runner.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "models/dbt/artifacts.hpp"
#include "models/dbt/schedule.hpp"
#include "models/dbt/session.hpp"

namespace wharf::models::dbt {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

OpenDb DefaultOpenDb() {
  return [](const project::Profile& p) -> std::unique_ptr<Db> {
    if (p.type == "duckdb") return OpenDuckDb(p.path);
    if (p.type == "postgres") return OpenPostgres(p.dsn);
    Fail(ErrorKind::kConfig, "profile {} target {}: type '{}' is not supported; use duckdb or postgres",
         p.profile_name, p.target_name, p.type);
  };
}

namespace {

std::string Now() { return core::UtcNowIsoMicros(); }

std::string Clock8() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

// Which resource types a command acts on.
std::set<std::string> TypesFor(const CommandOptions& o) {
  const std::string& c = o.command;
  if (c == "run") return {"model"};
  if (c == "test") return {"test"};
  if (c == "seed") return {"seed"};
  if (c == "snapshot") return {"snapshot"};
  if (c == "build") return {"model", "seed", "snapshot", "test"};
  if (c == "compile") return {"model", "test", "snapshot", "analysis"};
  if (c == "show") return {"model", "seed", "snapshot", "analysis"};
  if (!o.resource_types.empty()) return {o.resource_types.begin(), o.resource_types.end()};
  return {"model", "seed", "snapshot", "test", "source", "analysis"};
}

std::string Describe(const NodeState& s) {
  const std::string type = project::NodeKindName(s.node->kind);
  if (s.node->kind == project::NodeKind::kTest) return "test " + s.node->name;
  if (s.node->kind == project::NodeKind::kSeed) return "seed file " + s.relation.schema + "." + s.relation.identifier;
  if (s.node->kind == project::NodeKind::kSnapshot) return "snapshot " + s.relation.schema + "." + s.relation.identifier;
  return "sql " + s.materialized() + " model " + s.relation.schema + "." + s.relation.identifier;
}

void Line(std::ostream& out, size_t index, size_t total, const std::string& what, const std::string& tag) {
  std::string head = fmt::format("{}  {} of {} {} ", Clock8(), index, total, what);
  size_t dots = head.size() < 88 ? 88 - head.size() : 3;
  out << head << std::string(dots, '.') << " [" << tag << "]\n";
}

void WriteFile(const fs::path& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << text;
}

// Where dbt writes a node's compiled SQL: target/compiled/<project>/<file>,
// a generic test under its YAML file's path.
fs::path CompiledPath(const Session& s, const NodeState& state, const std::string& kind) {
  const project::Project& p = s.loaded().project;
  fs::path base = p.root / p.target_path / kind / p.name;
  if (state.node->test) {
    std::string yml = state.node->patch_path.empty() ? "schema.yml" : state.node->patch_path;
    return base / yml / (state.node->name + ".sql");
  }
  return base / state.node->original_file_path;
}

struct Tally {
  int pass = 0, warn = 0, error = 0, skip = 0;
};

void PrintSummary(std::ostream& out, const CommandResult& r, const Tally& t) {
  std::map<std::string, int> kinds;
  for (const auto& n : r.results) kinds[n.resource_type]++;
  std::string what;
  for (const auto& [k, n] : kinds) what += fmt::format("{}{} {}{}", what.empty() ? "" : ", ", n, k, n == 1 ? "" : "s");
  out << "\n" << Clock8() << "  Finished running " << (what.empty() ? "nothing" : what)
      << fmt::format(" in {:.2f}s.\n", r.elapsed);
  std::vector<const NodeResult*> bad;
  for (const auto& n : r.results)
    if (n.outcome.status == "error" || n.outcome.status == "fail" || n.outcome.status == "warn") bad.push_back(&n);
  if (!bad.empty()) {
    out << "\n";
    for (const auto* n : bad) {
      const char* label = n->outcome.status == "error" ? "Error" : n->outcome.status == "fail" ? "Failure" : "Warning";
      out << label << " in " << n->resource_type << " " << n->name << "\n  " << n->outcome.message << "\n";
    }
  }
  out << "\n  status   count\n  -------  -----\n";
  out << fmt::format("  pass     {:5}\n  warn     {:5}\n  error    {:5}\n  skip     {:5}\n", t.pass, t.warn, t.error,
                     t.skip);
  out << fmt::format("\nDone. PASS={} WARN={} ERROR={} SKIP={} TOTAL={}\n", t.pass, t.warn, t.error, t.skip,
                     t.pass + t.warn + t.error + t.skip);
}

void PrintList(std::ostream& out, const Session& s, const std::vector<std::string>& ids, const std::string& format) {
  for (const auto& id : ids) {
    const graph::GraphNode* g = s.graph().Find(id);
    if (!g) continue;
    if (format == "name") out << g->name << "\n";
    else if (format == "path") out << g->original_file_path << "\n";
    else if (format == "json") out << ListJson(*g) << "\n";
    else {
      std::string dotted;
      for (const auto& f : g->fqn) dotted += (dotted.empty() ? "" : ".") + f;
      out << (g->resource_type == "source" ? "source:" : "") << dotted << "\n";
    }
  }
}

// on-run-start / on-run-end: each hook rendered (ref, target, run_query, ...) and run.
bool RunProjectHooks(Session& s, const std::vector<std::string>& hooks, const char* kind, const jinja::Dict& extra,
                     std::ostream& out) {
  for (size_t i = 0; i < hooks.size(); ++i) {
    try {
      std::string sql = s.RenderInline(hooks[i], extra);
      if (sql.find_first_not_of(" \t\r\n;") != std::string::npos) s.db()->Execute(sql);
      out << Clock8() << "  " << kind << " hook " << i + 1 << " of " << hooks.size() << " OK\n";
    } catch (const Error& e) {
      out << Clock8() << "  " << kind << " hook " << i + 1 << " failed: " << e.message() << "\n";
      return false;
    }
  }
  return true;
}

// dbt Hub is not reachable and wharf installs no packages: say so once,
// before a macro of a package shows up as undefined.
void WarnAboutPackages(const Session& s, std::ostream& out) {
  for (const char* file : {"packages.yml", "dependencies.yml"}) {
    std::ifstream in(s.loaded().project.root / file);
    if (!in) continue;
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.find("package") == std::string::npos && text.find("git:") == std::string::npos &&
        text.find("local:") == std::string::npos)
      continue;
    out << Clock8() << "  Warning: " << file << " lists packages; wharf installs none (no dbt Hub), so their "
        << "macros are undefined. Copy the macros you use into macros/ instead.\n";
  }
}

void PrintTable(std::ostream& out, const QueryResult& r) {
  std::vector<size_t> width(r.columns.size());
  for (size_t c = 0; c < r.columns.size(); ++c) width[c] = r.columns[c].size();
  for (const auto& row : r.rows)
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].value_or("").size());
  auto line = [&](auto cell) {
    out << "|";
    for (size_t c = 0; c < width.size(); ++c) {
      std::string v = cell(c);
      out << " " << v << std::string(width[c] - v.size(), ' ') << " |";
    }
    out << "\n";
  };
  line([&](size_t c) { return r.columns[c]; });
  line([&](size_t c) { return std::string(width[c], '-'); });
  for (const auto& row : r.rows) line([&](size_t c) { return row[c].value_or(""); });
}

// dbt show: the first rows of a node's compiled query (or of --inline SQL).
CommandResult Show(Session& s, const CommandOptions& o, const std::vector<std::string>& order, std::ostream& out) {
  CommandResult result;
  try {
    std::string sql = o.inline_sql, what = "inline query";
    if (sql.empty()) {
      if (order.size() != 1) {
        Fail(ErrorKind::kConfig, "show needs exactly one model (it matched {}): pass --select <model> or --inline "
                                 "\"select ...\"", order.size());
      }
      sql = s.Compile(order[0]);
      what = "node '" + s.node(order[0]).node->name + "'";
    } else {
      sql = s.RenderInline(sql);
    }
    QueryResult r = s.db()->Query("select * from (\n" + sql + "\n) as dbt_show limit " + std::to_string(o.limit));
    out << Clock8() << "  Previewing " << what << ":\n";
    PrintTable(out, r);
  } catch (const Error& e) {
    result.exit_code = e.kind() == ErrorKind::kConfig ? 2 : 1;
    result.error = e.message();
    out << Clock8() << "  Encountered an error:\n" << e.message() << "\n";
  }
  return result;
}

// Runs the chosen nodes in order, skipping what depends on a failure, and
// prints dbt's progress lines.
class NodeRunner {
 public:
  NodeRunner(Session& s, const CommandOptions& o, std::ostream& out, size_t total)
      : s_(s), o_(o), out_(out), total_(total) {}

  NodeResult Run(const std::string& id, size_t index) {
    NodeState& state = s_.node(id);
    NodeResult r{id, project::NodeKindName(state.node->kind), state.node->name,
                 state.node->kind == project::NodeKind::kTest ? "" : state.relation.Render(), {}, 0, Now(), "", "", 0, ""};
    if (stop_ || (o_.command != "test" && UpstreamFailed(id))) {
      r.outcome = Outcome{"skipped", "SKIP", std::nullopt, -1};
      r.completed_at = Now();
      blocked_.insert(id);
      tally.skip++;
      Line(out_, index, total_, "SKIP relation " + Describe(state), "SKIP");
      return r;
    }
    Line(out_, index, total_, "START " + Describe(state), "RUN");
    Execute(state, r);
    for (const auto& log : s_.TakeLogs()) out_ << Clock8() << "  " << log << "\n";
    if (state.compiled) {
      r.compiled_sql = state.compiled_sql;
      if (o_.write_artifacts) {
        WriteFile(CompiledPath(s_, state, "compiled"), state.compiled_sql);
        if (o_.command != "compile") WriteFile(CompiledPath(s_, state, "run"), state.compiled_sql);
      }
    }
    Report(state, r, index);
    return r;
  }

  Tally tally;

 private:
  // A parent failed or was skipped; in build, also a test of what the node reads.
  bool UpstreamFailed(const std::string& id) const {
    for (const auto& p : s_.graph().Parents(id))
      if (blocked_.count(p)) return true;
    if (o_.command == "build")
      for (const auto& t : BuildGate(s_.graph(), id))
        if (blocked_.count(t)) return true;
    return false;
  }

  void Execute(NodeState& state, NodeResult& r) {
    auto t0 = Clock::now();
    auto compiled = [&] {
      r.compiled_at = Now();
      r.compile_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    };
    try {
      // Compiled first, on its own clock: run_results.json's timing tells
      // wharf's templating apart from the database's work.
      if (state.node->kind != project::NodeKind::kSeed) s_.Compile(state.node->unique_id);
      compiled();
      if (o_.command == "compile") r.outcome = Outcome{"success", "OK", std::nullopt, -1};
      else if (state.node->kind == project::NodeKind::kTest) r.outcome = RunTestNode(s_, state);
      else r.outcome = BuildNode(s_, state);
    } catch (const Error& e) {
      if (r.compiled_at.empty()) compiled();
      std::string where = state.node->original_file_path.empty() ? "" : " (" + state.node->original_file_path + ")";
      const char* kind = e.kind() == ErrorKind::kWarehouse ? "Database Error" : "Compilation Error";
      r.outcome = Outcome{"error", fmt::format("{} in {} {}{}\n  {}", kind, r.resource_type, state.node->name, where,
                                               e.message()),
                          std::nullopt, -1};
    }
    r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    r.completed_at = Now();
  }

  // The line dbt prints when a node ends, and the tally.
  void Report(const NodeState& state, const NodeResult& r, size_t index) {
    const std::string& st = r.outcome.status;
    std::string verb = st == "error" ? "ERROR creating" : st == "fail" ? "FAIL" : st == "warn" ? "WARN"
                     : st == "pass"  ? "PASS" : "OK created";
    if (state.node->kind == project::NodeKind::kTest && st == "error") verb = "ERROR";
    if (state.node->kind == project::NodeKind::kSeed && st == "success") verb = "OK loaded";
    if (st == "success" && (state.materialized() == "ephemeral" || o_.command == "compile")) verb = "OK compiled";
    std::string tag = st == "error" ? "ERROR" : st == "pass" ? "PASS" : r.outcome.message;
    if (st == "fail" || st == "warn") tag = (st == "fail" ? "FAIL " : "WARN ") + std::to_string(r.outcome.failures.value_or(0));
    Line(out_, index, total_, verb + " " + Describe(state), fmt::format("{} in {:.2f}s", tag, r.seconds));
    if (st == "error" || st == "fail") {
      blocked_.insert(r.unique_id);
      tally.error++;
      if (o_.fail_fast) stop_ = true;
    } else if (st == "warn") {
      tally.warn++;
    } else {
      tally.pass++;
    }
  }

  Session& s_;
  const CommandOptions& o_;
  std::ostream& out_;
  size_t total_;
  std::set<std::string> blocked_;  // failed or skipped: their descendants are skipped
  bool stop_ = false;              // --fail-fast after a failure
};

// Loads and parses the project; nullptr (with result.exit_code 2) when it cannot.
std::unique_ptr<Session> OpenSession(const CommandOptions& o, const OpenDb& open_db, std::unique_ptr<Db>& db,
                                     CommandResult& result, std::ostream& out) {
  try {
    Loaded loaded;
    loaded.project = project::LoadProject(o.project);
    loaded.profile = project::LoadProfile(loaded.project, o.project);
    loaded.manifest = project::DiscoverNodes(loaded.project, loaded.profile);
    if (o.command != "ls") db = open_db(loaded.profile);
    Flags flags{o.full_refresh, o.command, o.project.cli_vars, o.store_failures};
    auto session = std::make_unique<Session>(std::move(loaded), db.get(), flags);
    session->Parse();
    return session;
  } catch (const Error& e) {
    result.exit_code = 2;
    result.error = e.message();
    out << Clock8() << "  Encountered an error:\n" << e.message() << "\n";
    return nullptr;
  }
}

// The nodes the command acts on, in the order they run; nullopt on a bad selector.
std::optional<std::vector<std::string>> ChooseNodes(const Session& s, const CommandOptions& o, CommandResult& result,
                                                    std::ostream& out) {
  std::set<std::string> types = TypesFor(o);
  std::set<std::string> chosen;
  try {
    for (const auto& id : graph::Select(s.graph(), o.select, o.exclude))
      if (const auto* g = s.graph().Find(id); g && types.count(g->resource_type)) chosen.insert(id);
  } catch (const Error& e) {
    result.exit_code = 2;
    result.error = e.message();
    out << Clock8() << "  Encountered an error:\n" << e.message() << "\n";
    return std::nullopt;
  }
  return Schedule(s.graph(), chosen, o.command == "build");
}

// Prints every node that failed to parse; true when any did.
bool ReportParseErrors(const Session& s, std::ostream& out) {
  bool any = false;
  for (const auto& [id, state] : s.nodes()) {
    if (state.parse_error.empty()) continue;
    any = true;
    out << Clock8() << "  Compilation Error in " << project::NodeKindName(state.node->kind) << " " << state.node->name
        << " (" << state.node->original_file_path << ")\n  " << state.parse_error << "\n";
  }
  return any;
}

// on-run-end sees `schemas`: the schemas the run wrote to.
jinja::Dict RunEndContext(Session& s, const CommandResult& result) {
  jinja::List schemas;
  std::set<std::string> seen;
  for (const auto& r : result.results) {
    const auto& rel = s.node(r.unique_id).relation;
    if (!rel.schema.empty() && seen.insert(rel.schema).second) schemas.emplace_back(rel.schema);
  }
  return jinja::Dict{{"schemas", jinja::Value(std::move(schemas))}};
}

}  // namespace

CommandResult RunCommand(const CommandOptions& o, const OpenDb& open_db, std::ostream& out) {
  CommandResult result;
  auto started = Clock::now();
  std::unique_ptr<Db> db;
  std::unique_ptr<Session> session = OpenSession(o, open_db, db, result, out);
  if (!session) return result;
  Session& s = *session;
  auto order = ChooseNodes(s, o, result, out);
  if (!order) return result;
  if (o.command == "ls") {
    PrintList(out, s, *order, o.output);
    return result;
  }
  if (o.command == "show") return Show(s, o, *order, out);
  out << Clock8() << "  " << FoundLine(s) << "\n";
  bool parse_failed = ReportParseErrors(s, out);
  if (order->empty()) out << Clock8() << "  Nothing to do. Try checking your model configs and --select.\n";
  out << "\n";
  WarnAboutPackages(s, out);
  const bool hooks = o.command != "compile";
  if (hooks && !RunProjectHooks(s, s.loaded().project.on_run_start, "on-run-start", {}, out)) {
    result.exit_code = 2;
    result.error = "on-run-start failed";
    return result;
  }
  NodeRunner runner(s, o, out, order->size());
  for (size_t i = 0; i < order->size(); ++i) result.results.push_back(runner.Run((*order)[i], i + 1));
  if (hooks && !order->empty() &&
      !RunProjectHooks(s, s.loaded().project.on_run_end, "on-run-end", RunEndContext(s, result), out)) {
    runner.tally.error++;
  }
  result.elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  if (o.write_artifacts) {
    WriteManifest(s);
    WriteRunResults(s, result, o);
  }
  PrintSummary(out, result, runner.tally);
  if (parse_failed) result.exit_code = 2;
  else if (runner.tally.error > 0) result.exit_code = 1;
  return result;
}

}  // namespace wharf::models::dbt
