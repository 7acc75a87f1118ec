// Expression evaluation. A ValueError raised while evaluating a node becomes a
// wharf::Error located at that node; errors from host functions pass through.
#include <fmt/format.h>

#include "core/error.hpp"
#include "models/jinja/access.hpp"
#include "models/jinja/render.hpp"

namespace wharf::models::jinja {

Value Renderer::Eval(const Expr& expr, Frame& frame) {
  try {
    return std::visit([&](const auto& node) { return EvalNode(node, frame); }, expr.node);
  } catch (const ValueError& e) {
    Fail(expr.location, e.what());
  }
}

Value Renderer::EvalNode(const LiteralExpr& node, Frame&) { return node.value; }

Value Renderer::EvalNode(const ListExpr& node, Frame& frame) {
  List list;
  list.reserve(node.items.size());
  for (const auto& item : node.items) list.push_back(Eval(*item, frame));
  return Value(std::move(list));
}

Value Renderer::EvalNode(const DictExpr& node, Frame& frame) {
  Dict dict;
  for (const auto& [key, value] : node.items) {
    dict.Set(KeyString(Eval(*key, frame)), Eval(*value, frame));
  }
  return Value(std::move(dict));
}

Value Renderer::EvalNode(const NameExpr& node, Frame& frame) {
  const Value* v = frame.Lookup(node.name);
  return v ? *v : Value::MakeUndefined(node.name);
}

Value Renderer::EvalNode(const AttrExpr& node, Frame& frame) {
  return GetAttr(Eval(*node.object, frame), node.name);
}

Value Renderer::EvalNode(const ItemExpr& node, Frame& frame) {
  Value object = Eval(*node.object, frame);
  return GetItem(object, Eval(*node.index, frame));
}

Value Renderer::EvalNode(const SliceExpr& node, Frame& frame) {
  Value object = Eval(*node.object, frame);
  Value start = node.start ? Eval(*node.start, frame) : Value();
  Value stop = node.stop ? Eval(*node.stop, frame) : Value();
  return GetSlice(object, &start, &stop);
}

Value Renderer::EvalNode(const UnaryExpr& node, Frame& frame) {
  Value operand = Eval(*node.operand, frame);
  if (node.op == "not") return Value(!operand.Truthy());
  if (!operand.IsNumber()) {
    ThrowValueError(
        fmt::format("bad operand type for unary {}: '{}'", node.op, operand.TypeName()));
  }
  if (node.op == "+") return operand.IsBool() ? Value(operand.AsInt()) : operand;
  return operand.IsFloat() ? Value(-operand.AsDouble()) : Value(-operand.AsInt());
}

Value Renderer::EvalNode(const BinaryExpr& node, Frame& frame) {
  Value left = Eval(*node.left, frame);
  // Python's and/or return an operand, not a bool, and skip the right side
  // when the left decides.
  if (node.op == "and") return left.Truthy() ? Eval(*node.right, frame) : left;
  if (node.op == "or") return left.Truthy() ? left : Eval(*node.right, frame);
  return BinaryOp(node.op, left, Eval(*node.right, frame));
}

Value Renderer::EvalNode(const CompareExpr& node, Frame& frame) {
  Value left = Eval(*node.first, frame);
  for (const CompareOp& op : node.rest) {
    Value right = Eval(*op.right, frame);
    bool holds = false;
    try {
      holds = BinaryOp(op.op, left, right).Truthy();
    } catch (const ValueError& e) {
      Fail(op.location, e.what());
    }
    if (!holds) return Value(false);
    left = std::move(right);
  }
  return Value(true);
}

Value Renderer::EvalNode(const CondExpr& node, Frame& frame) {
  if (Eval(*node.cond, frame).Truthy()) return Eval(*node.then, frame);
  return node.otherwise ? Eval(*node.otherwise, frame) : Value::MakeUndefined();
}

CallArgs Renderer::EvalArgs(const Args& args, Frame& frame) {
  CallArgs out;
  for (const auto& arg : args.positional) out.positional.push_back(Eval(*arg, frame));
  for (const auto& [name, arg] : args.keyword) out.keyword.emplace_back(name, Eval(*arg, frame));
  return out;
}

Value Renderer::Call(const Value& callee, const CallArgs& args, const Expr& callee_expr) {
  if (callee.IsUndefined()) {
    std::string name =
        callee.UndefinedHint().empty() ? "the callee" : "'" + callee.UndefinedHint() + "'";
    ThrowValueError(
        fmt::format("{} is undefined, so it cannot be called: check the spelling, "
                    "define the macro, or register the function with the environment",
                    name));
  }
  // A host object that is also callable (dbt's `config(...)` beside `config.get(...)`).
  if (callee.IsObject()) {
    if (const Value* call = callee.AsObject().attributes.Find("__call__"); call && call->IsCallable()) {
      return call->AsCallable().fn(args);
    }
  }
  if (!callee.IsCallable()) {
    const auto* name = std::get_if<NameExpr>(&callee_expr.node);
    ThrowValueError(fmt::format("{} is a '{}', not a function or macro, so it cannot be called",
                                name ? "'" + name->name + "'" : std::string("the value"),
                                callee.TypeName()));
  }
  return callee.AsCallable().fn(args);
}

Value Renderer::EvalNode(const CallExpr& node, Frame& frame) {
  Value callee = Eval(*node.callee, frame);
  CallArgs args = EvalArgs(node.args, frame);
  args.caller = &frame;
  return Call(callee, args, *node.callee);
}

Value Renderer::EvalNode(const FilterExpr& node, Frame& frame) {
  Value input = Eval(*node.input, frame);
  return env_.ApplyFilter(node.name, input, EvalArgs(node.args, frame));
}

Value Renderer::EvalNode(const TestExpr& node, Frame& frame) {
  Value input = Eval(*node.input, frame);
  bool result = env_.ApplyTest(node.name, input, EvalArgs(node.args, frame));
  return Value(result != node.negated);
}

}  // namespace wharf::models::jinja
