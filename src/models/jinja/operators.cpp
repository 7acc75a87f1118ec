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

int64_t Integer(const Value& v) {
  if (v.IsInt() || v.IsBool()) return v.AsInt();
  if (v.IsFloat()) return static_cast<int64_t>(v.AsDouble());
  ThrowValueError(fmt::format("%d format: a number is required, not '{}'", v.TypeName()));
}

// Python's printf-style `"%s-%d" % (a, b)` and `"%(name)s" % dict`: s, r, d,
// i, f (with .N), x and %%.
std::string PercentFormat(const std::string& format, const Value& args) {
  std::string out;
  size_t next = 0;
  auto take = [&](const std::string& name) -> Value {
    if (!name.empty()) {
      if (!args.IsDict()) ThrowValueError("format requires a mapping");
      const Value* v = args.AsDict().Find(name);
      if (!v) ThrowValueError(fmt::format("'{}' is not in the mapping formatted with %", name));
      return *v;
    }
    if (args.IsList()) {
      if (next >= args.AsList().size()) ThrowValueError("not enough arguments for format string");
      return args.AsList()[next++];
    }
    if (next++ > 0) ThrowValueError("not enough arguments for format string");
    return args;
  };
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out += format[i];
      continue;
    }
    if (++i >= format.size()) ThrowValueError("incomplete format");
    if (format[i] == '%') {
      out += '%';
      continue;
    }
    std::string name;
    if (format[i] == '(') {
      size_t close = format.find(')', i);
      if (close == std::string::npos) ThrowValueError("incomplete format key");
      name = format.substr(i + 1, close - i - 1);
      i = close + 1;
    }
    bool left = false, zero = false;
    for (; i < format.size() && (format[i] == '-' || format[i] == '0'); ++i) (format[i] == '-' ? left : zero) = true;
    size_t width = 0;
    for (; i < format.size() && std::isdigit(static_cast<unsigned char>(format[i])); ++i)
      width = width * 10 + static_cast<size_t>(format[i] - '0');
    int precision = -1;
    if (i < format.size() && format[i] == '.') {
      precision = 0;
      while (++i < format.size() && std::isdigit(static_cast<unsigned char>(format[i])))
        precision = precision * 10 + (format[i] - '0');
    }
    if (i >= format.size()) ThrowValueError("incomplete format");
    Value v = take(name);
    std::string piece;
    bool numeric = true;
    switch (format[i]) {
      case 's': piece = v.Str(), numeric = false; break;
      case 'r': piece = v.Repr(), numeric = false; break;
      case 'd': case 'i': piece = std::to_string(Integer(v)); break;
      case 'x': piece = fmt::format("{:x}", Integer(v)); break;
      case 'f': piece = fmt::format("{:.{}f}", v.IsNumber() ? v.AsDouble() : 0.0, precision < 0 ? 6 : precision); break;
      default: ThrowValueError(fmt::format("unsupported format character '{}'", format[i]));
    }
    if (piece.size() < width) {
      size_t pad = width - piece.size();
      if (left) piece += std::string(pad, ' ');
      else if (zero && numeric) piece.insert(piece[0] == '-' ? 1 : 0, std::string(pad, '0'));
      else piece.insert(0, std::string(pad, ' '));
    }
    out += piece;
  }
  if (args.IsList() && next < args.AsList().size()) {
    ThrowValueError("not all arguments converted during string formatting");
  }
  return out;
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
  if (op == "%" && a.IsString()) return Value(PercentFormat(a.AsString(), b));
  if (op == "*" && (a.IsString() || a.IsList()) && b.IsInt()) return Repeat(a, b.AsInt());
  if (op == "*" && (b.IsString() || b.IsList()) && a.IsInt()) return Repeat(b, a.AsInt());
  Unsupported(op, a, b);
}

}  // namespace wharf::models::jinja
