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
