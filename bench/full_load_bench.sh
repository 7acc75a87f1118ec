#!/usr/bin/env bash
# Full-load throughput (issue 4): wharf's first full load of one table, all
# the way into DuckDB, against `COPY (SELECT * FROM t) TO STDOUT` of the same
# table into /dev/null, measured in the same run. Target: ratio >= 0.6.
#
#   1. throwaway PostgreSQL 15 (scripts/pg-cluster.sh) in a temp dir on a free port
#   2. table public.items, ROWS rows of 8 mixed columns (bigint pk, int, text of
#      20 to 40 characters, numeric(12,2), timestamptz, boolean, date, varchar(30);
#      ~10 % NULLs in the last two), from generate_series; VACUUM (FREEZE,
#      ANALYZE), so neither reader sets hint bits; one untimed COPY warms the cache
#   3. for each configuration in CONFIGS (workers:compression:full-load batch_bytes[:memory_limit[:format]]),
#      alternating with the reference:
#        reference: psql -c "COPY (SELECT * FROM public.items) TO STDOUT" > /dev/null
#        wharf:     `wharf run -c fl_<i>.yaml --once` from an empty staging dir and
#                   warehouse (new slot and publication): time to exit 0, i.e. the
#                   table copied under the slot's snapshot, staged, loaded into
#                   DuckDB and committed; then its slot and publication are dropped
#      a reference run before and after each wharf run; a configuration's ratio
#      uses the mean of the two around it (absolute times drift on a shared machine)
#   4. checks after every wharf run: warehouse rows = ROWS (`wharf status --json`),
#      and `wharf validate --table public.items` when VALIDATE=1 (default when
#      ROWS <= 1,000,000: it is slow)
#   5. prints, per run: seconds, rows/s, ratio wharf / COPY, CPU per row of the
#      wharf process and of the PostgreSQL server, the phases from wharf's log
#      (copy+stage until "full load staged", the load tail after it until
#      "done"; batches applied while copying), peak RSS, staged MB; then the
#      median ratio per configuration, best first, against the 0.6 target
#
# Environment: WHARF (binary, default build/wharf), ROWS (5000000), CONFIGS
# (default "1:zstd:256MB 2:zstd:256MB 1:none:256MB 1:zstd:64MB"; the
# fourth field, DuckDB's memory_limit, is optional: empty is DuckDB's default; the fifth,
# staging.format, is optional: jsonl by default, e.g. 2:zstd:256MB::parquet),
# REPEATS (passes over CONFIGS, even passes in reverse order; 1), VALIDATE,
# BATCH_INTERVAL (1s), PERF=1 (`perf record` of the first wharf run into
# BENCH_DIR/perf.data, its samples attributed to thread roles and phases (needs
# python3) and the top symbols; implies KEEP=1),
# PERF_FREQ (199 Hz), PERF_CALLGRAPH (dwarf,16384: the build has no frame pointers),
# BENCH_DIR (work dir; default a new dir under /tmp, removed at the end unless
# KEEP=1; a failed run always keeps it), PORT (first port to try), WHARF_REV (what
# to print as wharf's revision; default: the checkout's HEAD and the binary's date).
# Disk: about 600 MB per million rows at the peak (table, index and WAL, and one
# configuration's staging and warehouse at a time: zstd stages ~40 MB per
# million rows, none ~280 MB).
# Exit status: 0 when it ran and every load was complete (whatever the ratio), 1 otherwise.
set -euo pipefail
# The whole script is one compound command, read before it runs, so editing
# this file while a benchmark runs cannot make bash execute a line twice.
{

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WHARF="${WHARF:-$ROOT/build/wharf}"
ROWS="${ROWS:-5000000}"
CONFIGS="${CONFIGS:-1:zstd:256MB 2:zstd:256MB 1:none:256MB 1:zstd:64MB}"
REPEATS="${REPEATS:-1}"
VALIDATE="${VALIDATE:-$((ROWS <= 1000000 ? 1 : 0))}"
BATCH_INTERVAL="${BATCH_INTERVAL:-1s}"
PORT="${PORT:-$((55000 + RANDOM % 5000))}"
PERF="${PERF:-0}"
PERF_FREQ="${PERF_FREQ:-199}"
PERF_CALLGRAPH="${PERF_CALLGRAPH:-dwarf,16384}"
KEEP="${KEEP:-0}"
((PERF)) && KEEP=1

die() { printf "full_load_bench: %b\n" "$*" >&2; exit 1; }
note() { echo "full_load_bench: $*" >&2; }
source "$ROOT/bench/lib.sh"
bench_require psql pg_isready awk
((ROWS >= 1)) || die "ROWS must be >= 1"
((REPEATS >= 1)) || die "REPEATS must be >= 1"
read -r -a CONFIG_LIST <<<"$CONFIGS"
((${#CONFIG_LIST[@]} >= 1)) || die "CONFIGS is empty"
for c in "${CONFIG_LIST[@]}"; do
  IFS=: read -r w z b m <<<"$c"
  [[ "$w" =~ ^[0-9]+$ && -n "$z" && -n "$b" ]] ||
    die "configuration '$c' is not workers:compression:batch_bytes[:memory_limit], e.g. 2:zstd:256MB"
done
TIME_BIN=""
[[ -x /usr/bin/time ]] && TIME_BIN=/usr/bin/time
[[ -n "$TIME_BIN" ]] || note "/usr/bin/time not found (apt-get install time): no peak RSS"
TICKS=$(getconf CLK_TCK)

bench_work_dir wharf-full-load-bench
if ((PERF)); then
  # Attributes `perf script` samples (call graphs) of a full load to its phases
  # by the frames on each sample's stack; first match wins.
  cat >"$WORK/perf_phases.py" <<'PY'
import collections, re, sys

def samples(f):
    head, stack = None, []
    for line in f:
        line = line.rstrip("\n")
        if not line.strip():
            if head: yield head, stack
            head, stack = None, []
        elif not line[0].isspace():
            head, stack = line, []
        else:
            parts = line.strip().split(" ", 1)
            stack.append(parts[1] if len(parts) > 1 else parts[0])
    if head: yield head, stack

def has(stack, keys):
    return any(k in fr for fr in stack for k in keys)

COPY = [
    ("libpq receive", ("PQgetCopyData", "pqGetCopyData", "pqReadData")),
    ("ParseCopyTextRow", ("ParseCopyTextRow",)),
    ("EncodeJsonLine: FormatUtcMicros", ("FormatUtcMicros",)),
    ("EncodeJsonLine: AppendJsonString", ("AppendJsonString",)),
    ("EncodeJsonLine: rest (fmt header)", ("EncodeJsonLine",)),
    ("zstd compress", ("ZSTD_",)),
    ("checksum + file write", ("EncodingWriter",)),
    ("KeyOf (last key)", ("snapshot::KeyOf",)),
    ("batch commit, state save", ("BatchWriter::Commit", "SyncBoard::Update", "CommitInOrder")),
]
LOAD = [
    # Before the JSON read: the checksum runs inside it, as the file streams through HashingReader.
    ("checksum of staged file", ("Checksum::Update", "Loader::VerifyFile")),
    ("JSON read (zstd, simdjson, Change)", ("JsonLinesReader::Next",)),
    ("Planner::Add (std::map by key)", ("Planner::Add",)),
    ("Planner::Finish", ("Planner::Finish",)),
    ("temp table append: ConvertText", ("ConvertText",)),
    ("temp table append: AppendDatum, appender", ("AppendDatum", "Appender::", "duckdb_append")),
    ("SQL DELETE ... USING _wharf_del", ("PhysicalHashJoin", "PhysicalDelete", "JoinHashTable")),
    ("SQL INSERT ... SELECT FROM _wharf_up", ("PhysicalBatchInsert", "PhysicalInsert")),
    ("SQL COMMIT", ("CommitBatch", "PhysicalTransaction")),
    ("SQL other (parse, plan, waiting for DuckDB threads)", ("Connection::Query",)),
    ("freeing the chunk", ("TablePlan::~", "_M_erase", "~PlannedRow", "TablePlan::operator", "PlannedRow")),
]
roles, phases, n = collections.Counter(), collections.Counter(), 0
for head, stack in samples(sys.stdin):
    n += 1
    if has(stack, ("TaskScheduler::ExecuteForever",)):
        role = "DuckDB worker threads"
        p = ("INSERT, row group compression" if has(stack, ("PhysicalBatchInsert", "PhysicalInsert", "WriteToDisk", "Checkpoint"))
             else "DELETE hash join" if has(stack, ("PhysicalHashJoin", "JoinHashTable")) else "other")
    elif has(stack, ("CopyUnderSnapshot",)):
        role = "copy workers (copy + stage)"
        p = next((name for name, keys in COPY if has(stack, keys)), "other")
    elif has(stack, ("Loader::", "DuckDbWarehouse")):
        role = "loader (main thread)"
        p = next((name for name, keys in LOAD if has(stack, keys)), "other")
    else:
        role, p = "other (start-up, capture, progress)", ""
    roles[role] += 1
    phases[(role, p)] += 1
if not n:
    sys.exit("no samples")
print(f"{n} samples of wharf's CPU, by thread role and phase (% of all):")
for role, k in roles.most_common():
    print(f"  {100 * k / n:5.1f}%  {role}")
    for (r, p), kk in phases.most_common():
        if r == role and p and 100 * kk / n >= 0.5:
            print(f"      {100 * kk / n:5.1f}%  {p}")
PY
fi


bench_start_pg
POSTMASTER=$(head -1 "$WORK/pg/postmaster.pid")

# CPU seconds the PostgreSQL server used so far: the postmaster, its live
# children, and (through the postmaster's cutime/cstime) every child that
# exited, such as the backends of finished connections.
pg_cpu() {
  local pids
  pids="$POSTMASTER $(cat "/proc/$POSTMASTER/task/$POSTMASTER/children" 2>/dev/null || true)"
  for p in $pids; do
    # Fields after the ")" of comm: 12 utime, 13 stime, 14 cutime, 15 cstime.
    sed -e 's/^.*) //' "/proc/$p/stat" 2>/dev/null || true
  done | awk -v pm="$POSTMASTER" -v hz="$TICKS" 'NR == 1 { s += $14 + $15 } { s += $12 + $13 } END { printf "%.2f", s / hz }'
}
# Waits (up to 5 s) until the server has no more children than $1, i.e. the
# backends of a finished client have exited and been reaped, so pg_cpu counts them.
pg_settle() {
  local k
  for k in $(seq 1 50); do
    (($(wc -w <"/proc/$POSTMASTER/task/$POSTMASTER/children") <= $1)) && return 0
    sleep 0.1
  done
}
pg_children() { wc -w <"/proc/$POSTMASTER/task/$POSTMASTER/children"; }
# Busy and total jiffies of the whole machine (all engineers on it).
machine_cpu() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }

# --- the table ------------------------------------------------------------------------------------
note "generating public.items: $ROWS rows"
t0=$(now_s)
q <<SQL
CREATE TABLE public.items (
  id         bigint PRIMARY KEY,
  qty        int NOT NULL,
  name       text NOT NULL,
  price      numeric(12,2) NOT NULL,
  created_at timestamptz NOT NULL,
  active     boolean NOT NULL,
  day        date,
  code       varchar(30)
);
INSERT INTO public.items
SELECT g,
       (g * 7919) % 100000,
       'item ' || substr(md5(g::text), 1, 15 + (g % 21)::int),
       ((g * 7907) % 100000000 / 100.0)::numeric(12,2),
       timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second' + (g % 1000) * interval '1 millisecond',
       g % 3 <> 0,
       CASE WHEN g % 10 = 0 THEN NULL ELSE date '2020-01-01' + (g % 2000)::int END,
       CASE WHEN g % 7 = 0 THEN NULL ELSE 'C-' || to_hex((g::int8 * 2654435761) % 4294967296) END
FROM generate_series(1::int8, $ROWS::int8) g;
VACUUM (FREEZE, ANALYZE) public.items;
SQL
t1=$(now_s)
GEN_S=$(elapsed "$t0" "$t1")
TABLE_MB=$(q -c "SELECT pg_relation_size('public.items') / 1048576")
INDEX_MB=$(q -c "SELECT pg_indexes_size('public.items') / 1048576")
ROW_BYTES=$(q -c "SELECT round(avg(pg_column_size(i.*))) FROM public.items i")
# The text form COPY sends (and wharf parses), per row.
COPY_BYTES=$(q -c "SELECT round(avg(octet_length(i::text)) - 1) FROM (SELECT * FROM public.items LIMIT 100000) i")

# --- reference: COPY TO STDOUT --------------------------------------------------------------------
TIMEFORMAT='%3R %3U %3S'
run_copy() {  # prints "real_s client_cpu_s server_cpu_s"
  local before after t kids
  kids=$(pg_children)
  before=$(pg_cpu)
  t=$({ time psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d bench \
          -c "COPY (SELECT * FROM public.items) TO STDOUT" >/dev/null; } 2>&1) ||
    die "the reference COPY failed: $t"
  pg_settle "$kids"
  after=$(pg_cpu)
  read -r real user sys <<<"$t"
  awk -v r="$real" -v u="$user" -v s="$sys" -v a="$before" -v b="$after" \
    'BEGIN { printf "%.3f %.2f %.2f\n", r, u + s, b - a }'
}
note "warming the cache (one untimed COPY)"
run_copy >/dev/null

# --- wharf run --once per configuration -------------------------------------------------------------
# Log timestamps ("2026-11-26 18:58:45.123 info ...") as epoch seconds.
log_time() {  # $1 = log, $2 = grep -E pattern; first match, or empty
  local line
  line=$(grep -m1 -E "$2" "$1" | awk '{ print $1 " " $2 }' || true)
  [[ -n "$line" ]] && date -d "$line" +%s.%N || true
}
run_wharf() {  # $1 = run index, $2 = configuration; prints a result line
  local i=$1 cfg=$2 w z b m f dir yaml pre=() before after mc0 mc1 t0 t1 kids
  IFS=: read -r w z b m f <<<"$cfg"
  dir="$WORK/run_$i"
  mkdir -p "$dir"
  yaml="$dir/wharf.yaml"
  {
    echo "sources:"
    echo "  - name: fl_$i"
    echo "    dsn: $DSN"
    echo "    tables: [\"public.items\"]"
    echo "staging:"
    echo "  url: file://./stage"
    echo "  format: ${f:-jsonl}"
    echo "  compression: $z"
    echo "  batch: { max_interval: $BATCH_INTERVAL }"
    echo "target:"
    echo "  type: duckdb"
    echo "  path: ./warehouse.duckdb"
    [[ -n "$m" ]] && echo "  memory_limit: $m"
    echo "full_load:"
    echo "  workers: $w"
    echo "  batch_bytes: $b"
  } >"$yaml"
  if ((PERF)) && [[ ! -f "$WORK/perf.data" ]] && command -v perf >/dev/null; then
    pre=(perf record -e cpu-clock -F "$PERF_FREQ" --call-graph "$PERF_CALLGRAPH" -o "$WORK/perf.data" --)
    note "perf record of run $i ($cfg)"
  fi
  [[ -n "$TIME_BIN" ]] && pre=("$TIME_BIN" -f "%e %U %S %M" -o "$dir/time.txt" "${pre[@]}")
  kids=$(pg_children)
  before=$(pg_cpu)
  mc0=$(machine_cpu)
  t0=$(now_s)
  "${pre[@]}" "$WHARF" --log-level debug run -c "$yaml" --once >"$dir/wharf.log" 2>&1 ||
    die "wharf run --once ($cfg) failed:\n$(tail -20 "$dir/wharf.log")"
  t1=$(now_s)
  mc1=$(machine_cpu)
  pg_settle "$kids"
  after=$(pg_cpu)
  local real cpu rss="-"
  real=$(elapsed "$t0" "$t1")
  if [[ -n "$TIME_BIN" ]]; then
    # perf, if used, is the child of time: its own CPU counts too (small at -F 499).
    read -r _ u s k < <(tail -1 "$dir/time.txt")
    cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
    rss=$((k / 1024))
  else
    cpu="-"
  fi
  local pgcpu busy
  pgcpu=$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.2f", b - a }')
  busy=$(awk -v a="$mc0" -v b="$mc1" 'BEGIN { split(a, x, " "); split(b, y, " ");
    printf "%.0f", 100 * (y[1] - x[1]) / ((y[2] - x[2]) > 0 ? (y[2] - x[2]) : 1) }')

  # Phases, from the log.
  local t_slot t_staged t_done copy_s tail_s applied_during
  t_slot=$(log_time "$dir/wharf.log" "created slot")
  t_staged=$(log_time "$dir/wharf.log" "full load staged")
  t_done=$(log_time "$dir/wharf.log" "wharf: done")
  copy_s="?"; tail_s="?"
  [[ -n "$t_slot" && -n "$t_staged" ]] && copy_s=$(elapsed "$t_slot" "$t_staged")
  [[ -n "$t_staged" && -n "$t_done" ]] && tail_s=$(elapsed "$t_staged" "$t_done")
  # Batches committed to the warehouse before the copy finished, and in all
  # (the staged manifests themselves are gone: retention deletes them once applied).
  applied_during="?"
  if [[ -n "$t_staged" ]]; then
    applied_during=$(grep -E "batch [0-9]+ committed at" "$dir/wharf.log" | while read -r d tm rest; do
      s=$(date -d "$d $tm" +%s.%N)
      awk -v s="$s" -v e="$t_staged" 'BEGIN { exit !(s <= e) }' && echo x
    done | wc -l)
  fi
  local batches staged_mb duck_mb
  batches=$(grep -cE "batch [0-9]+ committed at" "$dir/wharf.log" || true)
  staged_mb=$(du -sm "$dir/stage" | cut -f1)
  duck_mb=$(du -cm "$dir"/warehouse.duckdb* 2>/dev/null | tail -1 | cut -f1)

  # Checks.
  "$WHARF" status -c "$yaml" --json >"$dir/status.json" 2>"$dir/status.err" ||
    die "wharf status failed: $(cat "$dir/status.err")"
  local landed valid="skipped"
  landed=$(grep -Eo '"warehouse_rows": *[0-9]+' "$dir/status.json" | head -1 | awk -F: '{ print $2 + 0 }' || true)
  [[ "$landed" == "$ROWS" ]] ||
    die "configuration $cfg: the warehouse holds ${landed:-?} rows, expected $ROWS (see $dir)"
  if ((VALIDATE)); then
    if "$WHARF" validate -c "$yaml" --table public.items >"$dir/validate.log" 2>&1; then
      valid="equal"
    else
      die "configuration $cfg: wharf validate found differences (see $dir/validate.log)"
    fi
  fi
  q -c "SELECT pg_drop_replication_slot('wharf_fl_$i')" >/dev/null
  q -c "DROP PUBLICATION IF EXISTS wharf_fl_$i" >/dev/null
  if ((!KEEP)); then rm -rf "$dir/stage" "$dir"/warehouse.duckdb*; fi
  echo "$real $cpu $pgcpu $rss $busy $copy_s $tail_s $applied_during $batches $staged_mb $duck_mb $landed $valid"
}

declare -a ORDER COPIES RESULTS
n=0
for rep in $(seq 1 "$REPEATS"); do
  if ((rep % 2 == 1)); then list=("${CONFIG_LIST[@]}"); else
    list=(); for ((k = ${#CONFIG_LIST[@]} - 1; k >= 0; k--)); do list+=("${CONFIG_LIST[$k]}"); done
  fi
  for cfg in "${list[@]}"; do
    ((n == 0)) && COPIES[0]=$(run_copy)
    n=$((n + 1))
    ORDER[$n]="$cfg"
    note "run $n: wharf run --once, workers:compression:batch_bytes[:memory_limit] = $cfg"
    RESULTS[$n]=$(run_wharf "$n" "$cfg")
    COPIES[$n]=$(run_copy)
    note "  wharf $(cut -d' ' -f1 <<<"${RESULTS[$n]}")s; COPY $(cut -d' ' -f1 <<<"${COPIES[$((n - 1))]}")s / $(cut -d' ' -f1 <<<"${COPIES[$n]}")s"
  done
done

# --- report ---------------------------------------------------------------------------------------------
rate() { awk -v n="$ROWS" -v t="$1" 'BEGIN { printf "%.0f", n / t }'; }
us_row() { awk -v n="$ROWS" -v c="$1" 'BEGIN { printf "%.2f", c * 1e6 / n }'; }
echo
echo "== full load: wharf run --once (PostgreSQL -> staging -> DuckDB) vs COPY TO STDOUT > /dev/null =="
echo "configuration: PostgreSQL $(q -c 'SHOW server_version') (shared_buffers $(q -c 'SHOW shared_buffers')), wharf $WHARF_REV;"
echo "  table public.items: $ROWS rows x 8 columns (bigint pk, int, text 20-40, numeric(12,2), timestamptz,"
echo "  boolean, date, varchar(30)), ~$ROW_BYTES bytes a row on disk, ~$COPY_BYTES bytes of COPY text a row,"
echo "  heap $TABLE_MB MB + index $INDEX_MB MB (generated in ${GEN_S}s, vacuumed, cached);"
echo "  wharf: staging file:// local, format per run (jsonl unless named), batch max_interval $BATCH_INTERVAL, target duckdb,"
echo "  log level debug; per run: full_load.workers : staging.compression : full_load.batch_bytes [: target.memory_limit]"
echo "  (memory_limit empty: DuckDB's default, 80% of RAM);"
echo "  reference: psql COPY (SELECT * FROM public.items) TO STDOUT > /dev/null, before and after each run;"
echo "  machine: $(nproc) cores (shared), client and server on the same host; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
fmt_row='%-4s %-33s %-8s %-8s %-8s %-6s %-17s %-10s %-7s %-8s %-5s %s\n'
printf "$fmt_row" "run" "configuration" "wharf s" "rows/s" "COPY r/s" "ratio" "CPU us/row w+pg" "copy+stage" "tail s" "batches" "RSS" "busy"
declare -A RATIOS
declare -a DETAIL
for i in $(seq 1 "$n"); do
  read -r real cpu pgcpu rss busy copy_s tail_s applied batches staged_mb duck_mb landed valid <<<"${RESULTS[$i]}"
  c0=$(cut -d' ' -f1 <<<"${COPIES[$((i - 1))]}")
  c1=$(cut -d' ' -f1 <<<"${COPIES[$i]}")
  cm=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.3f", (a + b) / 2 }')
  ratio=$(awk -v c="$cm" -v w="$real" 'BEGIN { printf "%.3f", c / w }')
  cfg="${ORDER[$i]}"
  IFS=: read -r w z b m f <<<"$cfg"
  label="w$w $z $b mem ${m:-default} ${f:-jsonl}"
  cpu_row="-"
  [[ "$cpu" != "-" ]] && cpu_row="$(us_row "$cpu") + $(us_row "$pgcpu")"
  printf "$fmt_row" "$i" "$label" "$real" "$(rate "$real")" "$(rate "$cm")" "$ratio" "$cpu_row" "$copy_s" "$tail_s" \
    "$applied/$batches" "$rss" "$busy%"
  RATIOS[$cfg]="${RATIOS[$cfg]:-} $ratio"
  DETAIL[$i]="staged $staged_mb MB, warehouse $duck_mb MB, landed $landed rows, validate $valid"
done
echo "(ratio: COPY s (mean of the runs before and after) / wharf s; CPU us/row: wharf process + PostgreSQL server;"
echo " copy+stage: log \"created slot\" to \"full load staged\"; tail: \"full load staged\" to \"done\", the load"
echo " that did not overlap the copy; batches: committed to the warehouse while copying / in all, the truncate batch included;"
echo " RSS: wharf's peak, MB; busy: all cores, all users, during the run)"
for i in $(seq 1 "$n"); do echo "run $i: ${DETAIL[$i]}"; done
COPY_MED=$(for i in $(seq 0 "$n"); do cut -d' ' -f1 <<<"${COPIES[$i]}"; done | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
read -r COPY_CCPU COPY_SCPU < <(for i in $(seq 0 "$n"); do echo "${COPIES[$i]}"; done |
  awk '{ c += $2; s += $3 } END { printf "%.3f %.3f\n", c / NR, s / NR }')
echo "reference COPY: median $COPY_MED s ($(rate "$COPY_MED") rows/s) over $((n + 1)) runs;" \
  "CPU us/row psql + PostgreSQL: $(us_row "$COPY_CCPU") + $(us_row "$COPY_SCPU") (mean)"
# Median ratio per configuration, best first.
for cfg in "${CONFIG_LIST[@]}"; do
  med=$(tr ' ' '\n' <<<"${RATIOS[$cfg]}" | grep . | sort -n |
    awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.3f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
  echo "$med $cfg"
done | sort -rn >"$WORK/ranking"
read -r BEST_MED BEST < <(head -1 "$WORK/ranking")
echo "ratio wharf / COPY (rows/s) per configuration (median over repeats), best first:"
sed 's/^/  /' "$WORK/ranking"
echo "best: $BEST at $BEST_MED   target >= 0.6: $(awk -v m="$BEST_MED" 'BEGIN { print (m >= 0.6) ? "met" : "NOT MET" }')"
if ((PERF)) && [[ -f "$WORK/perf.data" ]]; then
  echo "perf profile of run 1 (${ORDER[1]}): perf report -i $WORK/perf.data"
  if command -v python3 >/dev/null; then
    perf script -i "$WORK/perf.data" 2>/dev/null | python3 "$WORK/perf_phases.py" >"$WORK/perf_phases.txt" || true
    sed 's/^/  /' "$WORK/perf_phases.txt"
  fi
  perf report -i "$WORK/perf.data" --no-children --sort dso,sym --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' |
    cut -c1-150 | head -40 >"$WORK/perf_symbols.txt" || true
  echo "  top symbols (self):"; head -20 "$WORK/perf_symbols.txt" | sed 's/^/  /'
fi
exit 0
}
