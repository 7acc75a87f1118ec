#pragma once
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace wharf::test {

// Builds pgoutput payloads byte by byte, the way the server lays them out.
class Wire {
 public:
  explicit Wire(char type) { U8(static_cast<uint8_t>(type)); }

  Wire& U8(uint8_t v) {
    bytes_.push_back(v);
    return *this;
  }
  Wire& Ch(char c) { return U8(static_cast<uint8_t>(c)); }
  Wire& I16(int16_t v) { return BigEndian(static_cast<uint16_t>(v), 2); }
  Wire& I32(int32_t v) { return BigEndian(static_cast<uint32_t>(v), 4); }
  Wire& U32(uint32_t v) { return BigEndian(v, 4); }
  Wire& I64(int64_t v) { return BigEndian(static_cast<uint64_t>(v), 8); }
  Wire& Str(std::string_view s) {
    Raw(s);
    return U8(0);
  }
  Wire& Raw(std::string_view s) {
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    return *this;
  }
  // TupleData helpers.
  Wire& Cols(int16_t n) { return I16(n); }
  Wire& Null() { return Ch('n'); }
  Wire& Unchanged() { return Ch('u'); }
  Wire& Text(std::string_view s) {
    Ch('t').I32(static_cast<int32_t>(s.size()));
    return Raw(s);
  }
  Wire& Binary(std::string_view s) {
    Ch('b').I32(static_cast<int32_t>(s.size()));
    return Raw(s);
  }

  const std::vector<uint8_t>& bytes() const { return bytes_; }
  std::span<const uint8_t> span() const { return bytes_; }
  size_t size() const { return bytes_.size(); }

 private:
  Wire& BigEndian(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  std::vector<uint8_t> bytes_;
};

}  // namespace wharf::test
