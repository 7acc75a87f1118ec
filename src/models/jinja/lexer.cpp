#include "models/jinja/lexer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/error.hpp"

namespace wharf::models::jinja {

std::string Where(const std::string& name, Location location) {
  return fmt::format("{}:{}:{}", name, location.line, location.column);
}

namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool IsDigit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// Longest operators first so "**" wins over "*".
constexpr std::string_view kOperators[] = {"**", "//", "==", "!=", "<=", ">=", "<", ">", "+",
                                           "-",  "*",  "/",  "%",  "~",  "|",  ".", ",", ":",
                                           "(",  ")",  "[",  "]",  "{",  "}",  "="};

class Lexer {
 public:
  Lexer(std::string_view source, const std::string& name) : src_(source), name_(name) {}

  std::vector<Token> Run() {
    while (pos_ < src_.size()) {
      size_t tag = FindTag(pos_);
      EmitText(pos_, tag, tag < src_.size() && src_[tag + 2] == '-');
      if (tag >= src_.size()) break;
      char kind = src_[tag + 1];
      if (kind == '#') {
        SkipComment(tag);
      } else {
        LexTag(tag, kind == '{');
      }
    }
    tokens_.push_back({TokenKind::kEnd, "", LocationOf(src_.size())});
    return std::move(tokens_);
  }

 private:
  // Line and column of `offset`. Offsets mostly grow as lexing goes, so this
  // walks on from the previous answer instead of rescanning from the start.
  Location LocationOf(size_t offset) const {
    if (offset < cursor_offset_) {
      cursor_offset_ = 0;
      cursor_ = Location{};
    }
    for (; cursor_offset_ < offset && cursor_offset_ < src_.size(); ++cursor_offset_) {
      if (src_[cursor_offset_] == '\n') {
        ++cursor_.line;
        cursor_.column = 1;
      } else {
        ++cursor_.column;
      }
    }
    return cursor_;
  }

  [[noreturn]] void Fail(size_t offset, const std::string& message) const {
    throw Error(ErrorKind::kConfig, Where(name_, LocationOf(offset)) + ": " + message);
  }

  // Offset of the next "{{", "{%" or "{#", or src_.size().
  size_t FindTag(size_t from) const {
    for (size_t i = src_.find('{', from); i != std::string_view::npos; i = src_.find('{', i + 1)) {
      if (i + 1 < src_.size() && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) {
        // "{{-" needs a third character to look at; pad the check.
        if (i + 2 >= src_.size()) Fail(i, "unclosed tag at the end of the template");
        return i;
      }
    }
    return src_.size();
  }

  void EmitText(size_t begin, size_t end, bool strip_right) {
    std::string_view text = src_.substr(begin, end - begin);
    if (strip_next_text_) {
      while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
    }
    if (strip_right) {
      while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
    }
    strip_next_text_ = false;
    if (!text.empty()) {
      size_t offset = static_cast<size_t>(text.data() - src_.data());
      tokens_.push_back({TokenKind::kText, std::string(text), LocationOf(offset)});
    }
  }

  void SkipComment(size_t tag) {
    size_t close = src_.find("#}", tag + 2);
    if (close == std::string_view::npos) Fail(tag, "comment '{#' is never closed: add '#}'");
    strip_next_text_ = close > tag + 2 && src_[close - 1] == '-';
    pos_ = close + 2;
  }

  // Lexes one `{{ ... }}` or `{% ... %}` tag starting at `tag`.
  void LexTag(size_t tag, bool is_var) {
    size_t first = tokens_.size();
    tokens_.push_back(
        {is_var ? TokenKind::kVarBegin : TokenKind::kBlockBegin, "", LocationOf(tag)});
    pos_ = tag + 2 + (src_[tag + 2] == '-' ? 1 : 0);
    const char close_char = is_var ? '}' : '%';
    int depth = 0;  // open brackets: "}}" inside `{{ {'a': {'b': 1}} }}` closes dicts
    while (true) {
      while (pos_ < src_.size() && IsSpace(src_[pos_])) ++pos_;
      if (pos_ >= src_.size()) {
        Fail(tag, fmt::format("tag '{}' is never closed: add '{}'", is_var ? "{{" : "{%",
                              is_var ? "}}" : "%}"));
      }
      bool minus = src_[pos_] == '-';
      size_t at = pos_ + (minus ? 1 : 0);
      if (depth == 0 && at + 1 < src_.size() && src_[at] == close_char && src_[at + 1] == '}') {
        tokens_.push_back(
            {is_var ? TokenKind::kVarEnd : TokenKind::kBlockEnd, "", LocationOf(pos_)});
        strip_next_text_ = minus;
        pos_ = at + 2;
        break;
      }
      LexToken(depth);
    }
    if (!is_var && tokens_.size() == first + 3 && tokens_[first + 1].kind == TokenKind::kName &&
        tokens_[first + 1].text == "raw") {
      tokens_.resize(first);
      LexRaw(tag);
    }
  }

