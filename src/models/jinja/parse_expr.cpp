// Expression parsing. Precedence, loosest first, follows Jinja2's parser:
//   a if c else b  <  or  <  and  <  not  <  comparisons, in, not in
//   <  + -  <  ~  <  * / // %  <  **  <  unary -  <  primary, . [] () | is
#include <fmt/format.h>

#include <charconv>

#include "models/jinja/parser_impl.hpp"

namespace wharf::models::jinja {

ExprPtr Parser::ParseTuple() {
  Location loc = Peek().location;
  ExprPtr first = ParseExpression();
  if (!IsOp(",")) return first;
  ListExpr tuple;
  tuple.items.push_back(std::move(first));
  while (AcceptOp(",")) tuple.items.push_back(ParseExpression());
  return MakeExpr(loc, std::move(tuple));
}

ExprPtr Parser::ParseExpression() {
  ExprPtr expr = ParseOr();
  while (IsName("if")) {
    Location loc = Next().location;
    CondExpr cond;
    cond.then = std::move(expr);
    cond.cond = ParseOr();
    if (AcceptName("else")) cond.otherwise = ParseExpression();
    expr = MakeExpr(loc, std::move(cond));
  }
  return expr;
}

ExprPtr Parser::ParseOr() {
  ExprPtr left = ParseAnd();
  while (IsName("or")) {
    Location loc = Next().location;
    left = MakeExpr(loc, BinaryExpr{"or", std::move(left), ParseAnd()});
  }
  return left;
}

ExprPtr Parser::ParseAnd() {
  ExprPtr left = ParseNot();
  while (IsName("and")) {
    Location loc = Next().location;
    left = MakeExpr(loc, BinaryExpr{"and", std::move(left), ParseNot()});
  }
  return left;
}

ExprPtr Parser::ParseNot() {
  if (IsName("not")) {
    Location loc = Next().location;
    return MakeExpr(loc, UnaryExpr{"not", ParseNot()});
  }
  return ParseCompare();
}

ExprPtr Parser::ParseCompare() {
  Location loc = Peek().location;
  ExprPtr first = ParseAdditive();
  CompareExpr compare{std::move(first), {}};
  while (true) {
    Location op_loc = Peek().location;
    std::string op;
    if (IsOp("==") || IsOp("!=") || IsOp("<") || IsOp("<=") || IsOp(">") || IsOp(">=")) {
      op = Next().text;
    } else if (IsName("in")) {
      Next();
      op = "in";
    } else if (IsName("not") && IsName("in", 1)) {
      Next();
      Next();
      op = "not in";
    } else {
      break;
    }
    compare.rest.push_back(CompareOp{std::move(op), ParseAdditive(), op_loc});
  }
  if (compare.rest.empty()) return std::move(compare.first);
  return MakeExpr(loc, std::move(compare));
}

ExprPtr Parser::ParseAdditive() {
  ExprPtr left = ParseConcat();
  while (IsOp("+") || IsOp("-")) {
    const Token& op = Next();
    left = MakeExpr(op.location, BinaryExpr{op.text, std::move(left), ParseConcat()});
  }
  return left;
}

ExprPtr Parser::ParseConcat() {
  ExprPtr left = ParseMultiplicative();
  while (IsOp("~")) {
    Location loc = Next().location;
    left = MakeExpr(loc, BinaryExpr{"~", std::move(left), ParseMultiplicative()});
  }
  return left;
}

ExprPtr Parser::ParseMultiplicative() {
  ExprPtr left = ParsePower();
  while (IsOp("*") || IsOp("/") || IsOp("//") || IsOp("%")) {
    const Token& op = Next();
    left = MakeExpr(op.location, BinaryExpr{op.text, std::move(left), ParsePower()});
  }
  return left;
}

ExprPtr Parser::ParsePower() {
  ExprPtr left = ParseUnary(true);
  while (IsOp("**")) {
    Location loc = Next().location;
    left = MakeExpr(loc, BinaryExpr{"**", std::move(left), ParseUnary(true)});
  }
  return left;
}

ExprPtr Parser::ParseUnary(bool with_filters) {
  ExprPtr expr;
  if (IsOp("-") || IsOp("+")) {
    const Token& op = Next();
    expr = MakeExpr(op.location, UnaryExpr{op.text, ParseUnary(false)});
  } else {
    expr = ParsePostfix(ParsePrimary());
  }
  return with_filters ? ParseFiltersAndTests(std::move(expr)) : std::move(expr);
}

ExprPtr Parser::ParsePrimary() {
  const Token& t = Peek();
  Location loc = t.location;
  switch (t.kind) {
    case TokenKind::kString: {
      // Adjacent literals concatenate, as in Python: 'a' 'b' == 'ab'.
      std::string text = Next().text;
      while (Peek().kind == TokenKind::kString) text += Next().text;
      return MakeExpr(loc, LiteralExpr{Value(std::move(text))});
    }
    case TokenKind::kInt: {
      int64_t i = 0;
      auto [ptr, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), i);
      if (ec != std::errc()) Fail(loc, fmt::format("integer {} is too large", t.text));
      Next();
      return MakeExpr(loc, LiteralExpr{Value(i)});
    }
    case TokenKind::kFloat: {
      double d = std::stod(Next().text);
      return MakeExpr(loc, LiteralExpr{Value(d)});
    }
    case TokenKind::kName: {
      std::string name = Next().text;
      if (name == "true" || name == "True") return MakeExpr(loc, LiteralExpr{Value(true)});
      if (name == "false" || name == "False") return MakeExpr(loc, LiteralExpr{Value(false)});
      if (name == "none" || name == "None") return MakeExpr(loc, LiteralExpr{Value()});
      return MakeExpr(loc, NameExpr{std::move(name)});
    }
    case TokenKind::kOperator:
      if (AcceptOp("(")) return ParseParenthesized(loc);
      if (AcceptOp("[")) return ParseListLiteral(loc);
      if (AcceptOp("{")) return ParseDictLiteral(loc);
      break;
    default:
      break;
  }
  FailUnexpected("an expression");
}

