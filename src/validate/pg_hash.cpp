#include "validate/pg_hash.hpp"

#include <bit>

namespace wharf::validate {
namespace {

// lookup3's two mixing steps (PostgreSQL's mix() and final()).
// clang-format off
void Mix(uint32_t& a, uint32_t& b, uint32_t& c) {
  a -= c; a ^= std::rotl(c, 4);  c += b;
  b -= a; b ^= std::rotl(a, 6);  a += c;
  c -= b; c ^= std::rotl(b, 8);  b += a;
  a -= c; a ^= std::rotl(c, 16); c += b;
  b -= a; b ^= std::rotl(a, 19); a += c;
  c -= b; c ^= std::rotl(b, 4);  b += a;
}

void Final(uint32_t& a, uint32_t& b, uint32_t& c) {
  c ^= b; c -= std::rotl(b, 14);
  a ^= c; a -= std::rotl(c, 11);
  b ^= a; b -= std::rotl(a, 25);
  c ^= b; c -= std::rotl(b, 16);
  a ^= c; a -= std::rotl(c, 4);
  b ^= a; b -= std::rotl(a, 14);
  c ^= b; c -= std::rotl(b, 24);
}
// clang-format on

// `n` (at most 4) bytes as a little-endian word, starting at bit `shift`.
uint32_t Word(const unsigned char* p, size_t n, int shift = 0) {
  uint32_t w = 0;
  for (size_t i = 0; i < n; ++i) w += static_cast<uint32_t>(p[i]) << (8 * i + shift);
  return w;
}

// The seed as a 12-byte chunk of its own (seed 0: none).
void AddSeed(int64_t seed, uint32_t& a, uint32_t& b, uint32_t& c) {
  if (seed == 0) return;
  const auto s = static_cast<uint64_t>(seed);
  a += static_cast<uint32_t>(s >> 32);
  b += static_cast<uint32_t>(s);
  Mix(a, b, c);
}

int64_t Result(uint32_t b, uint32_t c) { return static_cast<int64_t>((static_cast<uint64_t>(b) << 32) | c); }

}  // namespace

int64_t PgHashTextExtended(std::string_view bytes, int64_t seed) {
  const auto* k = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t len = bytes.size();
  uint32_t a = 0x9e3779b9u + static_cast<uint32_t>(len) + 3923095u;
  uint32_t b = a, c = a;
  AddSeed(seed, a, b, c);
  // PostgreSQL reads aligned words or bytes depending on the pointer; on
  // little-endian both give these little-endian words.
  while (len >= 12) {
    a += Word(k, 4);
    b += Word(k + 4, 4);
    c += Word(k + 8, 4);
    Mix(a, b, c);
    k += 12;
    len -= 12;
  }
  // The last 11 bytes: the lowest byte of c is left for the length.
  if (len > 8) c += Word(k + 8, len - 8, 8);
  if (len > 4) b += Word(k + 4, len < 8 ? len - 4 : 4);
  if (len > 0) a += Word(k, len < 4 ? len : 4);
  Final(a, b, c);
  return Result(b, c);
}

int64_t PgHashInt8Extended(int64_t value, int64_t seed) {
  const auto v = static_cast<uint64_t>(value);
  const auto high = static_cast<uint32_t>(v >> 32);
  const uint32_t low = static_cast<uint32_t>(v) ^ (value >= 0 ? high : ~high);
  uint32_t a = 0x9e3779b9u + 4u + 3923095u;
  uint32_t b = a, c = a;
  AddSeed(seed, a, b, c);
  a += low;
  Final(a, b, c);
  return Result(b, c);
}

int64_t PgHashNumericExtended(unsigned __int128 magnitude, int scale, int64_t seed) {
  if (magnitude == 0) return static_cast<int64_t>(static_cast<uint64_t>(seed) - 1);
  // Decimal digits, least significant first: digit i stands for 10^(i - scale).
  uint8_t decimal[48];
  int count = 0;
  for (; magnitude != 0; magnitude /= 10) decimal[count++] = static_cast<uint8_t>(magnitude % 10);
  // Base-10000 digit g covers 10^(4g) to 10^(4g+3); g of the lowest and
  // highest decimal digits (floor division: fractions have negative g).
  auto group_of = [](int exponent) { return exponent >= 0 ? exponent / 4 : -((-exponent + 3) / 4); };
  const int low = group_of(-scale), high = group_of(count - 1 - scale);
  uint16_t groups[16] = {};  // most significant first
  for (int i = 0; i < count; ++i) {
    const int e = i - scale, g = group_of(e);
    static constexpr uint16_t kPow[] = {1, 10, 100, 1000};
    groups[high - g] = static_cast<uint16_t>(groups[high - g] + decimal[i] * kPow[e - 4 * g]);
  }
  int first = 0, last = high - low;
  while (groups[first] == 0) ++first;
  while (groups[last] == 0) --last;
  const int weight = high - first;
  // NumericDigit is an int16 in the machine's (little-endian) byte order.
  unsigned char bytes[32];
  for (int i = first; i <= last; ++i) {
    bytes[2 * (i - first)] = static_cast<unsigned char>(groups[i] & 0xff);
    bytes[2 * (i - first) + 1] = static_cast<unsigned char>(groups[i] >> 8);
  }
  const auto hash = static_cast<uint64_t>(
      PgHashTextExtended({reinterpret_cast<const char*>(bytes), static_cast<size_t>(2 * (last - first + 1))}, seed));
  return static_cast<int64_t>(hash ^ static_cast<uint64_t>(static_cast<int64_t>(weight)));
}

}  // namespace wharf::validate
