// Binary operators with Python semantics: int arithmetic stays int, `/`
// always gives a float, `//` and `%` floor towards negative infinity.
#include <fmt/format.h>

#include <cmath>

#include "models/jinja/access.hpp"

namespace wharf::models::jinja {

namespace {

[[noreturn]] void Unsupported(std::string_view op, const Value& a, const Value& b) {
  for (const Value* v : {&a, &b}) {
    if (v->IsUndefined()) {
      ThrowValueError(
          fmt::format("'{}' is undefined, so '{}' cannot use it: define it or "
                      "guard it with 'is defined'",
                      v->UndefinedHint(), op));
    }
  }
  ThrowValueError(fmt::format("unsupported operand types for {}: '{}' and '{}'", op, a.TypeName(),
                              b.TypeName()));
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

Value Repeat(const Value& seq, int64_t times) {
  if (seq.IsString()) {
    std::string out;
    for (int64_t i = 0; i < times; ++i) out += seq.AsString();
    return Value(out);
  }
  List out;
  for (int64_t i = 0; i < times; ++i)
    out.insert(out.end(), seq.AsList().begin(), seq.AsList().end());
  return Value(out);
}

Value Arithmetic(std::string_view op, const Value& a, const Value& b) {
  bool as_float = a.IsFloat() || b.IsFloat();
  if ((op == "/" || op == "//" || op == "%") && b.AsDouble() == 0.0) {
    ThrowValueError(fmt::format("division by zero in '{}'", op));
  }
  if (op == "/") return Value(a.AsDouble() / b.AsDouble());
  if (op == "**") {
    if (!as_float && b.AsInt() >= 0) {
      int64_t result = 1;
      for (int64_t i = 0; i < b.AsInt(); ++i) result *= a.AsInt();
      return Value(result);
    }
    return Value(std::pow(a.AsDouble(), b.AsDouble()));
  }
  if (as_float) {
    double x = a.AsDouble(), y = b.AsDouble();
    if (op == "+") return Value(x + y);
    if (op == "-") return Value(x - y);
    if (op == "*") return Value(x * y);
    if (op == "//") return Value(std::floor(x / y));
    return Value(x - std::floor(x / y) * y);  // %
  }
  int64_t x = a.AsInt(), y = b.AsInt();
  if (op == "+") return Value(x + y);
  if (op == "-") return Value(x - y);
  if (op == "*") return Value(x * y);
  if (op == "//") return Value(FloorDiv(x, y));
  return Value(x - FloorDiv(x, y) * y);  // %
}

}  // namespace

Value BinaryOp(std::string_view op, const Value& a, const Value& b) {
  if (op == "~") return Value(a.Str() + b.Str());
  if (op == "==") return Value(a == b);
  if (op == "!=") return Value(!(a == b));
  if (op == "<") return Value(Compare(a, b) < 0);
  if (op == "<=") return Value(Compare(a, b) <= 0);
  if (op == ">") return Value(Compare(a, b) > 0);
  if (op == ">=") return Value(Compare(a, b) >= 0);
  if (op == "in") return Value(Contains(b, a));
  if (op == "not in") return Value(!Contains(b, a));
  if (a.IsNumber() && b.IsNumber()) return Arithmetic(op, a, b);
  if (op == "+" && a.IsString() && b.IsString()) return Value(a.AsString() + b.AsString());
  if (op == "+" && a.IsList() && b.IsList()) {
    List out = a.AsList();
    out.insert(out.end(), b.AsList().begin(), b.AsList().end());
    return Value(out);
  }
  if (op == "*" && (a.IsString() || a.IsList()) && b.IsInt()) return Repeat(a, b.AsInt());
  if (op == "*" && (b.IsString() || b.IsList()) && a.IsInt()) return Repeat(b, a.AsInt());
  Unsupported(op, a, b);
}

}  // namespace wharf::models::jinja
