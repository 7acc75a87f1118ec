// YAML nodes as Jinja values, typed the way dbt's YAML loader (PyYAML, YAML
// 1.1) types plain scalars; and small YAML helpers with file:line:col errors.
#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "models/project/internal.hpp"

namespace wharf::models::project {

namespace {

// PyYAML's YAML 1.1 booleans. yaml-cpp also reads y/n as booleans; PyYAML
// (what dbt uses) keeps them strings, so they are left out here.
std::optional<bool> Yaml11Bool(const std::string& s) {
  static const char* const kTrue[] = {"true", "True", "TRUE", "yes", "Yes",
                                      "YES",  "on",   "On",   "ON"};
  static const char* const kFalse[] = {"false", "False", "FALSE", "no", "No",
                                       "NO",    "off",   "Off",   "OFF"};
  for (const char* t : kTrue)
    if (s == t) return true;
  for (const char* f : kFalse)
    if (s == f) return false;
  return std::nullopt;
}

jinja::Value PlainScalar(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  int64_t i;
  if (YAML::convert<int64_t>::decode(node, i)) return jinja::Value(i);
  // PyYAML's floats need a '.' ("1e3" stays a string there); yaml-cpp would
  // read "1e3" or "inf" as numbers.
  double d;
  if (s.find('.') != std::string::npos && YAML::convert<double>::decode(node, d))
    return jinja::Value(d);
  if (auto b = Yaml11Bool(s)) return jinja::Value(*b);
  return jinja::Value(s);
}

jinja::Value ScalarValue(const YAML::Node& node) {
  // yaml-cpp tags quoted scalars "!" and plain ones "?"; an explicit !!str
  // also keeps the text.
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return jinja::Value(node.Scalar());
  return PlainScalar(node);
}

void MergeInto(YAML::Node& map, const YAML::Node& source) {
  if (!source.IsMap()) return;
  const YAML::Node& view = map;  // a lookup on a mutable node would add the key
  for (const auto& kv : source)
    if (!view[kv.first.Scalar()]) map[kv.first.Scalar()] = kv.second;
}

// YAML 1.1 merge keys (`<<: *defaults`), which PyYAML applies and yaml-cpp
// leaves as a literal "<<" key: the merged mappings' keys are added where the
// mapping does not set them itself.
void ResolveMergeKeys(YAML::Node node, int depth = 0) {
  if (depth > 64) return;  // aliases can nest; a sane file never goes this deep
  if (node.IsSequence()) {
    for (auto item : node) ResolveMergeKeys(item, depth + 1);
    return;
  }
  if (!node.IsMap()) return;
  std::optional<YAML::Node> merge;
  for (const auto& kv : node)
    if (kv.first.IsScalar() && kv.first.Scalar() == "<<" && kv.first.Tag() != "!")
      merge = kv.second;
  if (merge) {
    node.remove("<<");
    if (merge->IsSequence()) {
      for (const auto& source : *merge) MergeInto(node, source);
    } else {
      MergeInto(node, *merge);
    }
  }
  for (auto kv : node) ResolveMergeKeys(kv.second, depth + 1);
}

}  // namespace

jinja::Value ToValue(const YAML::Node& node) {
  if (!node.IsDefined()) return jinja::Value();  // a missing key (Type() would throw)
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return jinja::Value();
    case YAML::NodeType::Scalar:
      return ScalarValue(node);
    case YAML::NodeType::Sequence: {
      jinja::List list;
      for (const auto& item : node) list.push_back(ToValue(item));
      return jinja::Value(std::move(list));
    }
    case YAML::NodeType::Map: {
      jinja::Dict dict;
      for (const auto& kv : node) dict.Set(ScalarText(kv.first), ToValue(kv.second));
      return jinja::Value(std::move(dict));
    }
  }
  return jinja::Value();
}

jinja::Dict ParseVars(const std::string& text) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return {};
  YAML::Node node;
  try {
    node = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    Fail(ErrorKind::kConfig, "--vars: {} at {}:{}; pass a YAML mapping such as '{{key: value}}'",
         e.msg, e.mark.line + 1, e.mark.column + 1);
  }
  if (node.IsNull()) return {};
  if (!node.IsMap()) {
    Fail(ErrorKind::kConfig, "--vars must be a YAML mapping such as '{{key: value}}', not '{}'",
         text);
  }
  return ToValue(node).AsDict();
}

std::string ReadTextFile(const std::filesystem::path& path, const std::string& display) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    Fail(ErrorKind::kConfig, "{}: cannot read the file; check it exists and is readable", display);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

YAML::Node LoadYamlFile(const std::filesystem::path& path, const std::string& display) {
  std::string text = ReadTextFile(path, display);
  try {
    YAML::Node doc = YAML::Load(text);
    ResolveMergeKeys(doc);
    return doc;
  } catch (const YAML::Exception& e) {
    Fail(ErrorKind::kConfig, "{}:{}:{}: invalid YAML: {}; fix the file", display, e.mark.line + 1,
         e.mark.column + 1, e.msg);
  }
}

std::string Where(const std::string& file, const YAML::Node& node) {
  if (!node.IsDefined()) return file;
  YAML::Mark mark = node.Mark();
  if (mark.is_null() || mark.line < 0) return file;
  return fmt::format("{}:{}:{}", file, mark.line + 1, mark.column + 1);
}

std::string ScalarText(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "";
  if (node.IsScalar()) return node.Scalar();
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

std::vector<std::string> StringList(const jinja::Value& value, const std::string& what,
                                    const std::string& where) {
  if (value.IsNone() || value.IsUndefined()) return {};
  if (value.IsString()) return {value.AsString()};
  if (value.IsList()) {
    std::vector<std::string> out;
    for (const auto& item : value.AsList()) {
      if (item.IsList() || item.IsDict()) break;
      out.push_back(item.Str());
    }
    if (out.size() == value.AsList().size()) return out;
  }
  Fail(ErrorKind::kConfig, "{}: {} must be a string or a list of strings, not {}", where, what,
       value.Repr());
}

}  // namespace wharf::models::project
