#!/usr/bin/env bash
# Memory of one huge transaction (issue 3): a single source transaction of
# ROWS rows of ROW_BYTES bytes each must replicate completely -- as one staged
# batch and one warehouse transaction -- with wharf's peak RSS under 256 MB,
# embedded DuckDB included (target.memory_limit: 32MB; DuckDB uses about 100 MB
# beyond its limit, see docs/ARCHITECTURE.md).
#
#   1. throwaway PostgreSQL 15 (scripts/pg-cluster.sh) in a temp dir on a free port
#   2. table public.big (id bigint pk, payload text); `wharf run --once` on the
#      empty table (slot, publication, empty full load, warehouse created)
#   3. ONE transaction: INSERT ... SELECT of ROWS rows, payload = ROW_BYTES of
#      base64 of pgcrypto's gen_random_bytes (incompressible for PostgreSQL's
#      pglz, so stored out of line in TOAST; zstd gets ~25% of it)
#   4. reference, same run: `\copy (SELECT * FROM public.big) TO /dev/null`
#   5. `wharf run -c wharf.yaml --once` under /usr/bin/time -v (peak RSS), with a
#      sampler of /proc/<pid>/status that also kills wharf if its RSS passes
#      RSS_CAP_MB (this machine is shared: do not let one run swap it to death)
#   6. checks: warehouse row count = ROWS (wharf status --json), exactly one new
#      batch staged and applied, its manifest holds 1 transaction and ROWS rows;
#      VALIDATE=1 also runs `wharf validate --table public.big`
#   7. prints peak RSS against the 256 MB target, time against the COPY reference
#
# Environment: WHARF (binary, default build/wharf), ROWS (2000000), ROW_BYTES
# (2048), MEMORY_LIMIT (DuckDB's, 32MB), TARGET_MB (256), RSS_CAP_MB (kill
# wharf above this; default 6144), TIMEOUT_S (kill wharf after this; 7200),
# VALIDATE (1 when ROWS <= 200000, else 0), BENCH_DIR (work dir; default a new
# dir under /tmp, removed at the end unless KEEP=1), PORT (first port to try).
# Needs /usr/bin/time (Debian package `time`) for an exact peak; without it the
# sampler's VmHWM is used (sampled every 0.2 s).
# Exit status: 0 when it ran and the data landed (whatever the RSS), 1 otherwise.
set -euo pipefail
# The whole script is one compound command, read before it runs, so editing
# this file while a benchmark runs cannot make bash execute a line twice.
{

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHARF="${WHARF:-$ROOT/build/wharf}"
ROWS="${ROWS:-2000000}"
ROW_BYTES="${ROW_BYTES:-2048}"
MEMORY_LIMIT="${MEMORY_LIMIT:-32MB}"
TARGET_MB="${TARGET_MB:-256}"
RSS_CAP_MB="${RSS_CAP_MB:-6144}"
TIMEOUT_S="${TIMEOUT_S:-7200}"
VALIDATE="${VALIDATE:-$((ROWS <= 200000 ? 1 : 0))}"
PORT="${PORT:-$((55000 + RANDOM % 5000))}"
KEEP="${KEEP:-0}"

die() { printf "big_txn_bench: %b\n" "$*" >&2; exit 1; }
note() { echo "big_txn_bench: $*" >&2; }
source "$ROOT/bench/lib.sh"
bench_require psql pg_isready awk
TIME_BIN=""
[[ -x /usr/bin/time ]] && TIME_BIN=/usr/bin/time
[[ -n "$TIME_BIN" ]] || note "/usr/bin/time not found (apt-get install time); using sampled VmHWM"

bench_work_dir wharf-big-txn-bench

WHARF_PID=""
SAMPLER_PID=""
bench_on_exit() {
  for pid in "$SAMPLER_PID" "$WHARF_PID"; do
    [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null || true
  done
}

bench_start_pg
q -c "CREATE EXTENSION pgcrypto" ||
  die "pgcrypto is missing (it ships with Debian's postgresql-15 package)"
q -c "CREATE TABLE public.big (id bigint PRIMARY KEY, payload text NOT NULL)"

cat >"$WORK/wharf.yaml" <<YAML
sources:
  - name: big
    dsn: $DSN
    tables: ["public.big"]
staging:
  url: file://./stage
  format: jsonl
  compression: zstd
  batch: { max_bytes: 64MB, max_interval: 1s }
  retention: forever  # the batches' manifests are read below
target:
  type: duckdb
  path: ./warehouse.duckdb
  memory_limit: $MEMORY_LIMIT
YAML

"$WHARF" run -c "$WORK/wharf.yaml" --once >"$WORK/wharf_init.log" 2>&1 ||
  die "wharf run --once on the empty table failed:\n$(tail -20 "$WORK/wharf_init.log")"
MANIFESTS_BEFORE=$(ls "$WORK/stage/big/manifests/" | wc -l)

# --- the transaction ----------------------------------------------------------------------------
# gen_random_bytes gives at most 1024 bytes a call: 768 random bytes are 1024
# base64 characters (plus newlines, removed).
pieces=$(((ROW_BYTES + 1023) / 1024))
expr="encode(gen_random_bytes(768), 'base64')"
for ((k = 1; k < pieces; k++)); do expr="$expr || encode(gen_random_bytes(768), 'base64')"; done
note "writing one transaction of $ROWS rows x $ROW_BYTES bytes"
t0=$(now_s)
q -c "INSERT INTO public.big SELECT g, left(translate($expr, E'\\n', ''), $ROW_BYTES) FROM generate_series(1, $ROWS) g"
t1=$(now_s)
GEN_S=$(elapsed "$t0" "$t1" 1)
TABLE_MB=$(q -c "SELECT pg_total_relation_size('public.big') / 1048576")
TXN_MB=$(awk -v r="$ROWS" -v b="$ROW_BYTES" 'BEGIN { printf "%.0f", r * (b + 8) / 1048576 }')

# --- reference: COPY TO -------------------------------------------------------------------------
t0=$(now_s)
q -c "\\copy (SELECT * FROM public.big) TO '/dev/null'"
t1=$(now_s)
COPY_S=$(elapsed "$t0" "$t1" 1)

# --- wharf run --once ---------------------------------------------------------------------------
note "running wharf run --once (RSS cap ${RSS_CAP_MB} MB, timeout ${TIMEOUT_S}s)"
t0=$(now_s)
if [[ -n "$TIME_BIN" ]]; then
  "$TIME_BIN" -v -o "$WORK/time.txt" "$WHARF" run -c "$WORK/wharf.yaml" --once >"$WORK/wharf.log" 2>&1 &
else
  "$WHARF" run -c "$WORK/wharf.yaml" --once >"$WORK/wharf.log" 2>&1 &
fi
WRAPPER_PID=$!
WHARF_PID=$WRAPPER_PID
if [[ -n "$TIME_BIN" ]]; then
  for _ in $(seq 1 100); do
    child=$(cat "/proc/$WRAPPER_PID/task/$WRAPPER_PID/children" 2>/dev/null || true)
    [[ -n "$child" ]] && { WHARF_PID=${child%% *}; break; }
    sleep 0.05
  done
fi
# Sampler: peak VmHWM, and the safety cap.
(
  hwm=0
  start=$(date +%s)
  while [[ -d /proc/$WHARF_PID ]]; do
    read -r h r < <(awk '/^VmHWM/ { h = $2 } /^VmRSS/ { r = $2 } END { print h + 0, r + 0 }' \
      "/proc/$WHARF_PID/status" 2>/dev/null || echo "0 0")
    ((h > hwm)) && hwm=$h && echo "$hwm" >"$WORK/hwm_kb"
    echo "$(date +%s.%N) $r" >>"$WORK/rss_timeline"
    if ((r / 1024 > RSS_CAP_MB)); then
      echo "rss" >"$WORK/killed"
      kill -KILL "$WHARF_PID" 2>/dev/null || true
      break
    fi
    if (($(date +%s) - start > TIMEOUT_S)); then
      echo "timeout" >"$WORK/killed"
      kill -KILL "$WHARF_PID" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
) &
SAMPLER_PID=$!
set +e
wait "$WRAPPER_PID"
WHARF_RC=$?
set -e
t1=$(now_s)
wait "$SAMPLER_PID" 2>/dev/null || true
WHARF_PID=""
SAMPLER_PID=""
WHARF_S=$(elapsed "$t0" "$t1" 1)

PEAK_KB=0
if [[ -n "$TIME_BIN" && -f "$WORK/time.txt" ]]; then
  PEAK_KB=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$WORK/time.txt")
  PEAK_SRC="/usr/bin/time -v"
fi
if [[ -z "$PEAK_KB" || "$PEAK_KB" == 0 ]]; then
  PEAK_KB=$(cat "$WORK/hwm_kb" 2>/dev/null || echo 0)
  PEAK_SRC="sampled VmHWM"
fi
PEAK_MB=$(awk -v k="$PEAK_KB" 'BEGIN { printf "%.0f", k / 1024 }')
KILLED=$(cat "$WORK/killed" 2>/dev/null || true)
# Capture vs load: the sampled RSS peak up to the log's "caught up" line (capture
# finished staging) and after it (load, models). Sampled, so approximate.
CAPTURE_PEAK_MB="?"
LOAD_PEAK_MB="?"
caught_up=$(grep -m1 "caught up" "$WORK/wharf.log" | awk '{ print $1 " " $2 }' || true)
if [[ -n "$caught_up" && -f "$WORK/rss_timeline" ]]; then
  split=$(date -d "$caught_up" +%s.%N)
  read -r CAPTURE_PEAK_MB LOAD_PEAK_MB < <(awk -v s="$split" \
    '$1 <= s { if ($2 > c) c = $2 } $1 > s { if ($2 > l) l = $2 } END { printf "%.0f %.0f\n", c / 1024, l / 1024 }' \
    "$WORK/rss_timeline")
fi

# --- checks ---------------------------------------------------------------------------------------
LANDED="?"
BATCHES_NEW="?"
APPLIED_NEW="?"
M_ROWS="?"
M_TXNS="?"
VALID="skipped"
if [[ -z "$KILLED" && "$WHARF_RC" == 0 ]]; then
  "$WHARF" status -c "$WORK/wharf.yaml" --json >"$WORK/status.json" 2>"$WORK/status.err" ||
    die "wharf status failed: $(cat "$WORK/status.err")"
  # The warehouse row count of the one table: "warehouse_rows" (or "rows" in
  # older builds) in `wharf status --json`.
  json_num() {  # $1 = key regex; first match, or empty
    grep -Eo "\"($1)\": *[0-9]+" "$WORK/status.json" | head -1 | awk -F: '{ print $2 + 0 }' || true
  }
  LANDED=$(json_num "warehouse_rows")
  [[ -n "$LANDED" ]] || LANDED=$(json_num "rows")
  staged=$(json_num "staged_batches")
  applied=$(json_num "applied_batches")
  [[ -n "$LANDED" && -n "$staged" && -n "$applied" ]] ||
    die "could not read rows and batches from wharf status --json (format changed?): $WORK/status.json"
  MANIFESTS_AFTER=$(ls "$WORK/stage/big/manifests/" | wc -l)
  BATCHES_NEW=$((MANIFESTS_AFTER - MANIFESTS_BEFORE))
  APPLIED_NEW=$((applied - MANIFESTS_BEFORE))
  last=$(ls "$WORK/stage/big/manifests/"*.json | sort | tail -1)
  M_ROWS=$(grep -o '"rows": *[0-9]*' "$last" | awk -F: '{ s += $2 } END { print s + 0 }')
  M_TXNS=$(grep -o '"transactions": *[0-9]*' "$last" | awk -F: '{ print $2 + 0 }')
  ((staged == applied)) || note "staged $staged batches but applied $applied"
  if ((VALIDATE)); then
    if "$WHARF" validate -c "$WORK/wharf.yaml" --table public.big >"$WORK/validate.log" 2>&1; then
      VALID="equal"
    else
      VALID="DIFFERENT (exit $?; see $WORK/validate.log)"
    fi
  fi
fi

echo
echo "== one huge transaction: wharf run --once peak RSS =="
echo "configuration: PostgreSQL $(q -c 'SHOW server_version'), logical_decoding_work_mem=$(q -c 'SHOW logical_decoding_work_mem'),"
echo "  wharf $WHARF_REV (replication options as wharf sends them);"
echo "  1 transaction of $ROWS rows x $ROW_BYTES bytes"
echo "  (~$TXN_MB MB of values, table $TABLE_MB MB with TOAST; written in ${GEN_S}s);"
echo "  wharf: staging file:// local, jsonl, zstd, batch max_bytes 64MB, max_interval 1s;"
echo "  target duckdb, memory_limit $MEMORY_LIMIT; machine: $(nproc) cores (shared)"
if [[ -n "$KILLED" ]]; then
  echo "wharf was KILLED by the benchmark ($KILLED: cap ${RSS_CAP_MB} MB / ${TIMEOUT_S}s) after ${WHARF_S}s"
elif [[ "$WHARF_RC" != 0 ]]; then
  echo "wharf FAILED (exit $WHARF_RC) after ${WHARF_S}s:"
  tail -5 "$WORK/wharf.log" | sed 's/^/  /'
fi
echo "wharf run --once: ${WHARF_S}s ($(awk -v n="$ROWS" -v t="$WHARF_S" 'BEGIN { printf "%.0f", n / t }') rows/s);" \
  "reference COPY TO /dev/null: ${COPY_S}s; ratio wharf time / COPY time: $(awk -v a="$WHARF_S" -v b="$COPY_S" 'BEGIN { printf "%.1f", a / (b > 0 ? b : 1) }')"
echo "landed: $LANDED of $ROWS rows; new batches staged: $BATCHES_NEW, applied: $APPLIED_NEW;" \
  "last manifest: $M_TXNS transaction(s), $M_ROWS rows; validate: $VALID"
echo "peak RSS: $PEAK_MB MB ($PEAK_SRC)   target < $TARGET_MB MB: $(awk -v p="$PEAK_MB" -v t="$TARGET_MB" 'BEGIN { print (p < t) ? "met" : "NOT MET" }')" \
  "  ratio peak / target: $(awk -v p="$PEAK_MB" -v t="$TARGET_MB" 'BEGIN { printf "%.2f", p / t }')"
echo "sampled RSS peak while capturing: $CAPTURE_PEAK_MB MB; after capture caught up (load): $LOAD_PEAK_MB MB"
grep -E " info " "$WORK/wharf.log" | sed 's/^/  log: /' | tail -12

[[ -z "$KILLED" && "$WHARF_RC" == 0 && "$LANDED" == "$ROWS" && "$BATCHES_NEW" == 1 && "$M_TXNS" == 1 ]] ||
  die "the transaction did not replicate as one complete batch"
exit 0
}
