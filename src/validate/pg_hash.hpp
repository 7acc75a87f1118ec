#pragma once
// PostgreSQL's 64-bit text hash, hashtextextended(text, 0), computed outside
// PostgreSQL: validate hashes each row's canonical text with it on the source
// (in SQL, where it is cheap: md5() costs ~20x more per row on PostgreSQL 15)
// and on DuckDB (a scalar function wharf registers), so the two sides' sums
// can be compared. Pure.
#include <cstdint>
#include <string_view>

namespace wharf::validate {

// hash_bytes_extended(bytes, len, seed 0) of PostgreSQL's src/common/hashfn.c
// (Bob Jenkins' lookup3) on a little-endian machine, as the signed bigint
// hashtextextended returns. Equal to hashtextextended(t, 0) for a text t in a
// deterministic collation whose bytes are `bytes`.
int64_t PgHashTextExtended(std::string_view bytes);

}  // namespace wharf::validate
