#pragma once
// wharf::models::jinja::Value: the dynamic value a Jinja template computes with.
//
// Lists, dicts and objects are held by shared pointer on purpose: Jinja (and
// Python) values have reference semantics, so `{% do xs.append(1) %}` must
// change the list every name bound to it sees. Strings and numbers are plain
// values. Dicts keep insertion order, like Python's.
#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace wharf::models::jinja {

class Value;
class Dict;
struct Object;
struct CallArgs;
struct Frame;  // a render scope (render.hpp)
using List = std::vector<Value>;
// A host or builtin function callable from a template.
using Function = std::function<Value(const CallArgs& args)>;

// A runtime error raised by value operations, filters and methods. The renderer
// turns it into a wharf::Error carrying the template name, line and column.
class ValueError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
[[noreturn]] void ThrowValueError(std::string message);

struct Callable {
  std::string name;  // for error messages: "'ref' ..."
  Function fn;
};

class Value {
 public:
  // The "undefined" value a missing name or attribute evaluates to; `hint`
  // names what was missing so an error about it can say which name.
  struct Undefined {
    std::string hint;
  };
  struct None {};

  Value() : v_(None{}) {}
  Value(bool b) : v_(b) {}
  template <std::integral T>
  requires(!std::same_as<T, bool>) Value(T i) : v_(static_cast<int64_t>(i)) {}
  template <std::floating_point T>
  Value(T d) : v_(static_cast<double>(d)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(std::string_view s) : v_(std::string(s)) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(List list);
  Value(Dict dict);

  static Value MakeUndefined(std::string hint = {});
  static Value MakeFunction(std::string name, Function fn);
  // A namespace()-like object whose attributes templates can read and set.
  static Value MakeObject(Dict attributes);

  bool IsUndefined() const { return std::holds_alternative<Undefined>(v_); }
  bool IsNone() const { return std::holds_alternative<None>(v_); }
  bool IsBool() const { return std::holds_alternative<bool>(v_); }
  bool IsInt() const { return std::holds_alternative<int64_t>(v_); }
  bool IsFloat() const { return std::holds_alternative<double>(v_); }
  // Python counts bool as a number (True + 1 == 2).
  bool IsNumber() const { return IsInt() || IsFloat() || IsBool(); }
  bool IsString() const { return std::holds_alternative<std::string>(v_); }
  bool IsList() const { return std::holds_alternative<std::shared_ptr<List>>(v_); }
  bool IsDict() const { return std::holds_alternative<std::shared_ptr<Dict>>(v_); }
  bool IsCallable() const { return std::holds_alternative<std::shared_ptr<const Callable>>(v_); }
  bool IsObject() const { return std::holds_alternative<std::shared_ptr<Object>>(v_); }

  bool AsBool() const { return std::get<bool>(v_); }
  int64_t AsInt() const;    // int or bool
  double AsDouble() const;  // any number
  const std::string& AsString() const { return std::get<std::string>(v_); }
  // Lists, dicts and objects are shared: the reference stays valid while this
  // Value (or any copy of it) lives, and mutating it is seen by every copy.
  List& AsList() const { return *std::get<std::shared_ptr<List>>(v_); }
  Dict& AsDict() const { return *std::get<std::shared_ptr<Dict>>(v_); }
  Object& AsObject() const { return *std::get<std::shared_ptr<Object>>(v_); }
  const Callable& AsCallable() const { return *std::get<std::shared_ptr<const Callable>>(v_); }
  const std::string& UndefinedHint() const { return std::get<Undefined>(v_).hint; }

  // Python truthiness: none, undefined, false, 0, "", [] and {} are false.
  bool Truthy() const;
  // What `{{ value }}` prints: str() in Python, "" for undefined.
  std::string Str() const;
  // Python repr(): strings quoted; used inside printed lists and dicts.
  std::string Repr() const;
  // Python's type name ("str", "int", "list", "dict", "NoneType", ...).
  std::string_view TypeName() const;

  // Identity of the shared list/dict/object/callable (for `is sameas`).
  const void* Identity() const;

 private:
  std::variant<Undefined, None, bool, int64_t, double, std::string, std::shared_ptr<List>,
               std::shared_ptr<Dict>, std::shared_ptr<const Callable>, std::shared_ptr<Object>>
      v_;
};

// An insertion-ordered string-keyed map (Python dicts keep insertion order).
// Entries live in a vector for the order, with a hash index beside it: the
// globals dict of a dbt project holds hundreds of macros and is read for
// every name a template looks up.
class Dict {
 public:
  using Entry = std::pair<std::string, Value>;

  Dict() = default;
  Dict(std::initializer_list<Entry> entries);

  const Value* Find(std::string_view key) const;
  Value* Find(std::string_view key);
  // Replaces the value in place if the key exists (keeping its position).
  void Set(std::string key, Value value);
  bool Erase(std::string_view key);

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<Entry> entries_;
  // Invariant: index_[k] == i exactly when entries_[i].first == k.
  std::unordered_map<std::string, size_t, Hash, std::equal_to<>> index_;
};

// A host object (dbt's Relation, `adapter`, `modules`) or a namespace().
struct Object {
  Dict attributes;
  // What {{ obj }} prints (a relation prints its quoted name); unset: "<Namespace>".
  std::function<std::string()> str;
  std::string type_name;  // for TypeName(); "" : "Namespace"
};

// Arguments of a call: `f(1, 2, key=3)`.
struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
  // The scope of the call site (set by the renderer): lets a host function
  // look a name up as the template would (LookupName), as adapter.dispatch must.
  const Frame* caller = nullptr;

  // Argument `index` if passed positionally, else the keyword `name`, else null.
  const Value* Get(size_t index, std::string_view name) const;
  const Value* Keyword(std::string_view name) const;
};

// Python-style equality: 1 == 1.0 == True, lists and dicts compare by content.
bool operator==(const Value& a, const Value& b);
// Python-style ordering of numbers, strings and lists; ValueError otherwise.
int Compare(const Value& a, const Value& b);
// Formats a double like Python's repr(): 2.5, 1.0, 1e+20.
std::string FormatFloat(double d);
// A string key for a dict from any scalar (template dicts are string-keyed).
std::string KeyString(const Value& key);

}  // namespace wharf::models::jinja
