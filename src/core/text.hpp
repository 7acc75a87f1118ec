#pragma once
// Small text helpers shared by parsers in several stages.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

namespace wharf::core {

// Appends code point `cp` as UTF-8.
inline void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A TCP port number in [min_port, 65535] written in decimal, or nullopt.
inline std::optional<int> ParsePort(const std::string& text, int min_port = 1) {
  char* end = nullptr;
  long p = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end || p < min_port || p > 65535) return std::nullopt;
  return static_cast<int>(p);
}

}  // namespace wharf::core