ExprPtr Parser::ParseParenthesized(Location loc) {
  if (AcceptOp(")")) return MakeExpr(loc, ListExpr{});  // the empty tuple
  ExprPtr first = ParseExpression();
  if (AcceptOp(")")) return first;
  ListExpr tuple;
  tuple.items.push_back(std::move(first));
  while (AcceptOp(",")) {
    if (IsOp(")")) break;  // (a,) is a one-element tuple
    tuple.items.push_back(ParseExpression());
  }
  ExpectOp(")");
  return MakeExpr(loc, std::move(tuple));
}

ExprPtr Parser::ParseListLiteral(Location loc) {
  ListExpr list;
  while (!AcceptOp("]")) {
    if (!list.items.empty()) {
      ExpectOp(",");
      if (AcceptOp("]")) break;  // trailing comma
    }
    list.items.push_back(ParseExpression());
  }
  return MakeExpr(loc, std::move(list));
}

ExprPtr Parser::ParseDictLiteral(Location loc) {
  DictExpr dict;
  while (!AcceptOp("}")) {
    if (!dict.items.empty()) {
      ExpectOp(",");
      if (AcceptOp("}")) break;
    }
    ExprPtr key = ParseExpression();
    ExpectOp(":");
    dict.items.emplace_back(std::move(key), ParseExpression());
  }
  return MakeExpr(loc, std::move(dict));
}

ExprPtr Parser::ParsePostfix(ExprPtr expr) {
  while (true) {
    Location loc = Peek().location;
    if (AcceptOp(".")) {
      if (Peek().kind == TokenKind::kInt) {  // a.0 is a[0] in Jinja
        expr = MakeExpr(loc, ItemExpr{std::move(expr), ParsePrimary()});
      } else {
        expr = MakeExpr(loc, AttrExpr{std::move(expr), ExpectName()});
      }
    } else if (AcceptOp("[")) {
      expr = ParseSubscript(std::move(expr));
    } else if (AcceptOp("(")) {
      loc = expr->location;  // report call errors where the callee starts
      expr = MakeExpr(loc, CallExpr{std::move(expr), ParseCallArgs()});
    } else {
      return expr;
    }
  }
}

ExprPtr Parser::ParseSubscript(ExprPtr object) {
  Location loc = object->location;
  ExprPtr start;
  if (!IsOp(":")) start = ParseExpression();
  if (!AcceptOp(":")) {
    ExpectOp("]");
    return MakeExpr(loc, ItemExpr{std::move(object), std::move(start)});
  }
  ExprPtr stop;
  if (!IsOp("]")) stop = ParseExpression();
  ExpectOp("]");
  return MakeExpr(loc, SliceExpr{std::move(object), std::move(start), std::move(stop)});
}

Args Parser::ParseCallArgs() {
  Args args;
  while (!AcceptOp(")")) {
    if (!args.positional.empty() || !args.keyword.empty()) {
      ExpectOp(",");
      if (AcceptOp(")")) break;
    }
    if (Peek().kind == TokenKind::kName && IsOp("=", 1)) {
      std::string name = Next().text;
      Next();
      args.keyword.emplace_back(std::move(name), ParseExpression());
    } else {
      if (!args.keyword.empty()) FailUnexpected("a keyword argument after keyword arguments");
      args.positional.push_back(ParseExpression());
    }
  }
  return args;
}

// `x is divisibleby 3`: Jinja allows one argument without parentheses.
bool Parser::StartsTestArgument() const {
  const Token& t = Peek();
  if (t.kind == TokenKind::kString || t.kind == TokenKind::kInt || t.kind == TokenKind::kFloat ||
      IsOp("[") || IsOp("{")) {
    return true;
  }
  if (t.kind != TokenKind::kName) return false;
  for (std::string_view keyword : {"and", "or", "else", "if", "in", "is", "not"}) {
    if (t.text == keyword) return false;
  }
  return true;
}

ExprPtr Parser::ParseFiltersAndTests(ExprPtr expr) {
  while (true) {
    Location loc = Peek().location;
    if (AcceptOp("|")) {
      FilterExpr filter{std::move(expr), ExpectName(), {}};
      if (AcceptOp("(")) filter.args = ParseCallArgs();
      expr = MakeExpr(loc, std::move(filter));
    } else if (AcceptName("is")) {
      TestExpr test{std::move(expr), "", {}, AcceptName("not")};
      test.name = ExpectName();
      if (AcceptOp("(")) {
        test.args = ParseCallArgs();
      } else if (StartsTestArgument()) {
        test.args.positional.push_back(ParsePostfix(ParsePrimary()));
      }
      expr = MakeExpr(loc, std::move(test));
    } else {
      return expr;
    }
  }
}

}  // namespace wharf::models::jinja
