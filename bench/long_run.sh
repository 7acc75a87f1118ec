#!/usr/bin/env bash
# Long run (issue 7; not in the default tests): DURATION seconds (default an
# hour) of a mixed pgbench workload into DuckDB with wharf run, killed with
# SIGKILL and restarted every KILL_EVERY seconds (default 300), and wharf
# validate every VALIDATE_EVERY seconds (default 600; run with the pipeline
# stopped, since DuckDB has one writer). Samples wharf's RSS every 10 s and the
# slot's lag behind the server's WAL (bytes); prints RSS at the start, middle
# and end, the largest lag, and every validation's result. Exit 1 if any
# validation found a difference.
#   WHARF=build/wharf DURATION=3600 bench/long_run.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHARF="${WHARF:-$ROOT/build/wharf}"
DURATION="${DURATION:-3600}"
KILL_EVERY="${KILL_EVERY:-300}"
VALIDATE_EVERY="${VALIDATE_EVERY:-600}"
PORT="${PORT:-55480}"
die() { echo "long_run: $*" >&2; exit 1; }
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
bench_require pgbench
bench_on_exit() {
  [[ -n "${BENCH_PID:-}" ]] && kill -CONT "$BENCH_PID" 2>/dev/null && kill "$BENCH_PID" 2>/dev/null || true
  [[ -n "${RUN_PID:-}" ]] && kill -TERM "$RUN_PID" 2>/dev/null && wait "$RUN_PID" 2>/dev/null || true
}
bench_work_dir wharf-long-run
bench_start_pg
pgbench -i -s 5 -q "$DSN" >"$WORK/pgbench-init.log" 2>&1
q -c "ALTER TABLE pgbench_history REPLICA IDENTITY FULL"
cat >"$WORK/wharf.yaml" <<YAML
sources:
  - name: bench
    dsn: $DSN
    tables: ["public.*"]
staging:
  url: file://./stage
  retention: 0s
target:
  type: duckdb
  path: ./warehouse.duckdb
  memory_limit: 256MB
server:
  listen: "off"
YAML
start_run() {
  "$WHARF" run -c "$WORK/wharf.yaml" >>"$WORK/run.log" 2>&1 &
  RUN_PID=$!
}
# SIGTERM, not SIGINT: bash starts background jobs with SIGINT ignored, and a
# signal sent before wharf installed its handlers would be lost. A stop that
# takes over 2 minutes is a failure (then SIGKILL).
stop_run() {
  sleep 2
  kill -TERM "$RUN_PID" 2>/dev/null || true
  for _ in $(seq 120); do kill -0 "$RUN_PID" 2>/dev/null || break; sleep 1; done
  if kill -0 "$RUN_PID" 2>/dev/null; then
    echo "long_run: wharf did not stop within 2 minutes of SIGTERM" >&2
    failures=$((failures + 1))
    kill -KILL "$RUN_PID" 2>/dev/null || true
  fi
  wait "$RUN_PID" 2>/dev/null || true
}
lag() { q -c "SELECT pg_current_wal_lsn() - confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'wharf_bench'"; }

pgbench -n -c 4 -j 2 -T "$DURATION" -R 200 "$DSN" >"$WORK/pgbench.log" 2>&1 &
BENCH_PID=$!
start_run
t0=$(date +%s)
next_kill=$KILL_EVERY
next_validate=$((VALIDATE_EVERY + KILL_EVERY / 2))  # never in the same tick as a kill
max_lag=0
rss_first="" rss_mid="" rss_last="" rss_max=0
failures=0 kills=0 validations=0
echo "long_run: ${DURATION}s, kill every ${KILL_EVERY}s, validate every ${VALIDATE_EVERY}s; wharf $WHARF_REV"
echo "seconds rss_kb lag_bytes" >"$WORK/samples.txt"
while :; do
  sleep 10
  now=$(($(date +%s) - t0))
  ((now >= DURATION)) && break
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$RUN_PID/status" 2>/dev/null || echo 0)
  l=$(lag || echo 0)
  echo "$now $rss $l" >>"$WORK/samples.txt"
  [[ -z "$rss_first" && "$now" -ge 60 ]] && rss_first=$rss
  ((now >= DURATION / 2)) && [[ -z "$rss_mid" ]] && rss_mid=$rss
  rss_last=$rss
  ((rss > rss_max)) && rss_max=$rss
  ((l > max_lag)) && max_lag=$l
  if ((now >= next_kill)); then
    kill -KILL "$RUN_PID" 2>/dev/null || true
    wait "$RUN_PID" 2>/dev/null || true
    kills=$((kills + 1))
    start_run
    next_kill=$((next_kill + KILL_EVERY))
  fi
  if ((now >= next_validate)); then
    # Catch up with the workload paused, validate, go on.
    kill -STOP "$BENCH_PID"
    stop_run
    "$WHARF" run -c "$WORK/wharf.yaml" --once >>"$WORK/run.log" 2>&1 || failures=$((failures + 1))
    if "$WHARF" validate -c "$WORK/wharf.yaml" >"$WORK/validate-$now.log" 2>&1; then r=equal; else r=DIFFERENT; failures=$((failures + 1)); fi
    validations=$((validations + 1))
    echo "long_run: ${now}s: validate $r"
    kill -CONT "$BENCH_PID"
    start_run
    next_validate=$((next_validate + VALIDATE_EVERY))
  fi
done
wait "$BENCH_PID" 2>/dev/null || true
BENCH_PID=""
stop_run
"$WHARF" run -c "$WORK/wharf.yaml" --once >>"$WORK/run.log" 2>&1 || failures=$((failures + 1))
if "$WHARF" validate -c "$WORK/wharf.yaml" >"$WORK/validate-final.log" 2>&1; then r=equal; else r=DIFFERENT; failures=$((failures + 1)); fi
validations=$((validations + 1))
RUN_PID=""
echo "long_run: final validate $r"
echo "long_run: $kills SIGKILLs, $validations validations, $failures failed"
echo "long_run: wharf RSS ${rss_first:-?} kB at 1 min, ${rss_mid:-?} kB at half time, ${rss_last:-?} kB at the end, ${rss_max} kB at most"
echo "long_run: largest slot lag $max_lag bytes; samples in $WORK/samples.txt (KEEP=1 keeps them)"
((failures == 0))
