// dbt's node selection over a Graph. The parsing, the methods and the way
// sets combine follow dbt-core (core/dbt/graph/selector_spec.py,
// selector_methods.py, selector.py) so a --select that works with dbt selects
// the same nodes here.
#include <fmt/ranges.h>
#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <iterator>
#include <optional>
#include <sstream>

#include "core/error.hpp"
#include "core/nearest.hpp"
#include "models/graph/graph.hpp"

namespace wharf::models::graph {

namespace {

using NodeSet = std::set<std::string>;
using Predicate = std::function<bool(const GraphNode&)>;

// ---- strings ----------------------------------------------------------------

// Python's fnmatch, which dbt uses: `*`, `?`, `[seq]`; `*` crosses '/' and '.';
// a backslash is an ordinary character.
bool Glob(const std::string& pattern, const std::string& text) {
  return ::fnmatch(pattern.c_str(), text.c_str(), FNM_NOESCAPE) == 0;
}

bool HasWildcard(const std::string& s) { return s.find_first_of("*?[]") != std::string::npos; }

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts{""};
  for (char c : s) {
    if (c == sep)
      parts.emplace_back();
    else
      parts.back() += c;
  }
  return parts;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Words separated by any whitespace (dbt splits on spaces; a newline or tab
// from a YAML or shell line is taken the same way).
std::vector<std::string> Words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool AllDigits(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// ---- one criterion: [@][N+][method[.arg...]:]value[+N] --------------------------

struct Criterion {
  std::string raw;
  std::string method;             // "" until the default is chosen
  std::vector<std::string> args;  // config.<key>'s key parts
  std::string value;
  bool childrens_parents = false;  // @
  bool parents = false;
  int parents_depth = -1;
  bool children = false;
  int children_depth = -1;
};

int Depth(const std::string& digits, const std::string& raw) {
  if (digits.empty()) return -1;
  try {
    return std::stoi(digits);
  } catch (const std::exception&) {
    Fail(ErrorKind::kConfig, "Invalid selector \"{}\": depth {} is too large", raw, digits);
  }
}

// The leading "N+" of `rest`, if any: digits not followed by '+' are part of
// the value ("2020_orders").
void ParseParents(Criterion& c, std::string& rest) {
  size_t digits = 0;
  while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
  if (digits >= rest.size() || rest[digits] != '+') return;
  c.parents = true;
  c.parents_depth = Depth(rest.substr(0, digits), c.raw);
  rest.erase(0, digits + 1);
}

// The trailing "+N": the last '+' followed only by digits.
void ParseChildren(Criterion& c, std::string& rest) {
  size_t plus = rest.rfind('+');
  if (plus == std::string::npos || !AllDigits(rest.substr(plus + 1))) return;
  c.children = true;
  c.children_depth = Depth(rest.substr(plus + 1), c.raw);
  rest.erase(plus);
}

// "method:" is a run of word characters and dots before the first ':'
// (dbt's [\w.]+), so "models/a:b" has no method.
void ParseMethod(Criterion& c, std::string& rest) {
  size_t colon = rest.find(':');
  if (colon == std::string::npos || colon == 0) return;
  std::string method = rest.substr(0, colon);
  bool word = std::all_of(method.begin(), method.end(), [](unsigned char ch) {
    return std::isalnum(ch) || ch == '_' || ch == '.';
  });
  if (!word) return;
  auto parts = Split(method, '.');
  c.method = parts[0];
  c.args.assign(parts.begin() + 1, parts.end());
  rest.erase(0, colon + 1);
}

// dbt's default method: a value with '/' is a path, one ending in a model or
// seed file's extension a file name, anything else a name or fqn.
std::string DefaultMethod(const std::string& value) {
  if (value.find('/') != std::string::npos) return "path";
  std::string lower = Lower(value);
  if (EndsWith(lower, ".sql") || EndsWith(lower, ".py") || EndsWith(lower, ".csv")) return "file";
  return "fqn";
}

Criterion ParseCriterion(const std::string& raw) {
  Criterion c;
  c.raw = raw;
  std::string rest = raw;
  if (!rest.empty() && rest[0] == '@') {
    c.childrens_parents = true;
    rest.erase(0, 1);
  }
  ParseParents(c, rest);
  ParseChildren(c, rest);
  ParseMethod(c, rest);
  c.value = rest;
  if (c.value.empty()) Fail(ErrorKind::kConfig, "Invalid selector \"{}\": no value to select", raw);
  if (c.childrens_parents && c.children)
    Fail(ErrorKind::kConfig,
         "Invalid selector \"{}\": the \"@\" prefix and \"+\" suffix are incompatible", raw);
  if (c.method.empty()) c.method = DefaultMethod(c.value);
  return c;
}

// ---- methods: each turns a criterion into a test of one node --------------------

// dbt's is_selected_node: the node's name equals the selector, or the
// selector's dotted parts equal the fqn's leading parts; from the first part
// holding a wildcard on, the rest of each is joined by '.' and fnmatched.
bool FqnPrefixMatches(const std::vector<std::string>& fqn, const std::string& selector) {
  if (fqn.empty()) return false;
  if (fqn.back() == selector) return true;
  std::vector<std::string> flat;  // dots inside a part (versioned names) separate too
  for (const auto& part : fqn)
    for (auto& piece : Split(part, '.')) flat.push_back(std::move(piece));
  auto wanted = Split(selector, '.');
  if (flat.size() < wanted.size()) return false;
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (HasWildcard(wanted[i])) {
      auto tail = [i](const std::vector<std::string>& v) {
        return fmt::format("{}",
                           fmt::join(v.begin() + static_cast<std::ptrdiff_t>(i), v.end(), "."));
      };
      return Glob(tail(wanted), tail(flat));
    }
    if (wanted[i] != flat[i]) return false;
  }
  return true;
}

// The fqn is tried with and without its package, so "staging" selects the
// folder in any package. A bare pattern with a wildcard ("stg_*") also matches
// the name alone, as dbt Fusion does: dbt-core would fnmatch it against the
// whole fqn and miss every model in a folder.
Predicate FqnMethod(const Criterion& c) {
  return [value = c.value](const GraphNode& n) {
    if (n.resource_type == "source" || n.fqn.empty()) return false;  // dbt: parsed nodes only
    std::vector<std::string> unscoped(n.fqn.begin() + 1, n.fqn.end());
    if (FqnPrefixMatches(n.fqn, value) || FqnPrefixMatches(unscoped, value)) return true;
    return value.find('.') == std::string::npos && HasWildcard(value) && Glob(value, n.fqn.back());
  };
}

Predicate TagMethod(const Criterion& c) {
  return [value = c.value](const GraphNode& n) {
    return std::any_of(n.tags.begin(), n.tags.end(),
                       [&](const std::string& t) { return Glob(value, t); });
  };
}

// Whether the pattern's segments, from `i`, match a leading run of the path's
// segments from `j` that ends at a folder or at the file itself: dbt globs the
// pattern under the project root and selects a node whose file, or a folder
// above it, is among the matches. pathlib's rules: `*` stays inside one
// segment, `**` spans any number of them.
bool PathPrefixMatches(const std::vector<std::string>& pattern, size_t i,
                       const std::vector<std::string>& path, size_t j) {
  if (i == pattern.size()) return j > 0;
  if (pattern[i] == "**")
    return PathPrefixMatches(pattern, i + 1, path, j) ||
           (j < path.size() && PathPrefixMatches(pattern, i, path, j + 1));
  return j < path.size() && Glob(pattern[i], path[j]) &&
         PathPrefixMatches(pattern, i + 1, path, j + 1);
}

// "./models/staging/" and "models//staging" name the same folder.
std::vector<std::string> PathSegments(const std::string& path) {
  std::vector<std::string> segments;
  for (auto& s : Split(path, '/'))
    if (!s.empty() && s != ".") segments.push_back(std::move(s));
  return segments;
}

Predicate PathMethod(const Criterion& c) {
  auto pattern = PathSegments(c.value);
  if (pattern.empty())
    Fail(ErrorKind::kConfig, "Invalid selector \"{}\": the path is empty", c.raw);
  return [pattern](const GraphNode& n) {
    return PathPrefixMatches(pattern, 0, PathSegments(n.original_file_path), 0);
  };
}

// The file's name, with or without its extension ("file:stg_orders.sql", "file:stg_orders").
Predicate FileMethod(const Criterion& c) {
  return [value = c.value](const GraphNode& n) {
    std::string name = n.original_file_path.substr(n.original_file_path.rfind('/') + 1);
    std::string stem = name.substr(0, name.rfind('.'));
    return Glob(value, name) || Glob(value, stem);
  };
}

bool ConfigValueEquals(const std::string& wanted, const std::string& actual, bool case_blind) {
  return wanted == actual || (case_blind && Lower(wanted) == Lower(actual));
}

// config.<key>:<value>; a list config matches when any element does. As in
// dbt, true/false and test severities compare without regard to case.
Predicate ConfigMethod(const Criterion& c) {
  if (c.args.empty())
    Fail(ErrorKind::kConfig,
         "Invalid selector \"{}\": config needs a key, as in config.materialized:view", c.raw);
  std::string key = fmt::format("{}", fmt::join(c.args, "."));
  std::string lower = Lower(c.value);
  bool case_blind = key == "severity" || lower == "true" || lower == "false";
  return [key, value = c.value, case_blind](const GraphNode& n) {
    auto it = n.config.find(key);
    if (it == n.config.end()) return false;
    auto elements = Split(it->second, '\n');
    return std::any_of(elements.begin(), elements.end(), [&](const std::string& e) {
      return ConfigValueEquals(value, e, case_blind);
    });
  };
}

// dbt's NodeType values that name something a selection can return.
const std::vector<std::string> kResourceTypes = {
    "analysis",       "exposure", "metric", "model", "saved_query", "seed",
    "semantic_model", "snapshot", "source", "test",  "unit_test"};

Predicate ResourceTypeMethod(const Criterion& c) {
  if (std::find(kResourceTypes.begin(), kResourceTypes.end(), c.value) == kResourceTypes.end()) {
    auto near = core::Nearest(c.value, kResourceTypes, 3);
    Fail(ErrorKind::kConfig,
         "Invalid selector \"{}\": \"{}\" is not a resource type{}; valid types: {}", c.raw,
         c.value, near ? fmt::format(" (did you mean \"{}\"?)", *near) : "",
         fmt::join(kResourceTypes, ", "));
  }
  return [value = c.value](const GraphNode& n) { return n.resource_type == value; };
}

// source:<source>, source:<source>.<table> or source:<package>.<source>.<table>.
Predicate SourceMethod(const Criterion& c) {
  auto parts = Split(c.value, '.');
  if (parts.size() > 3)
    Fail(
        ErrorKind::kConfig,
        "Invalid selector \"{}\": a source is selected as source:<source>, source:<source>.<table> "
        "or source:<package>.<source>.<table>",
        c.raw);
  if (parts.size() == 1) parts.push_back("*");              // every table
  if (parts.size() == 2) parts.insert(parts.begin(), "*");  // in any package
  return [parts](const GraphNode& n) {
    return n.resource_type == "source" && Glob(parts[0], n.package_name) &&
           Glob(parts[1], n.source_name) && Glob(parts[2], n.name);
  };
}

// dbt 1.8+: "data" is every data test (generic and singular), as opposed to
// unit tests; "schema" is the old name of "generic".
Predicate TestTypeMethod(const Criterion& c) {
  std::set<std::string> types;
  if (c.value == "generic" || c.value == "schema")
    types = {"generic"};
  else if (c.value == "singular")
    types = {"singular"};
  else if (c.value == "data")
    types = {"generic", "singular"};
  else if (c.value == "unit")
    types = {"unit"};
  else
    Fail(ErrorKind::kConfig,
         "Invalid selector \"{}\": the test type must be \"generic\", \"singular\", \"data\" or "
         "\"unit\"",
         c.raw);
  return [types](const GraphNode& n) {
    return n.resource_type == "test" && types.count(n.test_type) > 0;
  };
}

Predicate TestNameMethod(const Criterion& c) {
  return [value = c.value](const GraphNode& n) {
    return n.resource_type == "test" && !n.test_name.empty() && Glob(value, n.test_name);
  };
}

Predicate PackageMethod(const Criterion& c) {
  return [value = c.value](const GraphNode& n) { return Glob(value, n.package_name); };
}

using Method = Predicate (*)(const Criterion&);

const std::map<std::string, Method>& Methods() {
  static const std::map<std::string, Method> methods = {
      {"config", ConfigMethod},     {"file", FileMethod}, {"fqn", FqnMethod},
      {"package", PackageMethod},   {"path", PathMethod}, {"resource_type", ResourceTypeMethod},
      {"source", SourceMethod},     {"tag", TagMethod},   {"test_name", TestNameMethod},
      {"test_type", TestTypeMethod}};
  return methods;
}

[[noreturn]] void FailUnknownMethod(const Criterion& c) {
  // dbt's methods that need state, results or resources wharf does not have.
  static const std::set<std::string> dbt_only = {
      "access",         "exposure",      "group", "metric",    "result",  "saved_query", "selector",
      "semantic_model", "source_status", "state", "unit_test", "version", "wildcard"};
  std::vector<std::string> names;
  for (const auto& [name, method] : Methods())
    names.push_back(name == "config" ? "config.<key>" : name);
  std::string why = dbt_only.count(c.method)
                        ? fmt::format("dbt's \"{}\" method is not supported by wharf", c.method)
                        : fmt::format("\"{}\" is not a selector method", c.method);
  auto near = dbt_only.count(c.method) ? std::nullopt : core::Nearest(c.method, names, 3);
  Fail(ErrorKind::kConfig, "Invalid selector \"{}\": {}{}; valid methods: {}", c.raw, why,
       near ? fmt::format(" (did you mean \"{}\"?)", *near) : "", fmt::join(names, ", "));
}

Predicate CompileMethod(const Criterion& c) {
  auto it = Methods().find(c.method);
  if (it == Methods().end()) FailUnknownMethod(c);
  if (c.method != "config" && !c.args.empty())
    Fail(ErrorKind::kConfig, "Invalid selector \"{}\": only config takes a key after a dot", c.raw);
  return it->second(c);
}

// ---- graph operators and indirect selection ---------------------------------------

// Every seed's ancestors (up) or descendants within depth. With no limit, a
// seed already reached from another adds nothing new, so it is skipped.
NodeSet Relatives(const Graph& graph, const NodeSet& seeds, int depth, bool up) {
  NodeSet out;
  for (const auto& id : seeds) {
    if (depth < 0 && out.count(id)) continue;
    auto more = up ? graph.Ancestors(id, depth) : graph.Descendants(id, depth);
    out.insert(more.begin(), more.end());
  }
  return out;
}

NodeSet Union(NodeSet a, const NodeSet& b) {
  a.insert(b.begin(), b.end());
  return a;
}

// dbt's collect_specified_neighbors: `@x` is x, its descendants and all the
// ancestors of those; `N+x` and `x+N` add ancestors and descendants.
NodeSet WithNeighbors(const Graph& graph, const Criterion& c, const NodeSet& matched) {
  NodeSet out = matched;
  if (c.childrens_parents) {
    NodeSet family = Union(matched, Relatives(graph, matched, -1, false));
    out = Union(family, Relatives(graph, family, -1, true));
  }
  if (c.parents) out = Union(out, Relatives(graph, matched, c.parents_depth, true));
  if (c.children) out = Union(out, Relatives(graph, matched, c.children_depth, false));
  return out;
}

// dbt's eager indirect selection: a test with any selected parent is selected.
NodeSet WithTests(const Graph& graph, NodeSet selected) {
  NodeSet tests;
  for (const auto& id : selected)
    for (const auto& child : graph.Children(id))
      if (graph.Find(child)->resource_type == "test") tests.insert(child);
  return Union(std::move(selected), tests);
}

NodeSet SelectCriterion(const Graph& graph, const std::string& raw) {
  Criterion c = ParseCriterion(raw);
  Predicate matches = CompileMethod(c);
  NodeSet matched;
  for (const auto& node : graph.nodes())
    if (matches(node)) matched.insert(node.unique_id);
  return WithTests(graph, WithNeighbors(graph, c, matched));
}

// "a,b,c": the nodes every criterion selects.
NodeSet SelectIntersection(const Graph& graph, const std::string& word) {
  std::optional<NodeSet> out;
  for (const auto& raw : Split(word, ',')) {
    if (raw.empty()) continue;
    NodeSet part = SelectCriterion(graph, raw);
    if (!out) {
      out = std::move(part);
      continue;
    }
    NodeSet both;
    std::set_intersection(out->begin(), out->end(), part.begin(), part.end(),
                          std::inserter(both, both.end()));
    out = std::move(both);
  }
  return out.value_or(NodeSet{});
}

// Every space-separated word of every string; none at all is std::nullopt.
std::optional<NodeSet> SelectUnion(const Graph& graph, const std::vector<std::string>& specs) {
  std::optional<NodeSet> out;
  for (const auto& spec : specs) {
    for (const auto& word : Words(spec))
      out = Union(out.value_or(NodeSet{}), SelectIntersection(graph, word));
  }
  return out;
}

}  // namespace

std::set<std::string> Select(const Graph& graph, const std::vector<std::string>& select,
                             const std::vector<std::string>& exclude) {
  std::optional<NodeSet> chosen = SelectUnion(graph, select);
  if (!chosen) {
    chosen.emplace();
    for (const auto& node : graph.nodes()) chosen->insert(node.unique_id);
  }
  NodeSet excluded = SelectUnion(graph, exclude).value_or(NodeSet{});
  NodeSet out;
  std::set_difference(chosen->begin(), chosen->end(), excluded.begin(), excluded.end(),
                      std::inserter(out, out.end()));
  return out;
}

}  // namespace wharf::models::graph
