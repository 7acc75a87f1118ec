// The project's SQL, CSV and Markdown files as nodes, macro files and docs
// blocks, with dbt's names, paths and fqns for each kind (dbt/parser/*.py).
#include <fmt/format.h>

#include <map>
#include <set>

#include "core/error.hpp"
#include "models/project/internal.hpp"

namespace wharf::models::project {

namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

// A node read from `dir`/`rel`: name from the file, fqn [project, folders..., name].
Node FileNode(const Project& p, NodeKind kind, const std::string& dir, const std::string& rel) {
  Node n;
  n.kind = kind;
  n.name = Stem(rel);
  n.package_name = p.name;
  n.unique_id = fmt::format("{}.{}.{}", NodeKindName(kind), p.name, n.name);
  n.path = rel;
  n.original_file_path = JoinPath(dir, rel);
  n.fqn = {p.name};
  for (auto& f : Folders(rel)) n.fqn.push_back(f);
  n.fqn.push_back(n.name);
  return n;
}

std::string Text(const Project& p, const std::string& original_file_path) {
  return ReadTextFile(p.root / original_file_path, original_file_path);
}

void AddModels(const Project& p, FileNodes& out) {
  for (const auto& dir : p.model_paths) {
    for (const auto& rel : FilesUnder(p.root, dir, {".sql", ".py"})) {
      if (EndsWith(rel, ".py")) {
        Fail(ErrorKind::kUnsupported,
             "{}: python models are not supported; rewrite it as a .sql model or move it out of {}",
             JoinPath(dir, rel), dir);
      }
      Node n = FileNode(p, NodeKind::kModel, dir, rel);
      n.raw_code = Text(p, n.original_file_path);
      out.nodes.push_back(std::move(n));
    }
  }
}

void AddSeeds(const Project& p, FileNodes& out) {
  for (const auto& dir : p.seed_paths) {
    for (const auto& rel : FilesUnder(p.root, dir, {".csv"})) {
      Node n = FileNode(p, NodeKind::kSeed, dir, rel);
      n.seed_file = (p.root / n.original_file_path).string();
      out.nodes.push_back(std::move(n));
    }
  }
}

// Each {% snapshot name %} block is a node; its fqn holds the file's name too.
void AddSnapshots(const Project& p, FileNodes& out) {
  for (const auto& dir : p.snapshot_paths) {
    for (const auto& rel : FilesUnder(p.root, dir, {".sql"})) {
      std::string file = JoinPath(dir, rel);
      for (auto& block : ExtractBlocks(Text(p, file), "snapshot", file)) {
        Node n = FileNode(p, NodeKind::kSnapshot, dir, rel);
        n.name = block.name;
        n.unique_id = fmt::format("snapshot.{}.{}", p.name, n.name);
        n.fqn.push_back(n.name);
        n.raw_code = std::move(block.body);
        out.nodes.push_back(std::move(n));
      }
    }
  }
}

// Analyses: path "analysis/<rel>" and that folder in the fqn, as in dbt.
void AddAnalyses(const Project& p, FileNodes& out) {
  for (const auto& dir : p.analysis_paths) {
    for (const auto& rel : FilesUnder(p.root, dir, {".sql"})) {
      Node n = FileNode(p, NodeKind::kAnalysis, dir, rel);
      n.path = "analysis/" + rel;
      n.fqn.insert(n.fqn.begin() + 1, "analysis");
      n.raw_code = Text(p, n.original_file_path);
      out.nodes.push_back(std::move(n));
    }
  }
}

// tests/generic/ holds generic test definitions: macro files, not tests.
void AddSingularTestsAndMacros(const Project& p, FileNodes& out) {
  for (const auto& dir : p.test_paths) {
    for (const auto& rel : FilesUnder(p.root, dir, {".sql"})) {
      if (rel.rfind("generic/", 0) == 0) {
        std::string path = JoinPath(dir, rel);
        out.macros.push_back({path, Text(p, path)});
        continue;
      }
      Node n = FileNode(p, NodeKind::kTest, dir, rel);
      n.raw_code = Text(p, n.original_file_path);
      out.nodes.push_back(std::move(n));
    }
  }
  for (const auto& dir : p.macro_paths) {
    for (const auto& rel : FilesUnder(p.root, dir, {".sql"})) {
      std::string path = JoinPath(dir, rel);
      out.macros.push_back({path, Text(p, path)});
    }
  }
}

// docs-paths, or by default every resource path (dbt's default).
void AddDocs(const Project& p, FileNodes& out) {
  std::vector<std::string> dirs = p.docs_paths;
  if (dirs.empty()) {
    for (const auto* list : {&p.model_paths, &p.seed_paths, &p.snapshot_paths, &p.analysis_paths,
                             &p.macro_paths, &p.test_paths})
      dirs.insert(dirs.end(), list->begin(), list->end());
  }
  std::map<std::string, std::string> seen;  // path of each file read, name -> file
  std::set<std::string> read;
  for (const auto& dir : dirs) {
    for (const auto& rel : FilesUnder(p.root, dir, {".md"})) {
      std::string file = JoinPath(dir, rel);
      if (!read.insert(file).second) continue;
      for (auto& block : ExtractBlocks(Text(p, file), "docs", file)) {
        auto [it, fresh] = seen.emplace(block.name, file);
        if (!fresh) {
          Fail(ErrorKind::kConfig, "{}:{}: docs block '{}' is also defined in {}; rename one", file,
               block.line, block.name, it->second);
        }
        // dbt strips a docs block's text.
        out.docs.push_back({block.name, Trim(block.body)});
      }
    }
  }
}

}  // namespace

const char* NodeKindName(NodeKind kind) {
  switch (kind) {
    case NodeKind::kModel:
      return "model";
    case NodeKind::kSeed:
      return "seed";
    case NodeKind::kSnapshot:
      return "snapshot";
    case NodeKind::kTest:
      return "test";
    case NodeKind::kAnalysis:
      return "analysis";
  }
  return "node";
}

FileNodes ReadFileNodes(const Project& project) {
  FileNodes out;
  AddModels(project, out);
  AddSeeds(project, out);
  AddSnapshots(project, out);
  AddAnalyses(project, out);
  AddSingularTestsAndMacros(project, out);
  AddDocs(project, out);
  return out;
}

}  // namespace wharf::models::project
