#!/usr/bin/env bash
# Load modes: the cost of soft_delete, history and append against mirror,
# measured in the same run on the same machine (mirror is the reference).
#
#   1. throwaway PostgreSQL 15 (scripts/pg-cluster.sh) in a temp dir on a free port
#   2. per mode, a database with public.t (id int pk, v int, note text) of ROWS
#      rows, and its own staging dir and DuckDB file with target.mode = <mode>
#   3. `wharf run --once`: the full load (timed)
#   4. a change workload: one transaction updating every row, one deleting
#      10%, one inserting 10% new rows; then `wharf run --once` (timed): the
#      changes are captured and applied
#   5. `wharf validate` per mode (append: skipped by design), warehouse rows
#
# Environment: TARGET (duckdb, or postgres: a warehouse database w_<mode> on the
# same cluster), WHARF (binary, default build/wharf), ROWS (200000), PORT (first
# port to try), KEEP=1 keeps the work dir, BENCH_DIR (work dir; default a new
# dir under /tmp). Exit status 0 when every mode
# loaded and validated.
set -euo pipefail
{
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHARF="${WHARF:-$ROOT/build/wharf}"
ROWS="${ROWS:-200000}"
TARGET="${TARGET:-duckdb}"
PORT="${PORT:-$((55000 + RANDOM % 5000))}"
KEEP="${KEEP:-0}"
die() { printf "modes_bench: %b\n" "$*" >&2; exit 1; }
source "$ROOT/bench/lib.sh"
bench_require psql
bench_work_dir wharf-modes-bench
bench_start_pg
psql_db() { local db=$1; shift; psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d "$db" "$@"; }

MODES=(mirror soft_delete history append)
declare -A FULL STREAM ROWS_AFTER VALID
for m in "${MODES[@]}"; do
  psql_db postgres -c "CREATE DATABASE b_$m" >/dev/null
  [[ $TARGET == postgres ]] && psql_db postgres -c "CREATE DATABASE w_$m" >/dev/null
  psql_db "b_$m" -c "CREATE TABLE t (id int PRIMARY KEY, v int, note text);
    INSERT INTO t SELECT g, g, 'note ' || g FROM generate_series(1, $ROWS) g;"
  mkdir -p "$WORK/$m"
  cat > "$WORK/$m/wharf.yaml" <<YAML
sources:
  - name: b_$m
    dsn: postgres://postgres@127.0.0.1:$PORT/b_$m
    tables: ["public.t"]
staging:
  url: file://./stage
target:
$(if [[ $TARGET == postgres ]]; then
    printf '  type: postgres\n  dsn: postgres://postgres@127.0.0.1:%s/w_%s\n' "$PORT" "$m"
  else
    printf '  type: duckdb\n  path: ./warehouse.duckdb\n'
  fi)
  mode: $m
YAML
  t0=$(now_s)
  "$WHARF" run --once -c "$WORK/$m/wharf.yaml" > "$WORK/$m/full.log" 2>&1 || die "full load in $m failed:\n$(tail -5 "$WORK/$m/full.log")"
  FULL[$m]=$(elapsed "$t0" "$(now_s)")
  psql_db "b_$m" -c "UPDATE t SET v = v + 1" -c "DELETE FROM t WHERE id % 10 = 0" \
    -c "INSERT INTO t SELECT g, g, 'new ' || g FROM generate_series($ROWS + 1, $ROWS + $ROWS / 10) g"
  t0=$(now_s)
  "$WHARF" run --once -c "$WORK/$m/wharf.yaml" > "$WORK/$m/stream.log" 2>&1 || die "streaming in $m failed:\n$(tail -5 "$WORK/$m/stream.log")"
  STREAM[$m]=$(elapsed "$t0" "$(now_s)")
  VALID[$m]=$("$WHARF" validate -c "$WORK/$m/wharf.yaml" > "$WORK/$m/validate.log" 2>&1 && echo ok || echo FAILED)
  ROWS_AFTER[$m]=$("$WHARF" status --json -c "$WORK/$m/wharf.yaml" 2>/dev/null |
    grep -o '"warehouse_rows": *[0-9]*' | head -1 | grep -o '[0-9]*$' || echo '?')
done

echo "modes_bench: target $TARGET, $ROWS rows; changes: 1 txn updating all, 1 deleting 10%, 1 inserting 10% ($(nproc) cores)"
printf "%-12s %10s %8s %12s %8s %12s %s\n" mode "full load" "x mirror" "changes" "x mirror" "wh rows" validate
for m in "${MODES[@]}"; do
  printf "%-12s %9ss %8s %11ss %8s %12s %s\n" "$m" "${FULL[$m]}" \
    "$(awk -v a="${FULL[$m]}" -v b="${FULL[mirror]}" 'BEGIN { printf "%.2f", a / b }')" "${STREAM[$m]}" \
    "$(awk -v a="${STREAM[$m]}" -v b="${STREAM[mirror]}" 'BEGIN { printf "%.2f", a / b }')" \
    "${ROWS_AFTER[$m]}" "${VALID[$m]}"
done
for m in "${MODES[@]}"; do [[ "${VALID[$m]}" == ok ]] || exit 1; done
}
