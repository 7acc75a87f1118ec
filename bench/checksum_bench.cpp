// Checksum of staged files: SHA-256 (what manifests recorded before) against
// XXH3-128 (what they record now), over the same 256 MiB buffer fed in 1 MiB
// pieces, as EncodingWriter and HashingReader feed them. Prints MB/s of each
// (best of several passes), the ratio, and what each costs per staged row of
// the full-load benchmark (~290 bytes of JSON line a row, hashed once when
// written and once when loaded).
//
// Run: build/bench/wharf_checksum_bench [MiB] [passes]   (defaults 256 and 3)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>

#include "staging/codec.hpp"

namespace {

using wharf::staging::Checksum;
using wharf::staging::ChecksumAlgo;
using wharf::staging::ChecksumAlgoName;

constexpr size_t kPiece = size_t{1} << 20;
constexpr double kRowBytes = 290;

// Bytes like a staged file's: compressed, so close to random.
std::string Buffer(size_t bytes) {
  std::mt19937_64 rng(7);
  std::string out(bytes, '\0');
  for (size_t i = 0; i + 8 <= bytes; i += 8) {
    uint64_t v = rng();
    for (int b = 0; b < 8; ++b) out[i + b] = static_cast<char>(v >> (8 * b));
  }
  return out;
}

struct Result {
  double mb_per_s;
  std::string digest;
};

Result Measure(ChecksumAlgo algo, std::string_view data, int passes) {
  Result best{0, ""};
  for (int p = 0; p < passes; ++p) {
    auto start = std::chrono::steady_clock::now();
    Checksum sum(algo);
    for (size_t i = 0; i < data.size(); i += kPiece) sum.Update(data.substr(i, kPiece));
    std::string digest = sum.Finish();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double mb_per_s = static_cast<double>(data.size()) / 1e6 / s;
    if (mb_per_s > best.mb_per_s) best = {mb_per_s, digest};
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  size_t mb = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 256;
  int passes = argc > 2 ? std::atoi(argv[2]) : 3;
  if (mb == 0 || passes <= 0) {
    std::fprintf(stderr, "usage: %s [MiB > 0] [passes > 0]\n", argv[0]);
    return 2;
  }
  std::string data = Buffer(mb << 20);
  Result sha = Measure(ChecksumAlgo::kSha256, data, passes);
  Result xxh = Measure(ChecksumAlgo::kXxh128, data, passes);
  std::printf("checksum of %zu MiB in 1 MiB pieces, best of %d passes:\n", mb, passes);
  for (auto [algo, r] : {std::pair{ChecksumAlgo::kSha256, sha}, std::pair{ChecksumAlgo::kXxh128, xxh}}) {
    std::printf("  %-6s %9.0f MB/s  %6.3f us per %g-byte row  (%s...)\n",
                ChecksumAlgoName(algo).c_str(), r.mb_per_s, kRowBytes / r.mb_per_s, kRowBytes,
                r.digest.substr(0, 23).c_str());
  }
  std::printf("xxh128 / sha256 throughput: %.1f\n", xxh.mb_per_s / sha.mb_per_s);
  return 0;
}
