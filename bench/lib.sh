# Shared by the shell benchmarks (sourced, not run): the tools they need, the
# work directory and the throwaway PostgreSQL each of them starts, and timing.
# The caller defines die() and sets ROOT, WHARF and PORT (first port to try),
# and may define bench_on_exit to stop its own background processes when the
# script ends.

# bench_require TOOL...: PostgreSQL's newest bin directory first on PATH
# (PG_BIN to choose another), then each TOOL and $WHARF there, or die saying
# what to do.
bench_require() {
  PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)}"
  [[ -n "$PG_BIN" && -d "$PG_BIN" ]] && PATH="$PG_BIN:$PATH"
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || die "$tool not found; run scripts/setup.sh"
  done
  [[ -x "$WHARF" ]] || die "$WHARF is missing; build first (make build)"
}

now_s() { date +%s.%N; }
# elapsed T0 T1 [DECIMALS]: the seconds from T0 to T1 (now_s values), with 2
# decimals unless told.
elapsed() { awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { printf "%." d "f", b - a }'; }

PG_STARTED=0
# On exit: the caller's bench_on_exit, then the cluster stopped and WORK
# removed, unless KEEP=1 or the run failed (then it is kept and named).
bench_cleanup() {
  local code=$?
  trap - EXIT INT TERM
  if declare -F bench_on_exit >/dev/null; then bench_on_exit || true; fi
  ((PG_STARTED)) && "$ROOT/scripts/pg-cluster.sh" stop "$WORK/pg" || true
  if ((${KEEP:-0})) || ((code != 0)); then
    echo "$(basename "$0" .sh): work dir kept: $WORK" >&2
  else
    rm -rf "$WORK"
  fi
  exit "$code"
}

# bench_work_dir NAME: WORK = $BENCH_DIR (emptied first, a cluster left running
# in it stopped) or a new /tmp/NAME.XXXXXX, and the exit traps. Runs a private
# copy of $WHARF, so a rebuild of build/wharf during the run changes nothing:
# sets WHARF to the copy and WHARF_REV (unless given) to the checkout's HEAD
# and the binary's date.
bench_work_dir() {
  if [[ -n "${BENCH_DIR:-}" ]]; then
    WORK="$BENCH_DIR"
    [[ -f "$WORK/pg/postmaster.pid" ]] && "$ROOT/scripts/pg-cluster.sh" stop "$WORK/pg" || true
    rm -rf "$WORK"
    mkdir -p "$WORK"
  else
    WORK="$(mktemp -d "/tmp/$1.XXXXXX")"
  fi
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  chmod 755 "$WORK"  # the server runs as postgres and must reach $WORK/pg
  cp "$WHARF" "$WORK/wharf"
  [[ -n "${WHARF_REV:-}" ]] ||
    WHARF_REV="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- src 2>/dev/null || echo '+local changes'), binary of $(date -r "$WHARF" '+%F %T')"
  WHARF="$WORK/wharf"
}

# bench_start_pg: PostgreSQL 15 in $WORK/pg on the first free port from $PORT
# (scripts/pg-cluster.sh start-free) with an empty database `bench`. Sets
# PG_STARTED=1 (before starting, so the caller's cleanup stops a half-started
# server), PORT, DSN, and q (psql on `bench`, unaligned, quiet, stop on error).
bench_start_pg() {
  PG_STARTED=1
  PORT=$("$ROOT/scripts/pg-cluster.sh" start-free "$WORK/pg" "$PORT") || die "could not start PostgreSQL"
  DSN="postgres://postgres@127.0.0.1:$PORT/bench"
  psql -X -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "CREATE DATABASE bench" >/dev/null
}
q() { psql -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d bench "$@"; }
