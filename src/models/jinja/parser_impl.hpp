#pragma once
// The recursive-descent parser behind Parse(). Internal to the jinja library:
// statements are parsed in parser.cpp, expressions in parse_expr.cpp.
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "models/jinja/ast.hpp"
#include "models/jinja/lexer.hpp"

namespace wharf::models::jinja {

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string name)
      : tokens_(std::move(tokens)), name_(std::move(name)) {}

  Body ParseTemplate();

 private:
  // ---- statements (parser.cpp) ----
  // Parses statements until a `{% tag %}` whose tag is in `enders`, leaving the
  // cursor on that tag's name. `opener` names the block for "missing end" errors.
  Body ParseBody(std::initializer_list<std::string_view> enders, const Token* opener);
  StmtPtr ParseBlockTag();
  StmtPtr ParseIf(Location loc);
  StmtPtr ParseFor(Location loc);
  StmtPtr ParseSet(Location loc);
  StmtPtr ParseMacro(Location loc, std::string_view prefix = "", std::string_view end_tag = "endmacro");
  StmtPtr ParseCallBlock(Location loc);
  StmtPtr ParseFilterBlock(Location loc);
  std::vector<Param> ParseParams();
  // Expects `%}`, then the body up to `{% end<tag> %}`, and consumes the end tag.
  Body ParseBlockBody(const Token& opener, std::string_view end_tag);
  void ExpectEndTag(std::string_view tag);

  // ---- expressions (parse_expr.cpp) ----
  ExprPtr ParseTuple();  // a, b, c without parentheses (set / output)
  ExprPtr ParseExpression();
  ExprPtr ParseOr();
  ExprPtr ParseAnd();
  ExprPtr ParseNot();
  ExprPtr ParseCompare();
  ExprPtr ParseAdditive();
  ExprPtr ParseConcat();
  ExprPtr ParseMultiplicative();
  ExprPtr ParsePower();
  ExprPtr ParseUnary(bool with_filters);
  ExprPtr ParsePrimary();
  ExprPtr ParsePostfix(ExprPtr expr);
  ExprPtr ParseFiltersAndTests(ExprPtr expr);
  ExprPtr ParseSubscript(ExprPtr object);
  ExprPtr ParseParenthesized(Location loc);
  ExprPtr ParseListLiteral(Location loc);
  ExprPtr ParseDictLiteral(Location loc);
  Args ParseCallArgs();  // after "(" up to and including ")"
  bool StartsTestArgument() const;

  // ---- tokens ----
  const Token& Peek(size_t ahead = 0) const;
  const Token& Next();
  bool IsOp(std::string_view op, size_t ahead = 0) const;
  bool IsName(std::string_view name, size_t ahead = 0) const;
  bool AcceptOp(std::string_view op);
  bool AcceptName(std::string_view name);
  void ExpectOp(std::string_view op);
  std::string ExpectName();
  [[noreturn]] void Fail(Location loc, const std::string& message) const;
  [[noreturn]] void FailUnexpected(std::string_view expected) const;
  static std::string Describe(const Token& token);

  std::vector<Token> tokens_;
  std::string name_;
  size_t pos_ = 0;
  int loop_depth_ = 0;  // `for` bodies around the cursor (in this macro): where break may go
};

template <typename Node>
ExprPtr MakeExpr(Location loc, Node node) {
  return std::make_unique<Expr>(Expr{loc, std::move(node)});
}

template <typename Node>
StmtPtr MakeStmt(Location loc, Node node) {
  return std::make_unique<Stmt>(Stmt{loc, std::move(node)});
}

}  // namespace wharf::models::jinja
