#pragma once
// PostgreSQL's 64-bit hashes of text and of bigint, hashtextextended(text,
// seed), hashint8extended(bigint, seed) and hash_numeric_extended(numeric,
// seed), computed outside PostgreSQL:
// validate hashes each column of a row with them on the source (in SQL, where
// they are cheap: md5() costs ~20x more per row on PostgreSQL 15) and on
// DuckDB (scalar functions wharf registers), so the two sides' sums can be
// compared. Pure.
#include <cstdint>
#include <string_view>

namespace wharf::validate {

// hash_bytes_extended(bytes, len, seed) of PostgreSQL's src/common/hashfn.c
// (Bob Jenkins' lookup3) on a little-endian machine, as the signed bigint
// hashtextextended returns. Equal to hashtextextended(t, seed) for a text t
// in a deterministic collation whose bytes are `bytes`.
int64_t PgHashTextExtended(std::string_view bytes, int64_t seed = 0);

// hashint8extended(value, seed) of PostgreSQL's src/backend/access/hash/hashfunc.c:
// the value folded into 32 bits (so that an int4 of the same value hashes
// alike), then hash_bytes_uint32_extended. timestamp_hash_extended is this
// function of the timestamp's microseconds since 2000-01-01.
int64_t PgHashInt8Extended(int64_t value, int64_t seed);

// hash_numeric_extended(value, seed) of PostgreSQL's numeric.c for the value
// magnitude * 10^-scale (a DECIMAL's unscaled integer, without its sign: the
// function ignores the sign, and so does this). PostgreSQL keeps a numeric as
// base-10000 digits aligned at the decimal point; the hash covers them
// without leading and trailing zero digits, xor-ed with the first one's
// weight. Zero hashes to seed - 1. `scale` is 0..38.
int64_t PgHashNumericExtended(unsigned __int128 magnitude, int scale, int64_t seed);

}  // namespace wharf::validate
