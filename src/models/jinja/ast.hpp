#pragma once
// The syntax tree a template is parsed into once and rendered from many times.
// Nodes are immutable after parsing; each carries its location for errors.
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "models/jinja/lexer.hpp"
#include "models/jinja/value.hpp"

namespace wharf::models::jinja {

struct Expr;
struct Stmt;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

// ---- expressions ----

struct Args {
  std::vector<ExprPtr> positional;
  std::vector<std::pair<std::string, ExprPtr>> keyword;
};

struct LiteralExpr {
  Value value;
};
struct ListExpr {  // [a, b] and tuples (a, b): both evaluate to a list
  std::vector<ExprPtr> items;
};
struct DictExpr {
  std::vector<std::pair<ExprPtr, ExprPtr>> items;
};
struct NameExpr {
  std::string name;
};
struct AttrExpr {  // a.b
  ExprPtr object;
  std::string name;
};
struct ItemExpr {  // a[b]
  ExprPtr object;
  ExprPtr index;
};
struct SliceExpr {  // a[start:stop]; either bound may be null
  ExprPtr object;
  ExprPtr start;
  ExprPtr stop;
};
struct UnaryExpr {  // "-", "+" or "not"
  std::string op;
  ExprPtr operand;
};
struct BinaryExpr {  // arithmetic, "~", "and", "or"
  std::string op;
  ExprPtr left;
  ExprPtr right;
};
struct CompareOp {
  std::string op;  // ==, !=, <, <=, >, >=, in, "not in"
  ExprPtr right;
  Location location;  // of the operator, for errors
};
struct CompareExpr {  // a < b <= c: chained like Python, (a < b) and (b <= c)
  ExprPtr first;
  std::vector<CompareOp> rest;
};
struct CondExpr {  // then if cond else otherwise; otherwise may be null
  ExprPtr cond;
  ExprPtr then;
  ExprPtr otherwise;
};
struct CallExpr {
  ExprPtr callee;
  Args args;
};
struct FilterExpr {  // input | name(args)
  ExprPtr input;
  std::string name;
  Args args;
};
struct TestExpr {  // input is [not] name(args)
  ExprPtr input;
  std::string name;
  Args args;
  bool negated = false;
};

struct Expr {
  Location location;
  std::variant<LiteralExpr, ListExpr, DictExpr, NameExpr, AttrExpr, ItemExpr, SliceExpr, UnaryExpr,
               BinaryExpr, CompareExpr, CondExpr, CallExpr, FilterExpr, TestExpr>
      node;
};

// ---- statements ----

struct Param {  // a macro parameter: name or name=default
  std::string name;
  ExprPtr default_value;  // null when required
};

struct TextStmt {
  std::string text;
};
struct OutputStmt {  // {{ expr }}
  ExprPtr expr;
};
struct IfStmt {
  std::vector<std::pair<ExprPtr, Body>> branches;  // if and each elif
  Body otherwise;
};
struct ForStmt {
  std::vector<std::string> targets;  // one name, or several to unpack
  ExprPtr iterable;
  ExprPtr filter;  // `for x in xs if cond`; may be null
  Body body;
  Body otherwise;  // rendered when nothing was iterated
};
struct SetStmt {
  std::vector<std::string> targets;  // names to assign (several: unpacking)
  std::string attribute;             // `set ns.attr = ...`: targets[0] is the namespace
  ExprPtr value;
};
struct SetBlockStmt {  // {% set name %}body{% endset %}
  std::string target;
  Body body;
};
struct MacroStmt {
  std::string name;
  std::vector<Param> params;
  Body body;
};
struct CallBlockStmt {  // {% call(params) macro(args) %}body{% endcall %}
  std::vector<Param> caller_params;
  ExprPtr call;
  Body body;
};
struct DoStmt {
  ExprPtr expr;
};
struct LoopControlStmt {  // {% break %} or {% continue %} (dbt enables loopcontrols)
  bool is_break = false;
};
struct FilterBlockStmt {  // {% filter upper %}body{% endfilter %}
  std::vector<std::pair<std::string, Args>> filters;
  Body body;
};

struct Stmt {
  Location location;
  std::variant<TextStmt, OutputStmt, IfStmt, ForStmt, SetStmt, SetBlockStmt, MacroStmt,
               CallBlockStmt, DoStmt, FilterBlockStmt, LoopControlStmt>
      node;
};

// A parsed template. Shared (immutable) so an Environment can keep the macros
// of a template alive after the caller's Template object is gone.
struct TemplateRoot {
  std::string name;
  Body body;
};

class Template {
 public:
  explicit Template(std::shared_ptr<const TemplateRoot> root) : root_(std::move(root)) {}

  const std::string& name() const { return root_->name; }
  const std::shared_ptr<const TemplateRoot>& root() const { return root_; }
  // Names of the macros defined at the top level, in order.
  std::vector<std::string> MacroNames() const;

 private:
  std::shared_ptr<const TemplateRoot> root_;
};

}  // namespace wharf::models::jinja
