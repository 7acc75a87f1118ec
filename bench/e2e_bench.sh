#!/usr/bin/env bash
# End-to-end speed (issue 6): PostgreSQL -> staging -> DuckDB, in two parts.
#
# 1. Throughput: wharf's end-to-end rate against pg_recvlogical's pgoutput rate
#    for the same changes. Target: ratio wharf / pg_recvlogical >= 0.7.
#      a. throwaway PostgreSQL 15 (scripts/pg-cluster.sh) in a temp dir on a free port;
#         tables public.customers (CUSTOMERS rows), public.orders (ORDERS rows) and
#         public.events (append-only, one row per workload transaction)
#      b. for each repeat i: `wharf run --once` (slot, publication, full load of the
#         preloaded rows into warehouse_<i>.duckdb), then at once a second pgoutput
#         slot bench_recv_<i>: both slots exist before the first workload change
#      c. the workload, written before either consumer starts: pgbench, CLIENTS
#         clients, the custom transaction below (10 changes: 5 inserts, 3 updates,
#         1 delete over three tables, and 1 events row), CHANGES/10 transactions
#      d. timed, in ABBA order (recv, wharf, wharf, recv, ...):
#           pg_recvlogical --start -o proto_version=2 -o streaming=on
#                          -o publication_names=<wharf's publication>
#                          -f /dev/null --endpos=<WAL end after c>
#           wharf run -c e2e_<i>.yaml --once      (capture, stage, load, commit)
#         wharf's time ends when the process exits 0, i.e. when the last batch is
#         committed in DuckDB; `wharf status --json` then must show every
#         workload transaction's events row in the warehouse.
#    Why a fixed WAL drained from the slot, not both consumers running live with
#    the workload: live, both would simply keep up with whatever pgbench manages
#    on this 2-core machine (ratio ~1, telling nothing), and pgbench would take
#    CPU from whichever consumer it happened to run beside. Draining the same
#    WAL from slots made at the same point gives each consumer the same bytes
#    and the machine to itself, and its rate is the most it can do. Both times
#    include the consumer's start-up (wharf: opening DuckDB, catalog checks).
#
# 2. Freshness: commit-to-warehouse delay under a sustained, rate-limited
#    workload. Targets: p50 < 0.5 s, p99 < 1.5 s.
#      a. a new source (slot, publication, warehouse) with
#         staging.batch.max_interval FRESH_INTERVAL (200ms); `wharf run --once`
#         for its full load, then `wharf run --log-level debug` left running
#      b. pgbench -R (FRESH_RATE changes/s = FRESH_RATE/10 transactions/s) for
#         FRESH_SECONDS with the same transaction; each transaction's last
#         statement inserts its events row with written_us = clock_timestamp()
#         in unix microseconds, and commits right after. The workload runs with
#         synchronous_commit FRESH_SYNC_COMMIT (default on, PostgreSQL's default;
#         the throwaway cluster's own default is off): a walsender decodes only
#         WAL flushed to disk, and with asynchronous commit the WAL writer
#         flushes every wal_writer_delay (200ms), which adds up to 200 ms to
#         every transaction's delay before wharf can see it.
#      c. wharf logs, for each batch, when its DuckDB commit returned ("load
#         <source>: batch <seq> committed at <us> us", src/load/loader.cpp): from
#         then on the batch is visible to any reader. DuckDB allows one writer
#         process, so nothing else opens the warehouse while wharf runs.
#      d. after the workload: wait until the last staged batch is committed,
#         stop wharf (SIGTERM), then read each staged events file of the run
#         (staging/<source>/data/public/events/.../<seq>.jsonl.zst): every line
#         is one workload transaction, in batch <seq>. Its freshness is
#         committed_at(<seq>) - written_us, i.e. from the moment the
#         transaction wrote (a few µs before its commit) until the warehouse
#         showed it. Reports p50/p95/p99/max over all transactions of the run.
#
#    The transaction (pgbench script; ids partitioned by client, so concurrent
#    clients never lock the same rows):
#      INSERT 5 orders; UPDATE 2 random preloaded orders; UPDATE the customer;
#      DELETE 1 random preloaded order; INSERT 1 events row (written_us).
#    (An update or delete of an already deleted order changes nothing, so the
#    change count is taken from what wharf staged, not assumed.)
#
# Environment: WHARF (binary, default build/wharf), CHANGES (500000, part 1),
# REPEATS (2), CLIENTS (2), CUSTOMERS (10000), ORDERS (200000), COMPRESSION
# (zstd), BATCH_MAX_BYTES (64MB), BATCH_INTERVAL (1s, part 1), FRESH_RATE
# (10000 changes/s), FRESH_SECONDS (30), FRESH_INTERVAL (200ms), FRESH_SYNC_COMMIT
# (on: synchronous_commit of the freshness workload), PARTS ("1 2";
# "2" runs freshness only), BENCH_DIR (work dir; default a new dir under /tmp,
# removed at the end unless KEEP=1; a failed run always keeps it), PORT (first
# port to try).
# Exit status: 0 when it ran correctly (whatever the numbers), 1 on a failure.
set -euo pipefail
# The whole script is one compound command, read before it runs, so editing
# this file while a benchmark runs cannot make bash execute a line twice.
{

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHARF="${WHARF:-$ROOT/build/wharf}"
CHANGES="${CHANGES:-500000}"
REPEATS="${REPEATS:-2}"
CLIENTS="${CLIENTS:-2}"
CUSTOMERS="${CUSTOMERS:-10000}"
ORDERS="${ORDERS:-200000}"
COMPRESSION="${COMPRESSION:-zstd}"
BATCH_MAX_BYTES="${BATCH_MAX_BYTES:-64MB}"
BATCH_INTERVAL="${BATCH_INTERVAL:-1s}"
FRESH_RATE="${FRESH_RATE:-10000}"
FRESH_SECONDS="${FRESH_SECONDS:-30}"
FRESH_INTERVAL="${FRESH_INTERVAL:-200ms}"
FRESH_SYNC_COMMIT="${FRESH_SYNC_COMMIT:-on}"
PARTS="${PARTS:-1 2}"
PORT="${PORT:-$((55000 + RANDOM % 5000))}"
KEEP="${KEEP:-0}"
CHANGES_PER_TXN=10

die() { printf "e2e_bench: %b\n" "$*" >&2; exit 1; }
note() { echo "e2e_bench: $*" >&2; }
source "$ROOT/bench/lib.sh"
bench_require psql pg_recvlogical pgbench pg_isready awk jq zstd
((REPEATS >= 1)) || die "REPEATS must be >= 1"
((CLIENTS >= 1)) || die "CLIENTS must be >= 1"
((CHANGES >= CHANGES_PER_TXN * CLIENTS)) || die "CHANGES must be >= $((CHANGES_PER_TXN * CLIENTS))"
((ORDERS >= 2 * CLIENTS && CUSTOMERS >= 2 * CLIENTS)) || die "ORDERS and CUSTOMERS must be >= 2 * CLIENTS"

bench_work_dir wharf-e2e-bench

LIVE_PID=""
bench_on_exit() {
  if [[ -n "$LIVE_PID" ]]; then kill -TERM "$LIVE_PID" 2>/dev/null || true; wait "$LIVE_PID" 2>/dev/null || true; fi
}

bench_start_pg
# The replication options wharf sends (keep in step with src/capture/capture.cpp).
PROTO=$(($(q -c "SHOW server_version_num") >= 160000 ? 4 : 2))
q <<SQL
CREATE TABLE public.customers (
  id int PRIMARY KEY, name text NOT NULL, balance numeric(12,2) NOT NULL, updated_at timestamptz NOT NULL);
CREATE TABLE public.orders (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, customer_id int NOT NULL,
  amount numeric(12,2) NOT NULL, status text NOT NULL, note text, updated_at timestamptz NOT NULL);
CREATE TABLE public.events (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, client int NOT NULL, written_us bigint NOT NULL);
INSERT INTO public.customers SELECT g, 'customer ' || g, 0, now() FROM generate_series(1, $CUSTOMERS) g;
INSERT INTO public.orders SELECT g, (g % $CUSTOMERS) + 1, (g % 100000) / 100.0, 'pending', md5(g::text), now()
  FROM generate_series(1, $ORDERS) g;
SELECT setval(pg_get_serial_sequence('public.orders', 'id'), $ORDERS) \gset
VACUUM ANALYZE;
SQL

# One transaction: 10 changes. Preloaded ids are split between clients by
# residue (pgbench's client_id is 0-based), so no two clients lock one row.
cat >"$WORK/txn.sql" <<'PGB'
\set per_client_orders :orders / :clients
\set per_client_customers :customers / :clients
\set cid random(0, :per_client_customers - 1) * :clients + :client_id + 1
\set o1 random(0, :per_client_orders - 1) * :clients + :client_id + 1
\set o2 random(0, :per_client_orders - 1) * :clients + :client_id + 1
\set o3 random(0, :per_client_orders - 1) * :clients + :client_id + 1
BEGIN;
INSERT INTO public.orders (customer_id, amount, status, note, updated_at)
  SELECT :cid, round((random() * 1000)::numeric, 2), 'pending', md5(random()::text), clock_timestamp()
  FROM generate_series(1, 5);
UPDATE public.orders SET status = 'paid', updated_at = clock_timestamp() WHERE id = :o1;
UPDATE public.orders SET status = 'shipped', amount = amount + 1, updated_at = clock_timestamp() WHERE id = :o2;
UPDATE public.customers SET balance = balance + 1, updated_at = clock_timestamp() WHERE id = :cid;
DELETE FROM public.orders WHERE id = :o3;
INSERT INTO public.events (client, written_us)
  VALUES (:client_id, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint);
END;
PGB
PGBENCH=(env PGDATABASE=bench pgbench -n -h 127.0.0.1 -p "$PORT" -U postgres -f "$WORK/txn.sql" -c "$CLIENTS" -j "$CLIENTS"
  -D clients="$CLIENTS" -D orders="$ORDERS" -D customers="$CUSTOMERS")

write_config() {  # $1 = name, $2 = batch max_interval
  cat >"$WORK/$1.yaml" <<YAML
sources:
  - name: $1
    dsn: $DSN
    tables: ["public.customers", "public.orders", "public.events"]
staging:
  url: file://./stage_$1
  format: jsonl
  compression: $COMPRESSION
  batch: { max_bytes: $BATCH_MAX_BYTES, max_interval: $2 }
  retention: forever   # the freshness part reads the staged events files after the run
target:
  type: duckdb
  path: ./warehouse_$1.duckdb
YAML
}
# Slot, publication and full load of the preloaded rows, before the workload.
init_source() {  # $1 = name
  "$WHARF" run -c "$WORK/$1.yaml" --once >"$WORK/$1_init.log" 2>&1 ||
    die "wharf run --once on the preloaded tables failed:\n$(tail -20 "$WORK/$1_init.log")"
  ls "$WORK/stage_$1/$1/manifests/" | wc -l >"$WORK/$1_init_manifests"
}
staged_rows() {  # $1 = name: rows in the manifests written after its init run
  ls "$WORK/stage_$1/$1/manifests/"*.json | sort | tail -n +$(($(cat "$WORK/$1_init_manifests") + 1)) |
    xargs -r cat | grep -o '"rows": *[0-9]*' | awk -F: '{ s += $2 } END { print s + 0 }'
}
warehouse_rows() {  # $1 = name, $2 = table: rows in the warehouse (wharf status --json)
  "$WHARF" status -c "$WORK/$1.yaml" --json >"$WORK/$1_status.json" 2>"$WORK/$1_status.err" ||
    die "wharf status failed:\n$(cat "$WORK/$1_status.err")"
  jq -r --arg t "$2" '.sources[0].tables[] | select(.table == $t) | .warehouse_rows // -1' "$WORK/$1_status.json"
}
pct() {  # $1 = sorted file of numbers, $2 = percentile (0..100): nearest rank
  awk -v p="$2" '{ a[NR] = $1 } END { if (NR == 0) { print "nan"; exit }
    i = int((p / 100) * NR + 0.999999); if (i < 1) i = 1; if (i > NR) i = NR; print a[i] }' "$1"
}
TIMEFORMAT='%3R %3U %3S'
SERVER_VERSION=$(q -c 'SHOW server_version')

