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

}  // namespace
}  // namespace wharf::validate
