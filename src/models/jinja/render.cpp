#include "models/jinja/render.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "models/jinja/access.hpp"

namespace wharf::models::jinja {

Value LookupName(const CallArgs& args, std::string_view name) {
  const Value* v = args.caller ? args.caller->Lookup(name) : nullptr;
  return v ? *v : Value::MakeUndefined(std::string(name));
}

const Value* Frame::Lookup(std::string_view name) const {
  for (const Frame* f = this; f != nullptr; f = f->parent) {
    if (const Value* v = f->vars.Find(name)) return v;
  }
  return nullptr;
}

Renderer::Renderer(const Environment& env, const TemplateRoot& root, const Dict& context)
    : env_(env), root_(root), template_name_(&root.name) {
  globals_.vars = env.globals();
  for (const auto& [library, ns] : env.macro_libraries()) {
    Dict* ns_attributes = nullptr;
    if (!ns.empty()) {
      Value* existing = globals_.vars.Find(ns);
      if (!existing || !existing->IsObject()) {
        globals_.vars.Set(ns, Value::MakeObject({}));
        existing = globals_.vars.Find(ns);
      }
      ns_attributes = &existing->AsObject().attributes;
    }
    for (const auto& stmt : library->body) {
      if (const auto* macro = std::get_if<MacroStmt>(&stmt->node)) {
        Value value = MakeMacro(*macro, library->name);
        if (ns_attributes) ns_attributes->Set(macro->name, value);
        globals_.vars.Set(macro->name, std::move(value));
      }
    }
  }
  context_.parent = &globals_;
  context_.vars = context;
  // Top-level macros are defined up front, so a model may call a macro it
  // defines further down.
  for (const auto& stmt : root.body) {
    if (const auto* macro = std::get_if<MacroStmt>(&stmt->node)) {
      context_.vars.Set(macro->name, MakeMacro(*macro, root.name));
    }
  }
}

std::string Renderer::Run() {
  std::string out;
  try {
    Exec(root_.body, context_, out);
  } catch (const ReturnSignal&) {
    throw Error(ErrorKind::kConfig,
                fmt::format("{}: return() was called outside a macro; use it only inside "
                            "{{% macro %}}",
                            root_.name));
  }
  return out;
}

void Renderer::Fail(Location location, const std::string& message) const {
  throw Error(ErrorKind::kConfig, Where(*template_name_, location) + ": " + message);
}

void Renderer::Exec(const Body& body, Frame& frame, std::string& out) {
  for (const auto& stmt : body) ExecStmt(*stmt, frame, out);
}

void Renderer::ExecStmt(const Stmt& stmt, Frame& frame, std::string& out) {
  const auto& node = stmt.node;
  if (const auto* text = std::get_if<TextStmt>(&node)) {
    out += text->text;
  } else if (const auto* output = std::get_if<OutputStmt>(&node)) {
    out += Eval(*output->expr, frame).Str();
  } else if (const auto* if_stmt = std::get_if<IfStmt>(&node)) {
    ExecIf(*if_stmt, frame, out);
  } else if (const auto* for_stmt = std::get_if<ForStmt>(&node)) {
    ExecFor(*for_stmt, frame, out);
  } else if (const auto* set = std::get_if<SetStmt>(&node)) {
    ExecSet(*set, frame);
  } else if (const auto* set_block = std::get_if<SetBlockStmt>(&node)) {
    std::string captured;
    Exec(set_block->body, frame, captured);
    frame.vars.Set(set_block->target, Value(std::move(captured)));
  } else if (const auto* macro = std::get_if<MacroStmt>(&node)) {
    frame.vars.Set(macro->name, MakeMacro(*macro, *template_name_));
  } else if (const auto* call = std::get_if<CallBlockStmt>(&node)) {
    ExecCallBlock(*call, frame, out);
  } else if (const auto* do_stmt = std::get_if<DoStmt>(&node)) {
    Eval(*do_stmt->expr, frame);
  } else if (const auto* control = std::get_if<LoopControlStmt>(&node)) {
    throw LoopControlSignal{control->is_break};
  } else if (const auto* filter = std::get_if<FilterBlockStmt>(&node)) {
    ExecFilterBlock(*filter, stmt.location, frame, out);
  }
}

void Renderer::ExecIf(const IfStmt& stmt, Frame& frame, std::string& out) {
  for (const auto& [cond, body] : stmt.branches) {
    if (Eval(*cond, frame).Truthy()) return Exec(body, frame, out);
  }
  Exec(stmt.otherwise, frame, out);
}

void Renderer::Assign(const std::vector<std::string>& targets, const Value& value, Frame& frame) {
  if (targets.size() == 1) return frame.vars.Set(targets[0], value);
  List items = Iterate(value);
  if (items.size() != targets.size()) {
    ThrowValueError(
        fmt::format("cannot unpack {} values into {} names", items.size(), targets.size()));
  }
  for (size_t i = 0; i < targets.size(); ++i) frame.vars.Set(targets[i], items[i]);
}

void Renderer::ExecFor(const ForStmt& stmt, Frame& frame, std::string& out) {
  List items;
  try {
    items = Iterate(Eval(*stmt.iterable, frame));
    if (stmt.filter) {
      List kept;
      for (const Value& item : items) {
        Frame filter_frame{&frame, {}};
        Assign(stmt.targets, item, filter_frame);
        if (Eval(*stmt.filter, filter_frame).Truthy()) kept.push_back(item);
      }
      items = std::move(kept);
    }
  } catch (const ValueError& e) {
    Fail(stmt.iterable->location, e.what());
  }
  if (items.empty()) return Exec(stmt.otherwise, frame, out);
  const auto length = static_cast<int64_t>(items.size());
  for (int64_t i = 0; i < length; ++i) {
    // A fresh frame per iteration, as in Jinja: a `set` in the body is seen
    // neither after the loop nor by the next iteration.
    Frame loop_frame{&frame, {}};
    try {
      Assign(stmt.targets, items[static_cast<size_t>(i)], loop_frame);
    } catch (const ValueError& e) {
      Fail(stmt.iterable->location, e.what());
    }
    Value loop = Value::MakeObject({{"index", i + 1},
                                    {"index0", i},
                                    {"revindex", length - i},
                                    {"revindex0", length - i - 1},
                                    {"first", i == 0},
                                    {"last", i == length - 1},
                                    {"length", length}});
    Dict& attrs = loop.AsObject().attributes;
    attrs.Set("previtem",
              i > 0 ? items[static_cast<size_t>(i - 1)] : Value::MakeUndefined("previtem"));
    attrs.Set("nextitem", i + 1 < length ? items[static_cast<size_t>(i + 1)]
                                         : Value::MakeUndefined("nextitem"));
    attrs.Set("cycle", Value::MakeFunction("cycle", [i](const CallArgs& args) {
                if (args.positional.empty())
                  ThrowValueError("loop.cycle() needs at least one value");
                return args.positional[static_cast<size_t>(i) % args.positional.size()];
              }));
    loop_frame.vars.Set("loop", loop);
    try {
      Exec(stmt.body, loop_frame, out);
    } catch (const LoopControlSignal& signal) {
      if (signal.is_break) break;
    }
  }
}

void Renderer::ExecSet(const SetStmt& stmt, Frame& frame) {
  Value value = Eval(*stmt.value, frame);
  if (stmt.attribute.empty()) {
    try {
      return Assign(stmt.targets, value, frame);
    } catch (const ValueError& e) {
      Fail(stmt.value->location, e.what());
    }
  }
  const Value* target = frame.Lookup(stmt.targets[0]);
  if (target == nullptr || !target->IsObject()) {
    Fail(stmt.value->location,
         fmt::format("cannot set '{}.{}': '{}' is not a namespace; create it with "
                     "{{% set {} = namespace() %}}",
                     stmt.targets[0], stmt.attribute, stmt.targets[0], stmt.targets[0]));
  }
  target->AsObject().attributes.Set(stmt.attribute, std::move(value));
}

void Renderer::ExecCallBlock(const CallBlockStmt& stmt, Frame& frame, std::string& out) {
  const auto& call = std::get<CallExpr>(stmt.call->node);
  // `caller()` renders the block body in the frame of the call site; it runs
  // only while the macro call below is on the stack, so `frame` is alive.
  Value caller = Value::MakeFunction("caller", [this, &stmt, &frame](const CallArgs& args) {
    Frame body_frame{&frame, {}};
    BindParams(stmt.caller_params, args, body_frame);
    std::string text;
    Exec(stmt.body, body_frame, text);
    return Value(std::move(text));
  });
  Value callee = Eval(*call.callee, frame);
  CallArgs args = EvalArgs(call.args, frame);
  args.keyword.emplace_back("caller", std::move(caller));
  args.caller = &frame;
  out += Call(callee, args, *call.callee).Str();
}

void Renderer::ExecFilterBlock(const FilterBlockStmt& stmt, Location location, Frame& frame,
                               std::string& out) {
  std::string text;
  Exec(stmt.body, frame, text);
  Value value(std::move(text));
  for (const auto& [name, args] : stmt.filters) {
    CallArgs evaluated = EvalArgs(args, frame);
    try {
      value = env_.ApplyFilter(name, value, evaluated);
    } catch (const ValueError& e) {
      Fail(location, e.what());
    }
  }
  out += value.Str();
}

Value Renderer::MakeMacro(const MacroStmt& macro, const std::string& template_name) {
  return Value::MakeFunction(macro.name, [this, &macro, &template_name](const CallArgs& args) {
    return CallMacro(macro, template_name, args);
  });
}

void Renderer::BindParams(const std::vector<Param>& params, const CallArgs& args, Frame& frame) {
  List varargs;
  for (size_t i = 0; i < args.positional.size(); ++i) {
    if (i < params.size()) {
      frame.vars.Set(params[i].name, args.positional[i]);
    } else {
      varargs.push_back(args.positional[i]);
    }
  }
  Dict kwargs;
  for (const auto& [name, value] : args.keyword) {
    bool is_param =
        std::any_of(params.begin(), params.end(), [&](const Param& p) { return p.name == name; });
    if (is_param && frame.vars.Find(name) != nullptr) {
      ThrowValueError(fmt::format("got two values for the argument '{}'", name));
    }
    if (is_param || name == "caller") {
      frame.vars.Set(name, value);
    } else {
      kwargs.Set(name, value);
    }
  }
  // Defaults are evaluated at call time, in the macro's frame, so a default
  // may refer to an earlier parameter; a missing argument is undefined.
  for (const Param& p : params) {
    if (frame.vars.Find(p.name) != nullptr) continue;
    frame.vars.Set(p.name,
                   p.default_value ? Eval(*p.default_value, frame) : Value::MakeUndefined(p.name));
  }
  frame.vars.Set("varargs", Value(std::move(varargs)));
  frame.vars.Set("kwargs", Value(std::move(kwargs)));
}

Value Renderer::CallMacro(const MacroStmt& macro, const std::string& template_name,
                          const CallArgs& args) {
  if (macro_depth_ >= kMaxMacroDepth) {
    ThrowValueError(
        fmt::format("macro '{}' nests deeper than {} calls: a macro probably calls "
                    "itself without end",
                    macro.name, kMaxMacroDepth));
  }
  const std::string* saved_name = template_name_;
  template_name_ = &template_name;
  ++macro_depth_;
  Frame frame{&context_, {}};
  std::string out;
  Value result;
  try {
    BindParams(macro.params, args, frame);
    Exec(macro.body, frame, out);
    result = Value(std::move(out));
  } catch (ReturnSignal& signal) {
    result = std::move(signal.value);
  } catch (...) {
    template_name_ = saved_name;
    --macro_depth_;
    throw;
  }
  template_name_ = saved_name;
  --macro_depth_;
  return result;
}

}  // namespace wharf::models::jinja