# ============================== part 1: throughput ==============================
if [[ " $PARTS " == *" 1 "* ]]; then
for i in $(seq 1 "$REPEATS"); do
  write_config "e2e_$i" "$BATCH_INTERVAL"
  init_source "e2e_$i"
  q -c "SELECT pg_create_logical_replication_slot('bench_recv_$i', 'pgoutput')" >/dev/null
done
TXNS_PER_CLIENT=$((CHANGES / CHANGES_PER_TXN / CLIENTS))
EVENTS_BEFORE=$(q -c "SELECT count(*) FROM public.events")
START_LSN=$(q -c "SELECT pg_current_wal_lsn()")
t0=$(now_s)
"${PGBENCH[@]}" -t "$TXNS_PER_CLIENT" >"$WORK/pgbench_tp.log" 2>&1 ||
  die "pgbench failed:\n$(tail -20 "$WORK/pgbench_tp.log")"
t1=$(now_s)
# The insert position: past the last commit record.
END_LSN=$(q -c "SELECT pg_current_wal_insert_lsn()")
EVENTS=$(($(q -c "SELECT count(*) FROM public.events") - EVENTS_BEFORE))
((EVENTS == TXNS_PER_CLIENT * CLIENTS)) || die "pgbench committed $EVENTS transactions, expected $((TXNS_PER_CLIENT * CLIENTS))"
WAL_MB=$(q -c "SELECT round(pg_wal_lsn_diff('$END_LSN', '$START_LSN') / 1048576.0)")
GEN_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
note "$EVENTS transactions written by pgbench (${GEN_S}s, ${WAL_MB} MB of WAL); timing consumers"

