#pragma once
// One converter per logical type: PostgreSQL's text output (under wharf's fixed
// session settings: DateStyle=ISO, IntervalStyle=postgres, TimeZone=UTC,
// extra_float_digits=3, bytea_output=hex) to a typed Value. Pure: no I/O.
// Arrays (kList) are parsed from their text and each element converted with the
// element type's converter, so full-load and streamed arrays meet the same rules.
//
// A text the target type cannot hold (numeric NaN, too many digits, a date
// out of range) is not an error of wharf: it is returned as a rejection with a
// reason, so the loader stores NULL and records it in _wharf.rejects.
#include <optional>
#include <string>
#include <string_view>

#include "core/pg_types.hpp"
#include "core/value.hpp"

namespace wharf::core {

struct ConvertResult {
  Value value;                        // monostate when rejected
  std::optional<std::string> reject;  // why the value could not be held
};

ConvertResult ConvertText(const LogicalType& type, std::string_view text);

}  // namespace wharf::core
