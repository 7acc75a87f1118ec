#pragma once
// A PostgreSQL WAL position. A strong type so an LSN is never mixed up with a
// count or a sequence number; printed and parsed as PostgreSQL does ("16/B374D848").
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wharf {

class Lsn {
 public:
  constexpr Lsn() = default;
  constexpr explicit Lsn(uint64_t value) : value_(value) {}
  constexpr uint64_t value() const { return value_; }
  constexpr bool IsValid() const { return value_ != 0; }
  constexpr auto operator<=>(const Lsn&) const = default;

  std::string ToString() const;
  // Parses "X/X" (hex halves). Returns nullopt on anything else.
  static std::optional<Lsn> Parse(std::string_view text);

 private:
  uint64_t value_ = 0;
};

}  // namespace wharf