run_recv() {  # $1 = repeat; prints "real user sys"
  { time pg_recvlogical -h 127.0.0.1 -p "$PORT" -U postgres -d bench --slot "bench_recv_$1" --start \
      --plugin=pgoutput -o proto_version="$PROTO" -o streaming=on -o "publication_names=$(pub_of "$1")" \
      -f /dev/null --endpos="$END_LSN" --no-loop 2>"$WORK/recv_$1.log"; } 2>"$WORK/recv_$1.time" ||
    die "pg_recvlogical failed:\n$(tail -20 "$WORK/recv_$1.log")"
  cat "$WORK/recv_$1.time"
}
pub_of() { echo "wharf_e2e_$1"; }  # wharf's default publication (and slot) name: wharf_<source>
run_wharf() {
  { time "$WHARF" run -c "$WORK/e2e_$1.yaml" --once >"$WORK/e2e_$1.log" 2>&1; } 2>"$WORK/e2e_$1.time" ||
    die "wharf run --once failed:\n$(tail -20 "$WORK/e2e_$1.log")"
  cat "$WORK/e2e_$1.time"
}
declare -a RECV_T WHARF_T RATIO STAGED
for i in $(seq 1 "$REPEATS"); do
  [[ "$(q -c "SELECT count(*) FROM pg_publication WHERE pubname = '$(pub_of "$i")'")" == 1 ]] ||
    die "wharf's publication $(pub_of "$i") not found"
  if ((i % 2 == 1)); then r=$(run_recv "$i"); w=$(run_wharf "$i"); else w=$(run_wharf "$i"); r=$(run_recv "$i"); fi
  STAGED[$i]=$(staged_rows "e2e_$i")
  landed=$(warehouse_rows "e2e_$i" public.events)
  ((landed == EVENTS_BEFORE + EVENTS)) ||
    die "warehouse e2e_$i holds $landed events rows, expected $((EVENTS_BEFORE + EVENTS)) (see $WORK/e2e_$i.log)"
  recv_done=$(q -c "SELECT confirmed_flush_lsn >= '$END_LSN'::pg_lsn OR pg_wal_lsn_diff('$END_LSN', confirmed_flush_lsn) < 1024 FROM pg_replication_slots WHERE slot_name = 'bench_recv_$i'")
  [[ "$recv_done" == t ]] || die "pg_recvlogical stopped short of $END_LSN"
  RECV_T[$i]="$r"; WHARF_T[$i]="$w"
  RATIO[$i]=$(awk -v r="${r%% *}" -v w="${w%% *}" 'BEGIN { printf "%.3f", r / w }')
