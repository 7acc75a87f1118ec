#include "models/jinja/parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "core/error.hpp"
#include "models/jinja/parser_impl.hpp"

namespace wharf::models::jinja {

namespace {

// Jinja's defaults (which dbt keeps): line endings become "\n", and one
// trailing newline is dropped (keep_trailing_newline=False).
std::string NormalizeNewlines(std::string_view source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += source[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

Template Parse(std::string_view source, std::string name) {
  auto root = std::make_shared<TemplateRoot>();
  root->name = name;
  std::vector<Token> tokens = Tokenize(NormalizeNewlines(source), name);
  Parser parser(std::move(tokens), std::move(name));
  root->body = parser.ParseTemplate();
  return Template(std::move(root));
}

std::vector<std::string> Template::MacroNames() const {
  std::vector<std::string> names;
  for (const auto& stmt : root_->body) {
    if (const auto* macro = std::get_if<MacroStmt>(&stmt->node)) names.push_back(macro->name);
  }
  return names;
}

// ---- tokens ----

const Token& Parser::Peek(size_t ahead) const {
  return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
}

const Token& Parser::Next() {
  const Token& t = Peek();
  if (pos_ < tokens_.size() - 1) ++pos_;
  return t;
}

bool Parser::IsOp(std::string_view op, size_t ahead) const {
  const Token& t = Peek(ahead);
  return t.kind == TokenKind::kOperator && t.text == op;
}

bool Parser::IsName(std::string_view name, size_t ahead) const {
  const Token& t = Peek(ahead);
  return t.kind == TokenKind::kName && t.text == name;
}

bool Parser::AcceptOp(std::string_view op) {
  if (!IsOp(op)) return false;
  Next();
  return true;
}

bool Parser::AcceptName(std::string_view name) {
  if (!IsName(name)) return false;
  Next();
  return true;
}

void Parser::ExpectOp(std::string_view op) {
  if (!AcceptOp(op)) FailUnexpected(fmt::format("'{}'", op));
}

std::string Parser::ExpectName() {
  if (Peek().kind != TokenKind::kName) FailUnexpected("a name");
  return Next().text;
}

void Parser::Fail(Location loc, const std::string& message) const {
  throw Error(ErrorKind::kConfig, Where(name_, loc) + ": " + message);
}

std::string Parser::Describe(const Token& t) {
  switch (t.kind) {
    case TokenKind::kText:
      return "text";
    case TokenKind::kVarBegin:
      return "'{{'";
    case TokenKind::kVarEnd:
      return "'}}'";
    case TokenKind::kBlockBegin:
      return "'{%'";
    case TokenKind::kBlockEnd:
      return "'%}'";
    case TokenKind::kString:
      return fmt::format("string '{}'", t.text);
    case TokenKind::kEnd:
      return "the end of the template";
    default:
      return fmt::format("'{}'", t.text);
  }
}

void Parser::FailUnexpected(std::string_view expected) const {
  Fail(Peek().location, fmt::format("unexpected {}, expected {}", Describe(Peek()), expected));
}

// ---- statements ----

Body Parser::ParseTemplate() {
  Body body = ParseBody({}, nullptr);
  if (Peek().kind != TokenKind::kEnd) {
    // ParseBody stopped on a tag it has no block for, e.g. a stray "endif".
    const Token& tag = Peek(1);
    Fail(tag.location,
         fmt::format("unexpected '{}': no open block expects it; remove it or open the block "
                     "it closes",
                     tag.text));
  }
  return body;
}

Body Parser::ParseBody(std::initializer_list<std::string_view> enders, const Token* opener) {
  Body body;
  while (true) {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kText:
        body.push_back(MakeStmt(t.location, TextStmt{t.text}));
        Next();
        break;
      case TokenKind::kVarBegin: {
        Location loc = Next().location;
        ExprPtr expr = ParseTuple();
        if (Peek().kind != TokenKind::kVarEnd) FailUnexpected("'}}'");
        Next();
        body.push_back(MakeStmt(loc, OutputStmt{std::move(expr)}));
        break;
      }
      case TokenKind::kBlockBegin: {
        const Token& tag = Peek(1);
        bool is_end_tag = tag.kind == TokenKind::kName &&
                          (std::find(enders.begin(), enders.end(), tag.text) != enders.end() ||
                           tag.text.starts_with("end") || tag.text == "else" || tag.text == "elif");
        if (is_end_tag) {
          if (enders.size() == 0) return body;  // ParseTemplate reports the stray tag
          Next();
          if (std::find(enders.begin(), enders.end(), tag.text) != enders.end()) return body;
          Fail(tag.location,
               fmt::format("unexpected '{}' inside the '{}' opened at line {}: "
                           "close it with '{{% end{} %}}' first",
                           tag.text, opener->text, opener->location.line, opener->text));
        }
        body.push_back(ParseBlockTag());
        break;
      }
      case TokenKind::kEnd:
        if (opener != nullptr) {
          Fail(opener->location, fmt::format("'{{% {} %}}' is never closed: add '{{% end{} %}}'",
                                             opener->text, opener->text));
        }
        return body;
      default:
        FailUnexpected("text or a tag");
    }
  }
}

StmtPtr Parser::ParseBlockTag() {
  Next();  // {%
  const Token& tag = Peek();
  if (tag.kind != TokenKind::kName) FailUnexpected("a tag name such as 'if', 'for' or 'set'");
  Location loc = tag.location;
  std::string name = tag.text;
  if (name == "if") return ParseIf(loc);
  if (name == "for") return ParseFor(loc);
  if (name == "set") return ParseSet(loc);
  if (name == "macro") return ParseMacro(loc);
  // dbt's generic test blocks define the macro test_<name>.
  if (name == "test") return ParseMacro(loc, "test_", "endtest");
  if (name == "materialization") {
    Fail(loc, "custom materializations ({% materialization %}) are not supported by wharf; use "
              "view, table, incremental or ephemeral");
  }
  if (name == "call") return ParseCallBlock(loc);
  if (name == "filter") return ParseFilterBlock(loc);
  if (name == "break" || name == "continue") {
    if (loop_depth_ == 0) Fail(loc, fmt::format("'{}' is only allowed inside a for loop", name));
    Next();
    ExpectEndTag(name);
    return MakeStmt(loc, LoopControlStmt{name == "break"});
  }
  if (name == "do") {
    Next();
    ExprPtr expr = ParseTuple();
    ExpectEndTag("do");
    return MakeStmt(loc, DoStmt{std::move(expr)});
  }
  Fail(loc, fmt::format("unknown tag '{}': expected if, for, set, macro, call, filter, do, break, "
                        "continue or raw",
                        name));
}

void Parser::ExpectEndTag(std::string_view tag) {
  if (Peek().kind != TokenKind::kBlockEnd) {
    FailUnexpected(fmt::format("'%}}' to end the '{}' tag", tag));
  }
  Next();
}

Body Parser::ParseBlockBody(const Token& opener, std::string_view end_tag) {
  ExpectEndTag(opener.text);
  std::string end(end_tag);
  Body body = ParseBody({end}, &opener);
  Next();  // end tag name
  ExpectEndTag(end);
  return body;
}

StmtPtr Parser::ParseIf(Location loc) {
  const Token opener = Next();
  IfStmt stmt;
  ExprPtr cond = ParseExpression();
  ExpectEndTag("if");
  while (true) {
    Body body = ParseBody({"elif", "else", "endif"}, &opener);
    stmt.branches.emplace_back(std::move(cond), std::move(body));
    std::string tag = Next().text;
    if (tag == "elif") {
      cond = ParseExpression();
      ExpectEndTag("elif");
      continue;
    }
    if (tag == "else") {
      ExpectEndTag("else");
      stmt.otherwise = ParseBody({"endif"}, &opener);
      Next();
    }
    ExpectEndTag("endif");
    return MakeStmt(loc, std::move(stmt));
  }
}

StmtPtr Parser::ParseFor(Location loc) {
  const Token opener = Next();
  ForStmt stmt;
  do {
    stmt.targets.push_back(ExpectName());
  } while (AcceptOp(","));
  if (!AcceptName("in")) FailUnexpected("'in'");
  // ParseOr, not ParseExpression: a trailing `if` is the loop filter
  // (`for x in xs if x`), not an inline `a if b else c`.
  stmt.iterable = ParseOr();
  if (AcceptName("if")) stmt.filter = ParseExpression();
  ExpectEndTag("for");
  ++loop_depth_;
  stmt.body = ParseBody({"else", "endfor"}, &opener);
  --loop_depth_;
  if (Next().text == "else") {
    ExpectEndTag("else");
    stmt.otherwise = ParseBody({"endfor"}, &opener);
    Next();
  }
  ExpectEndTag("endfor");
  return MakeStmt(loc, std::move(stmt));
}

StmtPtr Parser::ParseSet(Location loc) {
  const Token opener = Next();
  SetStmt stmt;
  stmt.targets.push_back(ExpectName());
  if (AcceptOp(".")) {
    stmt.attribute = ExpectName();
  } else {
    while (AcceptOp(",")) stmt.targets.push_back(ExpectName());
  }
  if (Peek().kind == TokenKind::kBlockEnd && stmt.targets.size() == 1 && stmt.attribute.empty()) {
    SetBlockStmt block{stmt.targets[0], ParseBlockBody(opener, "endset")};
    return MakeStmt(loc, std::move(block));
  }
  ExpectOp("=");
  stmt.value = ParseTuple();
  ExpectEndTag("set");
  return MakeStmt(loc, std::move(stmt));
}

std::vector<Param> Parser::ParseParams() {
  std::vector<Param> params;
  ExpectOp("(");
  while (!AcceptOp(")")) {
    if (!params.empty()) ExpectOp(",");
    Param param{ExpectName(), nullptr};
    if (AcceptOp("=")) param.default_value = ParseExpression();
    params.push_back(std::move(param));
  }
  return params;
}

StmtPtr Parser::ParseMacro(Location loc, std::string_view prefix, std::string_view end_tag) {
  const Token opener = Next();
  MacroStmt stmt;
  stmt.name = std::string(prefix) + ExpectName();
  stmt.params = ParseParams();
  // A macro body starts outside any loop: `break` cannot leave the macro.
  int saved_depth = std::exchange(loop_depth_, 0);
  stmt.body = ParseBlockBody(opener, end_tag);
  loop_depth_ = saved_depth;
  return MakeStmt(loc, std::move(stmt));
}

StmtPtr Parser::ParseCallBlock(Location loc) {
  const Token opener = Next();
  CallBlockStmt stmt;
  if (IsOp("(")) stmt.caller_params = ParseParams();
  stmt.call = ParseExpression();
  if (!std::holds_alternative<CallExpr>(stmt.call->node)) {
    Fail(stmt.call->location, "a call block needs a macro call, e.g. {% call my_macro() %}");
  }
  stmt.body = ParseBlockBody(opener, "endcall");
  return MakeStmt(loc, std::move(stmt));
}

StmtPtr Parser::ParseFilterBlock(Location loc) {
  const Token opener = Next();
  FilterBlockStmt stmt;
  do {
    std::string name = ExpectName();
    Args args;
    if (AcceptOp("(")) args = ParseCallArgs();
    stmt.filters.emplace_back(std::move(name), std::move(args));
  } while (AcceptOp("|"));
  stmt.body = ParseBlockBody(opener, "endfilter");
  return MakeStmt(loc, std::move(stmt));
}

}  // namespace wharf::models::jinja
