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

// The inverse: appends `value` as one COPY text field (\N for NULL; backslash,
// tab, newline and carriage return escaped) to `out`, without a separator.
void AppendCopyTextField(std::string& out, const std::optional<std::string>& value);

}  // namespace wharf::pg
