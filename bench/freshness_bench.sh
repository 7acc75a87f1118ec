#!/usr/bin/env bash
# End-to-end freshness (issue 5): how long after a source transaction commits
# is it applied in the warehouse, with `wharf run` and the default batching
# policy (staging.batch: { max_bytes: 64MB, max_interval: 1s } unless
# MAX_INTERVAL is given)?
#
#   1. throwaway PostgreSQL 15 (scripts/pg-cluster.sh) on a free port
#   2. table public.probe; `wharf run` (long-running) streaming it into DuckDB
#   3. PROBES times, PAUSE_S apart: one single-row INSERT (autocommit) that
#      returns its WAL position and the server's clock (the commit time, within
#      the commit's own fsync; server and bench share the machine's clock)
#   4. once the loader's applied mark (<stage>/<source>/applied.json, written
#      right after the warehouse commit) names a batch whose last commit LSN is
#      at or past that position (polled every ~10 ms), the mark's applied_at
#      is the apply time
#   5. prints min / median / p90 / max of apply time - commit time
#
# The reference in the same run is the batching interval itself: freshness
# cannot beat "up to max_interval of waiting for the batch to close" plus the
# load; the ratio printed is median latency / max_interval.
# Environment: WHARF (binary), PROBES (20), PAUSE_S (1.3; not a multiple of the
# interval), MAX_INTERVAL (1s), KEEP=1 keeps the work dir, BENCH_DIR (work dir;
# default a new dir under /tmp), PORT (first port).
set -euo pipefail
{
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHARF="${WHARF:-$ROOT/build/wharf}"
PROBES="${PROBES:-20}"
PAUSE_S="${PAUSE_S:-1.3}"
MAX_INTERVAL="${MAX_INTERVAL:-1s}"
PORT="${PORT:-$((55000 + RANDOM % 5000))}"
KEEP="${KEEP:-0}"
die() { printf "freshness_bench: %b\n" "$*" >&2; exit 1; }
for tool in psql jq awk; do command -v "$tool" >/dev/null || die "$tool not found; run scripts/setup.sh"; done
source "$ROOT/bench/lib.sh"
bench_require psql

WHARF_PID=""
bench_on_exit() { [[ -n "$WHARF_PID" ]] && kill -INT "$WHARF_PID" 2>/dev/null && wait "$WHARF_PID" 2>/dev/null; }
bench_work_dir wharf-freshness-bench
bench_start_pg
q -c "CREATE TABLE public.probe (id serial PRIMARY KEY, v int, at timestamptz DEFAULT clock_timestamp())"
cat >"$WORK/wharf.yaml" <<YAML
sources:
  - name: fresh
    dsn: postgres://postgres@127.0.0.1:$PORT/bench
staging:
  url: file://./stage
  retention: forever
  batch: { max_bytes: 64MB, max_interval: $MAX_INTERVAL }
target:
  type: duckdb
  path: ./warehouse.duckdb
YAML
"$WHARF" run -c "$WORK/wharf.yaml" --log-level "${LOG_LEVEL:-info}" >"$WORK/wharf.log" 2>&1 &
WHARF_PID=$!
MARK="$WORK/stage/fresh/applied.json"
# Ready once the (empty) full load is applied.
for _ in $(seq 600); do [[ -f "$MARK" ]] && break; sleep 0.05; done
[[ -f "$MARK" ]] || die "wharf did not start:\n$(tail -20 "$WORK/wharf.log")"

lsn_num() { local hi=${1%/*} lo=${1#*/}; echo $(( (16#$hi << 32) | 16#$lo )); }
applied_last_lsn() {
  local seq m
  seq=$(jq -r .seq "$MARK" 2>/dev/null) || { echo 0; return; }
  m="$WORK/stage/fresh/manifests/$(printf '%020d' "$seq").json"
  [[ -f "$m" ]] && jq -r .last_lsn "$m" 2>/dev/null || echo 0
}
now() { date +%s.%N; }
LAT=()
for i in $(seq "$PROBES"); do
  # The server's clock when the row is written (the commit follows at once):
  # the psql process's own start and exit are not part of the latency.
  IFS='|' read -r lsn t_commit < <(q -c "INSERT INTO public.probe (v) VALUES ($i) RETURNING pg_current_wal_insert_lsn(), extract(epoch FROM clock_timestamp())")
  want=$(lsn_num "$lsn")
  until (( $(applied_last_lsn) >= want )); do
    sleep 0.01
    awk -v a="$t_commit" -v b="$(now)" 'BEGIN { exit !(b - a > 30) }' && die "probe $i not applied after 30 s"
  done
  # wharf's own clock right after the warehouse commit (the mark's applied_at),
  # not when this loop noticed: the poll's jq processes are not wharf's latency.
  t_applied=$(jq -r '.applied_at / 1000000' "$MARK")
  LAT+=("$(awk -v a="$t_commit" -v b="$t_applied" 'BEGIN { printf "%.3f", b - a }')")
  sleep "$PAUSE_S"
done
interval_s=$(awk -v t="$MAX_INTERVAL" 'BEGIN { if (t ~ /ms$/) print t / 1000; else print t + 0 }')
printf '%s\n' "${LAT[@]}" | sort -n | awk -v n="$PROBES" -v iv="$interval_s" -v cfg="$MAX_INTERVAL" '
  { v[NR] = $1 }
  END {
    med = v[int((n + 1) / 2)]; p90 = v[int(n * 0.9 + 0.5)]
    printf "freshness_bench: %d probes, staging.batch.max_interval %s, wharf run, DuckDB\n", n, cfg
    printf "commit -> applied in warehouse: min %.3f s, median %.3f s, p90 %.3f s, max %.3f s\n", v[1], med, p90, v[n]
    printf "ratio median / max_interval: %.2f\n", med / iv
  }'
}
