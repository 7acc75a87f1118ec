// Generic test names and unique_id hashes exactly as dbt-core computes them
// (core/dbt/parser/generic_test_builders.py: synthesize_generic_test_names;
// core/dbt/parser/schema_generic_tests.py: create_test_node), so test names,
// `--select` by name and stored-failure tables match a dbt run's.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "models/project/internal.hpp"

namespace wharf::models::project {

namespace {

using jinja::Dict;
using jinja::Value;

// re.sub("[^0-9a-zA-Z_]+", "_", s)
std::string CleanArg(const std::string& s) {
  std::string out;
  bool in_run = false;
  for (char c : s) {
    bool ok =
        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (ok)
      out += c;
    else if (!in_run)
      out += '_';
    in_run = !ok;
  }
  return out;
}

// Python's repr() of a str: single quotes unless the text has ' and no ".
std::string PyStrRepr(const std::string& s) {
  char quote = s.find('\'') != s.npos && s.find('"') == s.npos ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : s) {
    if (c == quote || c == '\\')
      out += '\\', out += static_cast<char>(c);
    else if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += "\\t";
    else if (c < 0x20 || c == 0x7f)
      out += fmt::format("\\x{:02x}", c);
    else
      out += static_cast<char>(c);
  }
  return out + quote;
}

// dbt's get_hashable_md: dicts with sorted keys, lists kept, all else str().
Value Hashable(const Value& v) {
  if (v.IsDict()) {
    std::vector<std::string> keys;
    for (const auto& [k, _] : v.AsDict()) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    Dict out;
    for (const auto& k : keys) out.Set(k, Hashable(*v.AsDict().Find(k)));
    return Value(std::move(out));
  }
  if (v.IsList()) {
    jinja::List out;
    for (const auto& item : v.AsList()) out.push_back(Hashable(item));
    return Value(std::move(out));
  }
  return Value(PyStr(v));
}

// ---- MD5 (RFC 1321), as dbt.utils.md5: hex of the UTF-8 bytes ----

uint32_t RotateLeft(uint32_t x, int c) { return (x << c) | (x >> (32 - c)); }

void Md5Block(uint32_t state[4], const unsigned char* block) {
  static const uint32_t k[64] = {
      0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
      0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
      0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
      0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
      0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
      0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
      0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
      0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
      0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
      0xeb86d391};
  static const int r[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                            5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                            4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                            6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
  uint32_t w[16];
  for (int i = 0; i < 16; ++i)
    w[i] = uint32_t(block[i * 4]) | uint32_t(block[i * 4 + 1]) << 8 |
           uint32_t(block[i * 4 + 2]) << 16 | uint32_t(block[i * 4 + 3]) << 24;
  uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  for (int i = 0; i < 64; ++i) {
    uint32_t f;
    int g;
    if (i < 16)
      f = (b & c) | (~b & d), g = i;
    else if (i < 32)
      f = (d & b) | (~d & c), g = (5 * i + 1) % 16;
    else if (i < 48)
      f = b ^ c ^ d, g = (3 * i + 5) % 16;
    else
      f = c ^ (b | ~d), g = (7 * i) % 16;
    uint32_t next = d;
    d = c;
    c = b;
    b = b + RotateLeft(a + f + k[i] + w[g], r[i]);
    a = next;
  }
  state[0] += a, state[1] += b, state[2] += c, state[3] += d;
}

}  // namespace

std::string Md5Hex(std::string_view data) {
  uint32_t state[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  std::string msg(data);
  uint64_t bits = static_cast<uint64_t>(msg.size()) * 8;
  msg += static_cast<char>(0x80);
  while (msg.size() % 64 != 56) msg += '\0';
  for (int i = 0; i < 8; ++i) msg += static_cast<char>((bits >> (8 * i)) & 0xff);
  for (size_t i = 0; i < msg.size(); i += 64)
    Md5Block(state, reinterpret_cast<const unsigned char*>(msg.data() + i));
  std::string out;
  for (uint32_t word : state)
    for (int i = 0; i < 4; ++i) out += fmt::format("{:02x}", (word >> (8 * i)) & 0xff);
  return out;
}

std::string PyStr(const Value& v) {
  if (v.IsString()) return v.AsString();
  if (v.IsList() || v.IsDict()) return PyRepr(v);
  return v.Str();  // None, True, 3, 2.5: as Python prints them
}

std::string PyRepr(const Value& v) {
  if (v.IsString()) return PyStrRepr(v.AsString());
  if (v.IsList()) {
    std::string out;
    for (const auto& item : v.AsList()) out += (out.empty() ? "" : ", ") + PyRepr(item);
    return "[" + out + "]";
  }
  if (v.IsDict()) {
    std::string out;
    for (const auto& [k, item] : v.AsDict())
      out += (out.empty() ? "" : ", ") + PyStrRepr(k) + ": " + PyRepr(item);
    return "{" + out + "}";
  }
  return v.Str();
}

std::pair<std::string, std::string> SynthesizeTestNames(const std::string& test_type,
                                                        const std::string& target_name,
                                                        const Dict& args) {
  std::vector<std::string> names;
  for (const auto& [k, _] : args)
    if (k != "model") names.push_back(k);  // the model is already in the name
  std::sort(names.begin(), names.end());
  std::string unique;  // "__".join of every argument's parts, cleaned
  bool first = true;
  for (const auto& name : names) {
    const Value& arg = *args.Find(name);
    std::vector<Value> parts;
    if (arg.IsDict()) {
      for (const auto& [_, v] : arg.AsDict()) parts.push_back(v);
    } else if (arg.IsList()) {
      parts = arg.AsList();
    } else {
      parts = {arg};
    }
    for (const auto& part : parts) {
      if (!first) unique += "__";
      first = false;
      unique += CleanArg(PyStr(part));
    }
  }
  std::string identifier = test_type + "_" + target_name;
  std::string full = identifier + "_" + unique;
  // The compiled file and alias must stay under 64 characters.
  if (full.size() < 64) return {full, full};
  return {identifier.substr(0, 30) + "_" + Md5Hex(full), full};
}

std::string TestHash(const std::string& node_name, const std::string& namespace_,
                     const std::string& test_name, const Dict& kwargs_with_model) {
  Dict metadata{{"namespace", namespace_.empty() ? Value() : Value(namespace_)},
                {"name", test_name},
                {"kwargs", kwargs_with_model}};
  std::string md5 = Md5Hex(node_name + PyRepr(Hashable(Value(std::move(metadata)))));
  return md5.substr(md5.size() - 10);
}

}  // namespace wharf::models::project
