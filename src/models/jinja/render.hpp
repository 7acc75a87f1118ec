#pragma once
// The tree-walking renderer behind Environment::Render. Internal to the jinja
// library: statements run in render.cpp, expressions evaluate in eval.cpp.
//
// Scopes are a chain of Frames. The chain for top-level code is
//   context (render context, top-level sets and macros) -> globals (environment)
// `for` bodies get a child frame, so their sets do not leak (hence namespace()).
// Macros run in a fresh frame whose parent is the context frame: they see the
// globals and the template's names, not the caller's locals.
#include <memory>
#include <string>

#include "models/jinja/ast.hpp"
#include "models/jinja/environment.hpp"

namespace wharf::models::jinja {

// Thrown by {% break %} / {% continue %} and caught by the enclosing loop
// (the parser only accepts them inside a for body).
struct LoopControlSignal {
  bool is_break;
};

struct Frame {
  Frame* parent = nullptr;  // outlives this frame (frames live on the C++ stack)
  Dict vars;

  // The value bound to `name` here or in an enclosing frame, or null.
  const Value* Lookup(std::string_view name) const;
};

class Renderer {
 public:
  // `env` and `root` must outlive the renderer and every macro value it creates.
  Renderer(const Environment& env, const TemplateRoot& root, const Dict& context);

  std::string Run();

 private:
  // ---- statements (render.cpp) ----
  void Exec(const Body& body, Frame& frame, std::string& out);
  void ExecStmt(const Stmt& stmt, Frame& frame, std::string& out);
  void ExecIf(const IfStmt& stmt, Frame& frame, std::string& out);
  void ExecFor(const ForStmt& stmt, Frame& frame, std::string& out);
  void ExecSet(const SetStmt& stmt, Frame& frame);
  void ExecCallBlock(const CallBlockStmt& stmt, Frame& frame, std::string& out);
  void ExecFilterBlock(const FilterBlockStmt& stmt, Location location, Frame& frame,
                       std::string& out);
  // Binds `value` to one name, or unpacks a list into several.
  static void Assign(const std::vector<std::string>& targets, const Value& value, Frame& frame);

  // ---- macros (render.cpp) ----
  // A callable that runs `macro`; `template_name` locates errors in its body.
  Value MakeMacro(const MacroStmt& macro, const std::string& template_name);
  Value CallMacro(const MacroStmt& macro, const std::string& template_name, const CallArgs& args);
  // Binds call arguments to parameters in `frame`; extras go to varargs/kwargs.
  void BindParams(const std::vector<Param>& params, const CallArgs& args, Frame& frame);

  // ---- expressions (eval.cpp) ----
  Value Eval(const Expr& expr, Frame& frame);
  Value EvalNode(const LiteralExpr& node, Frame& frame);
  Value EvalNode(const ListExpr& node, Frame& frame);
  Value EvalNode(const DictExpr& node, Frame& frame);
  Value EvalNode(const NameExpr& node, Frame& frame);
  Value EvalNode(const AttrExpr& node, Frame& frame);
  Value EvalNode(const ItemExpr& node, Frame& frame);
  Value EvalNode(const SliceExpr& node, Frame& frame);
  Value EvalNode(const UnaryExpr& node, Frame& frame);
  Value EvalNode(const BinaryExpr& node, Frame& frame);
  Value EvalNode(const CompareExpr& node, Frame& frame);
  Value EvalNode(const CondExpr& node, Frame& frame);
  Value EvalNode(const CallExpr& node, Frame& frame);
  Value EvalNode(const FilterExpr& node, Frame& frame);
  Value EvalNode(const TestExpr& node, Frame& frame);
  CallArgs EvalArgs(const Args& args, Frame& frame);
  static Value Call(const Value& callee, const CallArgs& args, const Expr& callee_expr);

  // "name:line:column: message" as a wharf::Error (kConfig).
  [[noreturn]] void Fail(Location location, const std::string& message) const;

  const Environment& env_;
  const TemplateRoot& root_;
  // The template whose code is running: changes while a macro from another
  // template (Environment::AddMacros) runs, so errors name the right file.
  const std::string* template_name_;
  Frame globals_;
  Frame context_;
  // Macro calls on the stack: bounded so a macro that recurses without end
  // fails with an error instead of overflowing the C++ stack.
  int macro_depth_ = 0;
  static constexpr int kMaxMacroDepth = 250;
};

}  // namespace wharf::models::jinja