  // After `{% raw %}`: everything up to `{% endraw %}` is text.
  void LexRaw(size_t tag) {
    for (size_t at = src_.find("{%", pos_); at != std::string_view::npos;
         at = src_.find("{%", at + 2)) {
      size_t i = at + 2 + (at + 2 < src_.size() && src_[at + 2] == '-' ? 1 : 0);
      while (i < src_.size() && IsSpace(src_[i])) ++i;
      if (src_.substr(i, 6) != "endraw") continue;
      i += 6;
      while (i < src_.size() && IsSpace(src_[i])) ++i;
      bool minus = i < src_.size() && src_[i] == '-';
      if (src_.substr(i + (minus ? 1 : 0), 2) != "%}") continue;
      EmitText(pos_, at, src_[at + 2] == '-');
      strip_next_text_ = minus;
      pos_ = i + (minus ? 1 : 0) + 2;
      return;
    }
    Fail(tag, "'{% raw %}' is never closed: add '{% endraw %}'");
  }

  void LexToken(int& depth) {
    size_t start = pos_;
    char c = src_[pos_];
    if (IsNameStart(c)) {
      while (pos_ < src_.size() && IsNameChar(src_[pos_])) ++pos_;
      Push(TokenKind::kName, std::string(src_.substr(start, pos_ - start)), start);
    } else if (IsDigit(c)) {
      LexNumber();
    } else if (c == '\'' || c == '"') {
      LexString();
    } else {
      for (std::string_view op : kOperators) {
        if (src_.substr(pos_, op.size()) == op) {
          if (op == "(" || op == "[" || op == "{") ++depth;
          if (op == ")" || op == "]" || op == "}") depth = std::max(0, depth - 1);
          pos_ += op.size();
          Push(TokenKind::kOperator, std::string(op), start);
          return;
        }
      }
      Fail(start, fmt::format("unexpected character '{}' inside a tag", c));
    }
  }

  void LexNumber() {
    size_t start = pos_;
    bool is_float = false;
    auto digits = [&] {
      while (pos_ < src_.size() && (IsDigit(src_[pos_]) || src_[pos_] == '_')) ++pos_;
    };
    digits();
    if (pos_ + 1 < src_.size() && src_[pos_] == '.' && IsDigit(src_[pos_ + 1])) {
      is_float = true;
      ++pos_;
      digits();
    }
    if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
      size_t save = pos_++;
      if (pos_ < src_.size() && (src_[pos_] == '+' || src_[pos_] == '-')) ++pos_;
      if (pos_ < src_.size() && IsDigit(src_[pos_])) {
        is_float = true;
        digits();
      } else {
        pos_ = save;
      }
    }
    std::string text(src_.substr(start, pos_ - start));
    std::erase(text, '_');
    Push(is_float ? TokenKind::kFloat : TokenKind::kInt, std::move(text), start);
  }

  void LexString() {
    size_t start = pos_;
    char quote = src_[pos_++];
    std::string value;
    while (pos_ < src_.size() && src_[pos_] != quote) {
      char c = src_[pos_++];
      if (c != '\\' || pos_ >= src_.size()) {
        value += c;
        continue;
      }
      char e = src_[pos_++];
      switch (e) {
        case 'n':
          value += '\n';
          break;
        case 't':
          value += '\t';
          break;
        case 'r':
          value += '\r';
          break;
        case '\\':
          value += '\\';
          break;
        case '\'':
          value += '\'';
          break;
        case '"':
          value += '"';
          break;
        default:
          value += '\\';
          value += e;  // Python keeps unknown escapes as written
      }
    }
    if (pos_ >= src_.size()) Fail(start, "string literal is never closed: add the closing quote");
    ++pos_;
    Push(TokenKind::kString, std::move(value), start);
  }

  void Push(TokenKind kind, std::string text, size_t offset) {
    tokens_.push_back({kind, std::move(text), LocationOf(offset)});
  }

  std::string_view src_;
  const std::string& name_;
  size_t pos_ = 0;
  bool strip_next_text_ = false;  // the previous tag ended with "-}}", "-%}" or "-#}"
  std::vector<Token> tokens_;
  mutable size_t cursor_offset_ = 0;  // LocationOf's memo: cursor_ is the location of this offset
  mutable Location cursor_;
};

}  // namespace

std::vector<Token> Tokenize(std::string_view source, const std::string& name) {
  return Lexer(source, name).Run();
}

}  // namespace wharf::models::jinja
