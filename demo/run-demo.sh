#!/usr/bin/env bash
# wharf demo: a live PostgreSQL shop replicated into DuckDB, then checked row by row.
#
#   1. start a throwaway PostgreSQL (stopped again on exit, whatever happens)
#   2. create the `shop` database and seed it (demo/schema.sql)
#   3. run a pgbench workload (demo/workload/*.sql) for 20 seconds and, while it runs,
#      `wharf run`: full load, then streaming changes into .demo/warehouse.duckdb
#   4. stop wharf with Ctrl-C (SIGINT), catch up with `wharf run --once`
#   5. `wharf status` and `wharf validate`; the script exits with validate's exit code
#   6. the dbt project demo/analytics, built by wharf after every load (models, seeds,
#      a snapshot, tests): a few rows of its aggregate views
#
# Everything lands in .demo/ at the repository root, wiped at the start of every run.
# Environment: WHARF (binary, default build/wharf), DEMO_PORT (first port to try, 54329),
# DEMO_SECONDS (workload length, 20), DEMO_CLIENTS (pgbench clients, 4).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEMO="$ROOT/demo"
WORK="$ROOT/.demo"
WHARF="${WHARF:-$ROOT/build/wharf}"
PORT="${DEMO_PORT:-54329}"
SECONDS_OF_WORK="${DEMO_SECONDS:-20}"
CLIENTS="${DEMO_CLIENTS:-4}"

# Prefer the server's own client tools (pgbench, psql, pg_isready) when they are there.
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)}"
[[ -n "$PG_BIN" && -d "$PG_BIN" ]] && PATH="$PG_BIN:$PATH"

started_at=$(date +%s)
if [[ -t 1 ]]; then BOLD=$'\033[1m' RED=$'\033[1;31m' OFF=$'\033[0m'; else BOLD="" RED="" OFF=""; fi
say() { printf '\n%s==> %s%s\n' "$BOLD" "$*" "$OFF"; }
note() { printf '    %s\n' "$*"; }
die() { printf '\n%sdemo failed: %s%s\n' "$RED" "$*" "$OFF" >&2; exit 1; }

for tool in psql pgbench pg_isready; do
  command -v "$tool" >/dev/null || die "$tool not found; run scripts/setup.sh (or: make demo)"
done
[[ -x "$WHARF" ]] || die "$WHARF is missing; build it first (make build, or: make demo)"

# --- cleanup: always stop what we started ------------------------------------------------
PGBENCH_PID=""
WHARF_PID=""
PG_STARTED=0
cleanup() {
  local code=$?
  trap - EXIT INT TERM
  for pid in "$PGBENCH_PID" "$WHARF_PID"; do
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  if ((PG_STARTED)); then
    echo
    echo "==> stopping PostgreSQL"
    "$ROOT/scripts/pg-cluster.sh" stop "$WORK/pg" || true
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'echo; echo "interrupted"; exit 130' INT
trap 'exit 143' TERM

# --- fresh work directory ------------------------------------------------------------------
# A previous run that was killed hard may have left its server running: stop it first.
[[ -f "$WORK/pg/postmaster.pid" ]] && "$ROOT/scripts/pg-cluster.sh" stop "$WORK/pg" || true
rm -rf "$WORK"
mkdir -p "$WORK"

# --- PostgreSQL ----------------------------------------------------------------------------
PG_STARTED=1
PORT=$("$ROOT/scripts/pg-cluster.sh" start-free "$WORK/pg" "$PORT") || die "could not start PostgreSQL"
say "started PostgreSQL on port $PORT"
note "data directory .demo/pg, server log .demo/pg/server.log"

PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres)
DSN="postgres://postgres@127.0.0.1:$PORT/shop"

say "creating database shop and loading demo/schema.sql"
t0=$(date +%s)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE shop"
"${PSQL[@]}" -d shop -f "$DEMO/schema.sql" >/dev/null
"${PSQL[@]}" -d shop -At -F ' ' -c "
  SELECT format('%-12s %7s rows', t, n) FROM (
    SELECT 'customers' t, count(*) n, 1 o FROM customers UNION ALL
    SELECT 'products', count(*), 2 FROM products UNION ALL
    SELECT 'orders', count(*), 3 FROM orders UNION ALL
    SELECT 'order_items', count(*), 4 FROM order_items UNION ALL
    SELECT 'reviews', count(*), 5 FROM reviews) s ORDER BY o" | sed 's/^/    /'
note "seeded in $(($(date +%s) - t0)) s"

# --- wharf configuration -------------------------------------------------------------------
cat >"$WORK/wharf.yaml" <<YAML
# Written by demo/run-demo.sh. Relative paths resolve against this file's folder (.demo/).
sources:
  - name: shop
    dsn: $DSN
    tables: ["public.*"]
staging:
  url: file://./stage
  compression: zstd
  batch: { max_bytes: 16MB, max_interval: 500ms }
target:
  type: duckdb
  path: ./warehouse.duckdb
models:
  project: ../demo/analytics   # a dbt project: built after loads, in this process
  every: 5s
YAML
CONFIG="$WORK/wharf.yaml"
say "wrote .demo/wharf.yaml"
sed 's/^/    /' "$CONFIG" | grep -v '^    #'

