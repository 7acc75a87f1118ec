#!/usr/bin/env bash
# Capture throughput: `wharf capture --once` against pg_recvlogical, reading
# the same WAL (issue 3: "capture the same 2 million changes at >= 0.9x the
# rate of pg_recvlogical").
#
#   1. throwaway PostgreSQL 15 (scripts/pg-cluster.sh) in a temp dir on a free
#      port; logical_decoding_work_mem left at its default
#   2. table public.orders (id bigint pk, 2 int, numeric, 2 text, 2 timestamptz;
#      ~150 bytes a row), empty
#   3. for each repeat i: `wharf capture --once` on the empty table (creates
#      slot + publication wharf_bench_<i> and its capture state), then at once
#      a second pgoutput slot bench_recv_<i> -- both before any change
#   4. CHANGES changes, WAL written before either consumer starts:
#      CHANGES/2 inserts then CHANGES/2 updates, TXN_ROWS rows per transaction
#   5. timed, in ABBA order (recv, wharf, wharf, recv, ...):
#        pg_recvlogical --start -o proto_version=<P> -o streaming=on
#                       -o publication_names=wharf_bench_<i>
#                       -f /dev/null --endpos=<WAL end after step 4>
#      with the options wharf itself sends (src/capture/capture.cpp: protocol 4
#      from PostgreSQL 16, else 2, streaming on; override with PROTO, STREAMING)
#        wharf capture -c wharf_<i>.yaml --once     (local staging, jsonl)
#   6. prints rows/s of each, the ratio wharf / pg_recvlogical (median over
#      repeats), client CPU seconds, and the configuration. Target: >= 0.9.
#
# Environment: WHARF (binary, default build/wharf), CHANGES (2000000),
# TXN_ROWS (10000), REPEATS (3), COMPRESSION (zstd), BATCH_MAX_BYTES (64MB),
# BATCH_INTERVAL (1s), BENCH_DIR (work dir; default a new dir under /tmp,
# deleted at the end unless KEEP=1), PORT (first port to try, random),
# RECV_OPTS (extra pg_recvlogical options, e.g. "-v -s 1"), PERF=1 (record `perf record -g` of the first wharf run into BENCH_DIR/perf.data;
# implies KEEP=1).
# Exit status: 0 when it ran (whatever the ratio), 1 on a failure.
set -euo pipefail
# The whole script is one compound command, read before it runs, so editing
# this file while a benchmark runs cannot make bash execute a line twice.
{

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHARF="${WHARF:-$ROOT/build/wharf}"
CHANGES="${CHANGES:-2000000}"
TXN_ROWS="${TXN_ROWS:-10000}"
REPEATS="${REPEATS:-3}"
COMPRESSION="${COMPRESSION:-zstd}"
BATCH_MAX_BYTES="${BATCH_MAX_BYTES:-64MB}"
BATCH_INTERVAL="${BATCH_INTERVAL:-1s}"
PORT="${PORT:-$((55000 + RANDOM % 5000))}"
PERF="${PERF:-0}"
KEEP="${KEEP:-0}"
((PERF)) && KEEP=1

die() { printf "capture_bench: %b\n" "$*" >&2; exit 1; }
source "$ROOT/bench/lib.sh"
bench_require psql pg_recvlogical pg_isready awk
((REPEATS >= 1)) || die "REPEATS must be >= 1"

bench_work_dir wharf-capture-bench


bench_start_pg
# The replication options wharf sends (keep in step with src/capture/capture.cpp).
if [[ -z "${PROTO:-}" ]]; then
  PROTO=$(($(q -c "SHOW server_version_num") >= 160000 ? 4 : 2))
fi
STREAMING="${STREAMING:-on}"
q <<'SQL'
CREATE TABLE public.orders (
  id          bigint PRIMARY KEY,
  customer_id int NOT NULL,
  quantity    int NOT NULL,
  amount      numeric(12,2) NOT NULL,
  status      text NOT NULL,
  note        text,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);
SQL

TIMEFORMAT='%3R %3U %3S'

# --- step 3: wharf's slots and state, then pg_recvlogical's slots ----------------------------
for i in $(seq 1 "$REPEATS"); do
  cat >"$WORK/wharf_$i.yaml" <<YAML
sources:
  - name: bench_$i
    dsn: $DSN
    tables: ["public.orders"]
staging:
  url: file://./stage_$i
  format: jsonl
  compression: $COMPRESSION
  batch: { max_bytes: $BATCH_MAX_BYTES, max_interval: $BATCH_INTERVAL }
target:
  type: duckdb
  path: ./warehouse_$i.duckdb
YAML
  "$WHARF" capture -c "$WORK/wharf_$i.yaml" --once >"$WORK/wharf_init_$i.log" 2>&1 ||
    die "wharf capture --once on the empty table failed:\n$(tail -20 "$WORK/wharf_init_$i.log")"
  q -c "SELECT pg_create_logical_replication_slot('bench_recv_$i', 'pgoutput')" >/dev/null
  if ((i == 1)); then
    # wharf's fixed cost (connect, catalog, publication check, --once target):
    # a run with nothing to capture, before any change (later, PostgreSQL
    # would first re-read WAL from the slot's restart_lsn).
    { time "$WHARF" capture -c "$WORK/wharf_1.yaml" --once >"$WORK/wharf_noop.log" 2>&1; } 2>"$WORK/wharf_noop.time" ||
      die "wharf capture --once with nothing to capture failed:\n$(tail -20 "$WORK/wharf_noop.log")"
    NOOP_S=$(cut -d' ' -f1 "$WORK/wharf_noop.time")
  fi
  ls "$WORK/stage_$i/bench_$i/manifests/" | wc -l >"$WORK/init_manifests_$i"
done

# --- step 4: the changes ----------------------------------------------------------------------
INSERTS=$((CHANGES / 2))
UPDATES=$((CHANGES - INSERTS))
((UPDATES <= INSERTS)) || die "CHANGES too small"
{
  for ((s = 1; s <= INSERTS; s += TXN_ROWS)); do
    e=$((s + TXN_ROWS - 1)); ((e > INSERTS)) && e=$INSERTS
    echo "INSERT INTO public.orders SELECT g, (g % 50000) + 1, (g % 7) + 1, ((g % 100000) / 100.0 + 1)::numeric(12,2),
  (ARRAY['pending','paid','shipped','delivered'])[(g % 4) + 1],
  'order note ' || md5(g::text) || ' ' || substr(md5((g * 7)::text), 1, 20),
  timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second', now()
FROM generate_series($s, $e) g;"
  done
  for ((s = 1; s <= UPDATES; s += TXN_ROWS)); do
    e=$((s + TXN_ROWS - 1)); ((e > UPDATES)) && e=$UPDATES
    echo "UPDATE public.orders SET quantity = quantity + 1, status = 'shipped', updated_at = now() WHERE id BETWEEN $s AND $e;"
  done
} >"$WORK/changes.sql"
START_LSN=$(q -c "SELECT pg_current_wal_lsn()")
t0=$(now_s)
q -f "$WORK/changes.sql"
t1=$(now_s)
# The insert position: past the last commit record (pg_current_wal_lsn() is the
# write position, which may still be short of it with synchronous_commit off).
END_LSN=$(q -c "SELECT pg_current_wal_insert_lsn()")
WAL_MB=$(q -c "SELECT round(pg_wal_lsn_diff('$END_LSN', '$START_LSN') / 1048576.0)")
ROW_BYTES=$(q -c "SELECT round(avg(pg_column_size(o.*))) FROM public.orders o")
GEN_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')

# --- step 5: timed consumers, ABBA ------------------------------------------------------------
run_recv() {  # $1 = repeat index; prints "real user sys"
  { time pg_recvlogical -h 127.0.0.1 -p "$PORT" -U postgres -d bench --slot "bench_recv_$1" --start \
      --plugin=pgoutput -o proto_version="$PROTO" -o streaming="$STREAMING" \
      -o "publication_names=wharf_bench_$1" \
      -f /dev/null --endpos="$END_LSN" --no-loop ${RECV_OPTS:-} 2>"$WORK/recv_$1.log"; } 2>"$WORK/recv_$1.time" ||
    die "pg_recvlogical failed:\n$(tail -20 "$WORK/recv_$1.log")"
  cat "$WORK/recv_$1.time"
}
run_wharf() {
  local pre=()
  if ((PERF)) && (($1 == 1)) && command -v perf >/dev/null; then
    pre=(perf record -g -o "$WORK/perf.data" --)
  fi
  { time "${pre[@]}" "$WHARF" capture -c "$WORK/wharf_$1.yaml" --once >"$WORK/wharf_$1.log" 2>&1; } \
    2>"$WORK/wharf_$1.time" || die "wharf capture failed:\n$(tail -20 "$WORK/wharf_$1.log")"
  cat "$WORK/wharf_$1.time"
}
staged_rows() {  # rows in the manifests the timed run $1 wrote (after the empty full load's)
  local skip
  skip=$(cat "$WORK/init_manifests_$1")
  ls "$WORK/stage_$1/bench_$1/manifests/"*.json | sort | tail -n +$((skip + 1)) | xargs -r cat |
    grep -o '"rows": *[0-9]*' | awk -F: '{ s += $2 } END { print s + 0 }'
}

declare -a RECV WHARF_T RATIO
echo "capture_bench: $CHANGES changes written (${GEN_S}s, ${WAL_MB} MB of WAL); timing consumers" >&2
for i in $(seq 1 "$REPEATS"); do
  if ((i % 2 == 1)); then
    r=$(run_recv "$i"); w=$(run_wharf "$i")
  else
    w=$(run_wharf "$i"); r=$(run_recv "$i")
  fi
  staged=$(staged_rows "$i")
  ((staged == CHANGES)) || die "wharf staged $staged rows, expected $CHANGES (see $WORK/wharf_$i.log)"
  # pg_recvlogical writes to /dev/null, so check instead that its slot got past
  # the last transaction wharf staged.
  last=$(ls "$WORK/stage_$i/bench_$i/manifests/"*.json | sort | tail -1)
  last_commit=$(grep -o '"last_lsn": *[0-9]*' "$last" | awk -F: '{ print $2 + 0 }')
  recv_done=$(q -c "SELECT pg_wal_lsn_diff(confirmed_flush_lsn, '0/0')::numeric >= $last_commit FROM pg_replication_slots WHERE slot_name = 'bench_recv_$i'")
  [[ "$recv_done" == t ]] || die "pg_recvlogical stopped before the last transaction (commit LSN $last_commit)"
  RECV[$i]="$r"
  WHARF_T[$i]="$w"
  RATIO[$i]=$(awk -v r="${r%% *}" -v w="${w%% *}" 'BEGIN { printf "%.3f", r / w }')
done

# --- step 6: report ---------------------------------------------------------------------------
echo
echo "== capture throughput: wharf capture --once vs pg_recvlogical (same WAL) =="
echo "configuration: PostgreSQL $(q -c 'SHOW server_version'), logical_decoding_work_mem=$(q -c 'SHOW logical_decoding_work_mem'),"
echo "  wharf $WHARF_REV;"
echo "  pgoutput proto_version=$PROTO streaming=$STREAMING, text values; $CHANGES changes = $INSERTS inserts + $UPDATES updates,"
echo "  $TXN_ROWS rows per transaction, ~$ROW_BYTES bytes per row, $WAL_MB MB of WAL;"
echo "  wharf: staging file:// local, format jsonl, compression $COMPRESSION, batch max_bytes $BATCH_MAX_BYTES,"
echo "  max_interval $BATCH_INTERVAL; pg_recvlogical: -f /dev/null --endpos $END_LSN;"
echo "  machine: $(nproc) cores (shared), client and server on the same host; repeats $REPEATS (ABBA order)"
printf '%-7s %-34s %-34s %s\n' "repeat" "pg_recvlogical s (rows/s) cpu u+s" "wharf s (rows/s) cpu u+s" "ratio"
for i in $(seq 1 "$REPEATS"); do
  read -r rr ru rs <<<"${RECV[$i]}"
  read -r wr wu ws <<<"${WHARF_T[$i]}"
  printf '%-7s %-34s %-34s %s\n' "$i" \
    "$(awk -v t="$rr" -v n="$CHANGES" -v u="$ru" -v s="$rs" 'BEGIN { printf "%.2f (%.0f) %.2f", t, n / t, u + s }')" \
    "$(awk -v t="$wr" -v n="$CHANGES" -v u="$wu" -v s="$ws" 'BEGIN { printf "%.2f (%.0f) %.2f", t, n / t, u + s }')" \
    "${RATIO[$i]}"
done
MEDIAN=$(printf '%s\n' "${RATIO[@]}" | sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
STORED_MB=$(du -sm "$WORK/stage_1" | cut -f1)
echo "wharf staged $CHANGES rows per run ($STORED_MB MB stored for repeat 1)"
# Client CPU per change, summed over the repeats: steadier than wall time on a
# shared machine, and what the client takes from the server's cores here.
read -r RECV_US WHARF_US < <(printf '%s\n' "${RECV[@]}" "${WHARF_T[@]}" | awk -v n="$CHANGES" -v k="$REPEATS" \
  'NR <= k { r += $2 + $3 } NR > k { w += $2 + $3 } END { printf "%.2f %.2f\n", r * 1e6 / (n * k), w * 1e6 / (n * k) }')
echo "wharf capture --once with nothing to capture (fixed cost inside each wharf time): ${NOOP_S}s"
echo "client CPU per change (user+sys): pg_recvlogical $RECV_US us, wharf $WHARF_US us"
echo "ratio wharf / pg_recvlogical (rows/s, median): $MEDIAN   target >= 0.9: $(awk -v m="$MEDIAN" 'BEGIN { print (m >= 0.9) ? "met" : "NOT MET" }')"
if ((PERF)); then echo "perf profile of wharf run 1: perf report -i $WORK/perf.data"; fi
exit 0
}
