#pragma once
// Parser for one row of PostgreSQL's COPY text format: fields separated by
// tabs, \N for NULL, backslash escapes (\b \f \n \r \t \v \\ \ooo \xhh).
// Pure; throws wharf::Error(kProtocol) on a malformed row.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wharf::pg {

// Parses `line` (with or without its trailing newline) into `out`, reusing its
// storage. Expects exactly `expected_columns` fields when it is not zero.
void ParseCopyTextRow(std::string_view line, std::vector<std::optional<std::string>>& out,
                      size_t expected_columns = 0);

// The errors ParseCopyTextRow throws (kProtocol), for code that reads COPY
// text its own way and must fail alike.
[[noreturn]] void FailCopyTextLoneBackslash();
void CheckCopyTextFieldCount(size_t fields, size_t expected);  // expected 0: any count

// Decodes the escape whose backslash is just before `p` (p < end): returns the
// byte it stands for and moves `p` past it. \b \f \n \r \t \v; \ooo (1 to 3
// octal digits, the value cut to a byte); \xhh (1 or 2 hex digits; \x without
// one is 'x'); any other character stands for itself (\\ is a backslash).
// The one decoder of COPY escapes: ParseCopyTextRow and the staging
// transcoders (staging/copy_transcode.hpp) both use it.
inline char DecodeCopyTextEscape(const char*& p, const char* end) {
  auto hex = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  char e = *p++;
  switch (e) {
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'v': return '\v';
    case 'x': {
      int v = 0, n = 0;
      while (n < 2 && p < end && hex(*p) >= 0) {
        v = v * 16 + hex(*p++);
        ++n;
      }
      return n == 0 ? 'x' : static_cast<char>(v);
    }
    default:
      if (e >= '0' && e <= '7') {
        int v = e - '0', n = 1;
        while (n < 3 && p < end && *p >= '0' && *p <= '7') {
          v = v * 8 + (*p++ - '0');
          ++n;
        }
        return static_cast<char>(v);
      }
      return e;
  }
}

// The fields of one COPY text line, one at a time, without building a row:
// what ParseCopyTextRow and the staging encoders that transcode a line
// straight to their format (staging/copy_transcode.hpp) share. A field
// without escapes is a view of the line itself; an escaped one is unescaped
// into a buffer the splitter reuses.
class CopyTextFields {
 public:
  // `line` (one trailing newline is ignored) must outlive the splitter.
  explicit CopyTextFields(std::string_view line);
  // Steps to the next field; false after the last. Throws kProtocol on a
  // malformed field (a lone trailing backslash).
  bool Next();
  bool null() const { return null_; }
  // The current field's value (empty for NULL); valid until the next Next().
  std::string_view value() const { return value_; }
  size_t count() const { return count_; }  // fields stepped to so far
  // Throws kProtocol unless the line had `expected` fields (0: any number).
  void CheckCount(size_t expected) const;

 private:
  std::string_view line_;
  size_t pos_ = 0;
  bool done_ = false;
  size_t count_ = 0;
  bool null_ = false;
  std::string_view value_;
  std::string unescaped_;
};

// The inverse: appends `value` as one COPY text field (\N for NULL; backslash,
// tab, newline and carriage return escaped) to `out`, without a separator.
void AppendCopyTextField(std::string& out, const std::optional<std::string>& value);

}  // namespace wharf::pg
