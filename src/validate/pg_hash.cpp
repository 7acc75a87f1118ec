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
  // Base-10000 digits, least significant first, aligned at the decimal point:
  // with the scale padded to a multiple of four, the lowest digit takes the
  // value's last 4 - pad decimal digits, times 10^pad.
  static constexpr uint32_t kPow[] = {1, 10, 100, 1000, 10000};
  const int pad = (4 - scale % 4) % 4;
  uint16_t digits[12];
  int n = 0;
  digits[n++] = static_cast<uint16_t>(static_cast<uint32_t>(magnitude % kPow[4 - pad]) * kPow[pad]);
  magnitude /= kPow[4 - pad];
  for (; magnitude > UINT64_MAX; magnitude /= 10000) digits[n++] = static_cast<uint16_t>(magnitude % 10000);
  for (auto m = static_cast<uint64_t>(magnitude); m != 0; m /= 10000) digits[n++] = static_cast<uint16_t>(m % 10000);
  // The hash covers the digits from the first to the last non-zero one,
  // most significant first; the weight is the first one's power of 10000.
  int low = 0;
  while (digits[low] == 0) ++low;
  const int weight = n - 1 - (scale + pad) / 4;
  // NumericDigit is an int16 in the machine's (little-endian) byte order.
  unsigned char bytes[24];
  size_t len = 0;
  for (int i = n - 1; i >= low; --i) {
    bytes[len++] = static_cast<unsigned char>(digits[i] & 0xff);
    bytes[len++] = static_cast<unsigned char>(digits[i] >> 8);
  }
  const auto hash = static_cast<uint64_t>(PgHashTextExtended({reinterpret_cast<const char*>(bytes), len}, seed));
  return static_cast<int64_t>(hash ^ static_cast<uint64_t>(static_cast<int64_t>(weight)));
}

}  // namespace wharf::validate