# --- live workload + wharf run -------------------------------------------------------------
say "starting the shop workload: pgbench, $CLIENTS clients for $SECONDS_OF_WORK s"
WORKLOAD=(
  -f "$DEMO/workload/new_order.sql@40"
  -f "$DEMO/workload/order_status.sql@25"
  -f "$DEMO/workload/new_review.sql@15"
  -f "$DEMO/workload/product_price.sql@10"
  -f "$DEMO/workload/customer.sql@5"
  -f "$DEMO/workload/delete_review.sql@5"
)
note "new orders 40%, order status 25%, reviews 15%, price changes 10%, customers 5%, review deletes 5%"
pgbench -n -h 127.0.0.1 -p "$PORT" -U postgres -c "$CLIENTS" -j 2 -T "$SECONDS_OF_WORK" -P 5 \
  "${WORKLOAD[@]}" shop >"$WORK/pgbench.log" 2>&1 &
PGBENCH_PID=$!

sleep 2  # let the workload get going, so the full load runs against a busy database
say "starting wharf run (full load, then streaming) while the workload runs"
note "log: .demo/wharf-run.log"
"$WHARF" run -c "$CONFIG" >"$WORK/wharf-run.log" 2>&1 &
WHARF_PID=$!

# Show pgbench's progress lines as they come, and notice if wharf dies early.
shown=0
while kill -0 "$PGBENCH_PID" 2>/dev/null; do
  sleep 1
  lines=$(grep -c '^progress:' "$WORK/pgbench.log" || true)
  if ((lines > shown)); then
    grep '^progress:' "$WORK/pgbench.log" | tail -n +"$((shown + 1))" | sed 's/^/    /'
    shown=$lines
  fi
  if [[ -n "$WHARF_PID" ]] && ! kill -0 "$WHARF_PID" 2>/dev/null; then
    wait "$WHARF_PID" && rc=0 || rc=$?
    WHARF_PID=""
    echo
    tail -20 "$WORK/wharf-run.log" | sed 's/^/    /'
    die "wharf run exited early (exit code $rc) while the workload was running; see .demo/wharf-run.log"
  fi
done
wait "$PGBENCH_PID" && pgbench_rc=0 || pgbench_rc=$?
PGBENCH_PID=""

say "workload finished"
grep -E '^(number of transactions actually processed|number of failed transactions|latency average|tps =)' \
  "$WORK/pgbench.log" | sed -E 's/^/    /; s/ \(without initial connection time\)//'
if ((pgbench_rc != 0)); then
  note "pgbench exited with code $pgbench_rc; see .demo/pgbench.log (validation still runs)"
  grep -iE 'error|abort' "$WORK/pgbench.log" | head -5 | sed 's/^/    /' || true
fi

say "stopping wharf run with Ctrl-C (SIGINT)"
kill -INT "$WHARF_PID"
wait "$WHARF_PID" && wharf_rc=0 || wharf_rc=$?
WHARF_PID=""
grep -E 'full load staged|stopped cleanly|done|warn|error' "$WORK/wharf-run.log" | cut -c 25- | sed 's/^/    /' || true
if ((wharf_rc != 0)); then
  tail -20 "$WORK/wharf-run.log" | sed 's/^/    /'
  die "wharf run exited with code $wharf_rc after SIGINT; see .demo/wharf-run.log"
fi

say "catching up: wharf run --once"
t0=$(date +%s)
if ! "$WHARF" run -c "$CONFIG" --once >"$WORK/wharf-once.log" 2>&1; then
  tail -20 "$WORK/wharf-once.log" | sed 's/^/    /'
  die "wharf run --once failed; see .demo/wharf-once.log"
fi
cut -c 25- "$WORK/wharf-once.log" | sed 's/^/    /'
note "caught up in $(($(date +%s) - t0)) s"

say "wharf status"
"$WHARF" status -c "$CONFIG" | sed 's/^/    /'

say "wharf validate: is the warehouse equal to the source, row by row?"
set +e
"$WHARF" validate -c "$CONFIG" | sed 's/^/    /'
validate_rc=${PIPESTATUS[0]}
set -e

say "models: demo/analytics, built by wharf run after the loads (dbt-compatible)"
"$WHARF" models ls -c "$CONFIG" --resource-type model snapshot seed | sed 's/^/    /'
grep -E 'models:' "$WORK/wharf-once.log" | cut -c 25- | sed 's/^/    /' || true
models_rc=0
for view in daily_revenue top_products; do
  "$WHARF" models show -c "$CONFIG" -s "$view" --limit 5 | sed 's/^/    /' || models_rc=1
done
"$WHARF" models show -c "$CONFIG" --limit 5 --inline \
  "select product_id, count(*) as versions from {{ ref('product_prices') }} group by product_id order by versions desc, product_id" \
  | sed 's/^/    /' || models_rc=1
if grep -q 'models:.*failed' "$WORK/wharf-once.log"; then
  models_rc=1
  note "the models failed; see .demo/wharf-once.log and demo/analytics/target/run_results.json"
fi
((validate_rc == 0 && models_rc != 0)) && validate_rc=$models_rc

echo
if ((validate_rc == 0)); then
  echo "Demo finished in $(($(date +%s) - started_at)) s. The warehouse is .demo/warehouse.duckdb;"
  echo "see demo/README.md for how to look inside."
else
  echo "Demo finished in $(($(date +%s) - started_at)) s, but validate found differences (exit $validate_rc)."
  echo "Logs: .demo/wharf-run.log, .demo/wharf-once.log, .demo/pgbench.log"
fi
exit "$validate_rc"
