// validate's copy of PostgreSQL's hashtextextended(text, 0) against values
// PostgreSQL 15 computed (SELECT hashtextextended(t, 0)), at every tail length.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "validate/pg_hash.hpp"

namespace wharf::validate {
namespace {

TEST(PgHash, EqualsPostgresHashtextextended) {
  const std::string alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
  const std::pair<size_t, int64_t> expected[] = {
      {1, 2234665679637250028},   {4, 2979314055664268724},   {5, 2800302940355005254},
      {8, 2898426038703043638},   {9, 9090347084501949878},   {11, -2337649911100070775},
      {12, -300982144080685429},  {13, 4688655838450958077},  {24, 6260941006295183541},
      {25, -2015381710355490121}, {36, 2599983508539421163},
  };
  for (const auto& [length, hash] : expected) EXPECT_EQ(PgHashTextExtended(alphabet.substr(0, length)), hash) << length;
  EXPECT_EQ(PgHashTextExtended(""), -6939563903564495251);
  EXPECT_EQ(PgHashTextExtended("abc"), -6747756470228489321);
  // UTF-8 bytes, as the source's UTF8 database holds them.
  EXPECT_EQ(PgHashTextExtended("héllo ☃ 😀 long text here!"), -1229934892859696429);
  EXPECT_EQ(PgHashTextExtended("1|2|N|5:héllo"), 3668707960096386992);
  // Seeded: hashtextextended(t, seed).
  EXPECT_EQ(PgHashTextExtended("abc", 42), 4423357919252764502);
  EXPECT_EQ(PgHashTextExtended("", -1), -5142811166230430645);
  EXPECT_EQ(PgHashTextExtended(alphabet.substr(0, 20), 6148914691236517205), 3593527718136413472);
}

// SELECT hashint8extended(v, seed) on PostgreSQL 15, at the folding's edges.
TEST(PgHash, EqualsPostgresHashint8extended) {
  EXPECT_EQ(PgHashInt8Extended(0, 0), 4154612158245552303);
  EXPECT_EQ(PgHashInt8Extended(42, 7), 3069212791777980624);  // = hashint4extended(42, 7)
  EXPECT_EQ(PgHashInt8Extended(-1, 0), -1888257769727981238);
  EXPECT_EQ(PgHashInt8Extended(INT64_MAX, 3), -124990060218659787);
  EXPECT_EQ(PgHashInt8Extended(INT64_MIN, -5), -6338950646891332599);
  EXPECT_EQ(PgHashInt8Extended(5000000000, 12345678901234), 1078053080794501755);
  // timestamp_hash_extended('2000-01-01 00:00:01', 0): one second past PostgreSQL's epoch.
  EXPECT_EQ(PgHashInt8Extended(1000000, 0), 8952854757942890677);
}

// SELECT hash_numeric_extended(v, seed) on PostgreSQL 15: zero, fractions
// within one base-10000 digit and across several, trailing zero digits, the
// widest DECIMAL. The sign is not hashed (-1.25 hashes as 1.25).
TEST(PgHash, EqualsPostgresHashNumericExtended) {
  using u128 = unsigned __int128;
  EXPECT_EQ(PgHashNumericExtended(0, 2, 7), 6);
  EXPECT_EQ(PgHashNumericExtended(125, 2, 7), 422023989107717218);
  EXPECT_EQ(PgHashNumericExtended(123456789, 4, 0), -7480115461366660631);
  EXPECT_EQ(PgHashNumericExtended(1, 4, 3), 5595585668105564700);
  EXPECT_EQ(PgHashNumericExtended(100000000, 0, 3), -5595585668105564703);
  EXPECT_EQ(PgHashNumericExtended(1, 20, 11), 2143542887639231963);
  const u128 wide = static_cast<u128>(12345678901234567890ull) * 1000000000000000000ull + 123456789123456789ull;  // 38 digits
  EXPECT_EQ(PgHashNumericExtended(wide, 9, 5), 7629970397298193517);
  EXPECT_EQ(PgHashNumericExtended(5, 1, -9), -1060573519964636937);
  EXPECT_EQ(PgHashNumericExtended(9999999999, 2, 42), 5070074407944936687);
  EXPECT_EQ(PgHashNumericExtended(110, 2, 1), 8021785944447374514) << "1.10 as 1.1";
  EXPECT_EQ(PgHashNumericExtended(10001, 1, 1), -9005424872911865469);
  // 38 digits: all fraction, all integer, the largest, the smallest.
  const u128 digits38 = static_cast<u128>(1234567890123456789ull) * 10000000000000000000ull + 123456789012345678ull;
  EXPECT_EQ(PgHashNumericExtended(digits38, 38, 77), -3129778577515364799);
  EXPECT_EQ(PgHashNumericExtended(digits38, 0, 77), 2696477455649705092);
  u128 nines = 0;
  for (int i = 0; i < 38; ++i) nines = nines * 10 + 9;
  EXPECT_EQ(PgHashNumericExtended(nines, 0, -1), -6873517494101493613);
  EXPECT_EQ(PgHashNumericExtended(1, 38, 2), 2808276916609843635);
}

}  // namespace
}  // namespace wharf::validate
