#!/usr/bin/env bash
# `wharf validate` on an equal table: rows per second, against references
# measured in the same run on the same machine: the source's plain
# `SELECT count(*)` (the least any comparison must read) and
# `COPY t TO '/dev/null'` (every value through its output function, once).
#
#   1. throwaway PostgreSQL 15 (scripts/pg-cluster.sh) in a temp dir on a free port
#   2. public.t (id bigint pk, i int, t text, n numeric(12,2), ts timestamptz)
#      of ROWS rows, VACUUM ANALYZE
#   3. `wharf run --once`: the full load into TARGET (not timed for the ratio)
#   4. the references, each the best of RUNS
#   5. `wharf validate --json` (best of RUNS): must report the table equal
#
# Environment: TARGET (duckdb, or postgres: a warehouse database on the same
# cluster), WHARF (binary, default build/wharf), ROWS (10000000), RUNS (2),
# PORT (first port to try), KEEP=1 keeps the work dir, BENCH_DIR (work dir;
# default a new dir under /tmp). Exit status 0 when validate reported equal.
set -euo pipefail
{
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHARF="${WHARF:-$ROOT/build/wharf}"
ROWS="${ROWS:-10000000}"
RUNS="${RUNS:-2}"
TARGET="${TARGET:-duckdb}"
PORT="${PORT:-$((55000 + RANDOM % 5000))}"
KEEP="${KEEP:-0}"
die() { printf "validate_bench: %b\n" "$*" >&2; exit 1; }
source "$ROOT/bench/lib.sh"
bench_require psql
bench_work_dir wharf-validate-bench
bench_start_pg
# best_of CMD...: the shortest wall time of RUNS runs of CMD, in seconds.
best_of() {
  local best="" t0 t
  for ((r = 0; r < RUNS; r++)); do
    t0=$(now_s)
    "$@" > "$WORK/last.out" 2>&1 || die "$* failed:\n$(tail -5 "$WORK/last.out")"
    t=$(elapsed "$t0" "$(now_s)")
    [[ -z "$best" ]] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }' && best=$t
  done
  echo "$best"
}

q -c "CREATE TABLE t (id bigint PRIMARY KEY, i int, t text, n numeric(12,2), ts timestamptz);
  INSERT INTO t SELECT g, g % 100000, 'text value ' || g, g * 1.25,
    timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' FROM generate_series(1, $ROWS) g;"
q -c "VACUUM ANALYZE t"
if [[ $TARGET == postgres ]]; then
  psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "CREATE DATABASE wh" >/dev/null
  TARGET_YAML="  type: postgres
  dsn: postgres://postgres@127.0.0.1:$PORT/wh"
else
  TARGET_YAML="  type: duckdb
  path: ./warehouse.duckdb"
fi
cat > "$WORK/wharf.yaml" <<YAML
sources:
  - name: bench
    dsn: $DSN
    tables: ["public.t"]
staging:
  url: file://./stage
target:
$TARGET_YAML
server:
  listen: "off"
YAML
t0=$(now_s)
"$WHARF" run --once -c "$WORK/wharf.yaml" > "$WORK/load.log" 2>&1 || die "full load failed:\n$(tail -5 "$WORK/load.log")"
LOAD=$(elapsed "$t0" "$(now_s)")

COUNT=$(best_of q -c "SELECT count(*) FROM t")
COPY=$(best_of q -c "COPY t TO '/dev/null'")
VALIDATE=$(best_of "$WHARF" validate --json -c "$WORK/wharf.yaml")
cp "$WORK/last.out" "$WORK/validate.json"
grep -q '"equal": true' "$WORK/validate.json" || die "validate did not report equal:\n$(head -40 "$WORK/validate.json")"
CHUNKS=$(grep -o '"chunks": *[0-9]*' "$WORK/validate.json" | head -1 | grep -o '[0-9]*$')

rate() { awk -v n="$ROWS" -v s="$1" 'BEGIN { printf "%.2f", n / s / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "validate_bench: target $TARGET, $ROWS rows (id bigint pk, int, text, numeric(12,2), timestamptz), $CHUNKS chunks, best of $RUNS ($(nproc) cores; $WHARF_REV)"
echo "  full load (wharf run --once, not part of the ratios) ${LOAD}s"
printf "  %-34s %8ss %8s M rows/s\n" "source SELECT count(*)" "$COUNT" "$(rate "$COUNT")"
printf "  %-34s %8ss %8s M rows/s\n" "source COPY t TO '/dev/null'" "$COPY" "$(rate "$COPY")"
printf "  %-34s %8ss %8s M rows/s\n" "wharf validate (equal)" "$VALIDATE" "$(rate "$VALIDATE")"
echo "  validate time / count(*) time: $(ratio "$VALIDATE" "$COUNT"); validate time / COPY time: $(ratio "$VALIDATE" "$COPY")"
}