done
TP_MEDIAN=$(printf '%s\n' "${RATIO[@]}" | sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
TP_LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
fi

# ============================== part 2: freshness ===============================
if [[ " $PARTS " == *" 2 "* ]]; then
write_config fresh "$FRESH_INTERVAL"
init_source fresh
FRESH_TPS=$((FRESH_RATE / CHANGES_PER_TXN))
"$WHARF" run -c "$WORK/fresh.yaml" --log-level debug >"$WORK/fresh.log" 2>&1 &
LIVE_PID=$!
# Streaming once its capture has confirmed the slot once more (nothing to do yet).
for _ in $(seq 1 100); do
  kill -0 "$LIVE_PID" 2>/dev/null || die "wharf run exited early:\n$(tail -20 "$WORK/fresh.log")"
  grep -q "committed at\|capture fresh" "$WORK/fresh.log" 2>/dev/null && break
  sleep 0.1
done
sleep 1
F_EVENTS_BEFORE=$(q -c "SELECT count(*) FROM public.events")
note "freshness: $FRESH_TPS transactions/s (~$FRESH_RATE changes/s) for ${FRESH_SECONDS}s, batch max_interval $FRESH_INTERVAL"
f0=$(now_s)
PGOPTIONS="-c synchronous_commit=$FRESH_SYNC_COMMIT" "${PGBENCH[@]}" -R "$FRESH_TPS" -T "$FRESH_SECONDS" >"$WORK/pgbench_fresh.log" 2>&1 ||
  die "pgbench failed:\n$(tail -20 "$WORK/pgbench_fresh.log")"
f1=$(now_s)
F_END_LSN=$(q -c "SELECT pg_current_wal_insert_lsn()")
F_EVENTS=$(($(q -c "SELECT count(*) FROM public.events") - F_EVENTS_BEFORE))
# Wait until wharf's capture confirmed the end and its loader committed the last staged batch.
for _ in $(seq 1 600); do
  kill -0 "$LIVE_PID" 2>/dev/null || die "wharf run exited during the workload:\n$(tail -20 "$WORK/fresh.log")"
  last_staged=$(ls "$WORK/stage_fresh/fresh/manifests/" | sort | tail -1 | sed 's/^0*//; s/\.json$//')
  last_applied=$(grep -o 'batch [0-9]* committed at' "$WORK/fresh.log" | tail -1 | awk '{ print $2 }')
  if [[ -n "$last_applied" && "$last_applied" == "$last_staged" ]]; then
    done_ok=$(q -c "SELECT coalesce(bool_and(confirmed_flush_lsn >= '$F_END_LSN'::pg_lsn), false) FROM pg_replication_slots WHERE slot_name = 'wharf_fresh'")
    [[ "$done_ok" == t ]] && break
  fi
  sleep 0.2
done
kill -TERM "$LIVE_PID"; wait "$LIVE_PID" || die "wharf run did not stop cleanly:\n$(tail -20 "$WORK/fresh.log")"
LIVE_PID=""

# committed_at per batch seq, from the loader's lines.
grep -o 'batch [0-9]* committed at [0-9]* us' "$WORK/fresh.log" | awk '{ print $2, $5 }' >"$WORK/fresh_commits"
# seq written_us per workload transaction, from the staged events files of the live run.
: >"$WORK/fresh_rows"
INIT_LAST=$(ls "$WORK/stage_fresh/fresh/manifests/" | sort | head -n "$(cat "$WORK/fresh_init_manifests")" | tail -1 | sed 's/^0*//; s/\.json$//')
INIT_LAST=${INIT_LAST:-0}
while read -r f; do
  seq=$(basename "$f"); seq=${seq%%[._]*}; seq=$((10#$seq))
  ((seq > INIT_LAST)) || continue
  if [[ "$f" == *.zst ]]; then zstd -dcq "$f"; else cat "$f"; fi |
    jq -r --arg s "$seq" 'select(.op == "I") | "\($s) \(.row.written_us)"' >>"$WORK/fresh_rows"
done < <(find "$WORK/stage_fresh/fresh/data/public/events" -name '*.jsonl*' | sort)
F_ROWS=$(wc -l <"$WORK/fresh_rows")
((F_ROWS == F_EVENTS)) || die "staged $F_ROWS events rows during the freshness run, the source committed $F_EVENTS"
# Latency per transaction in ms; a batch without a commit line fails the run.
awk 'NR == FNR { at[$1] = $2; next }
     !($1 in at) { print "missing " $1; exit 1 }
     { printf "%.3f\n", (at[$1] - $2) / 1000 }' "$WORK/fresh_commits" "$WORK/fresh_rows" | sort -n >"$WORK/fresh_ms" ||
  die "a batch holding workload rows has no commit line in $WORK/fresh.log"
F_P50=$(pct "$WORK/fresh_ms" 50); F_P95=$(pct "$WORK/fresh_ms" 95); F_P99=$(pct "$WORK/fresh_ms" 99)
F_MAX=$(tail -1 "$WORK/fresh_ms"); F_MIN=$(head -1 "$WORK/fresh_ms")
F_SECS=$(awk -v a="$f0" -v b="$f1" 'BEGIN { printf "%.1f", b - a }')
F_CHANGES=$(staged_rows fresh)
F_BATCHES=$(($(ls "$WORK/stage_fresh/fresh/manifests/" | wc -l) - $(cat "$WORK/fresh_init_manifests")))
F_TPS=$(grep -Eo 'tps = [0-9.]+' "$WORK/pgbench_fresh.log" | head -1 | awk '{ print $3 }')
F_LAG=$(grep -Eo 'rate limit schedule lag: avg [0-9.]+ \(max [0-9.]+\)' "$WORK/pgbench_fresh.log" | head -1 || true)
F_LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
fi

# ================================== report ======================================
echo
echo "== end-to-end: PostgreSQL -> staging -> DuckDB =="
echo "configuration: PostgreSQL $SERVER_VERSION (fsync off, synchronous_commit off), wharf $WHARF_REV;"
echo "  tables public.customers ($CUSTOMERS rows), public.orders ($ORDERS preloaded), public.events (append-only);"
echo "  pgbench $CLIENTS clients, one transaction = 5 order inserts, 2 order updates, 1 customer update,"
echo "  1 order delete, 1 events insert (10 changes); staging file:// local, jsonl, $COMPRESSION, batch max_bytes $BATCH_MAX_BYTES;"
echo "  target duckdb (file); machine: $(nproc) cores shared with other work, client, server and wharf on one host"
if [[ " $PARTS " == *" 1 "* ]]; then
  echo
  echo "-- throughput: fixed WAL drained from slots made before the workload (ABBA, $REPEATS repeats) --"
  echo "  $EVENTS transactions, $WAL_MB MB of WAL (written by pgbench in ${GEN_S}s); batch max_interval $BATCH_INTERVAL;"
  echo "  pg_recvlogical: pgoutput proto_version=$PROTO streaming=on, wharf's publication, -f /dev/null --endpos $END_LSN;"
  echo "  wharf: run --once (capture + stage + load + DuckDB commit, start-up included); load average after: $TP_LOAD"
  printf '  %-7s %-10s %-36s %-36s %s\n' "repeat" "changes" "pg_recvlogical s (changes/s) cpu" "wharf s (changes/s) cpu" "ratio"
  for i in $(seq 1 "$REPEATS"); do
    read -r rr ru rs <<<"${RECV_T[$i]}"
    read -r wr wu ws <<<"${WHARF_T[$i]}"
    printf '  %-7s %-10s %-36s %-36s %s\n' "$i" "${STAGED[$i]}" \
      "$(awk -v t="$rr" -v n="${STAGED[$i]}" -v u="$ru" -v s="$rs" 'BEGIN { printf "%.2f (%.0f) %.2f", t, n / t, u + s }')" \
      "$(awk -v t="$wr" -v n="${STAGED[$i]}" -v u="$wu" -v s="$ws" 'BEGIN { printf "%.2f (%.0f) %.2f", t, n / t, u + s }')" \
      "${RATIO[$i]}"
  done
  echo "  ratio wharf / pg_recvlogical (changes/s, median): $TP_MEDIAN   target >= 0.7: $(awk -v m="$TP_MEDIAN" 'BEGIN { print (m >= 0.7) ? "PASS" : "FAIL" }')"
fi
if [[ " $PARTS " == *" 2 "* ]]; then
  echo
  echo "-- freshness: pgbench -R $FRESH_TPS (~$FRESH_RATE changes/s) for ${FRESH_SECONDS}s, wharf run (live), batch max_interval $FRESH_INTERVAL, synchronous_commit $FRESH_SYNC_COMMIT --"
  echo "  achieved: $F_EVENTS transactions, $F_CHANGES changes in ${F_SECS}s ($(awk -v n="$F_CHANGES" -v t="$F_SECS" 'BEGIN { printf "%.0f", n / t }') changes/s; pgbench tps $F_TPS${F_LAG:+, $F_LAG ms}),"
  echo "  $F_BATCHES batches; load average after: $F_LOAD"
  echo "  freshness per transaction = DuckDB commit of its batch returned - clock_timestamp() at its last write:"
  echo "  min ${F_MIN} ms, p50 ${F_P50} ms, p95 ${F_P95} ms, p99 ${F_P99} ms, max ${F_MAX} ms"
  echo "  p50 < 500 ms: $(awk -v v="$F_P50" 'BEGIN { print (v < 500) ? "PASS" : "FAIL" }')   p99 < 1500 ms: $(awk -v v="$F_P99" 'BEGIN { print (v < 1500) ? "PASS" : "FAIL" }')"
  if awk -v a="$F_TPS" -v t="$FRESH_TPS" 'BEGIN { exit !(a < 0.95 * t) }'; then
    echo "  note: pgbench reached less than 95 % of the requested rate (machine too busy)"
  fi
fi
exit 0
}
