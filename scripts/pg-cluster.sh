#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for the demo and the tests, on loopback only.
#   pg-cluster.sh start DIR PORT   initdb (if needed) and start; prints nothing else
#   pg-cluster.sh start-free DIR FIRST_PORT
#                                  the same on the first free port from FIRST_PORT on
#                                  (retrying when another process takes it first);
#                                  prints the port
#   pg-cluster.sh stop DIR         fast shutdown
# Machines here run as root and PostgreSQL refuses root, so the server runs as
# the postgres user (created if missing).
set -euo pipefail

cmd="${1:?usage: pg-cluster.sh start DIR PORT | start-free DIR FIRST_PORT | stop DIR}"
dir="${2:?cluster directory}"
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
[[ -x "$PG_BIN/initdb" ]] || { echo "pg-cluster: PostgreSQL server binaries not found; run scripts/setup.sh" >&2; exit 1; }

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    port="${3:?port}"
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
      useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    chmod 700 "$dir"
    if [[ ! -f "$dir/PG_VERSION" ]]; then
      as_pg "$PG_BIN/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir.initdb.log" 2>&1 ||
        { cat "$dir.initdb.log" >&2; exit 1; }
      cat >>"$dir/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
wal_level = logical
max_replication_slots = 64
max_wal_senders = 64
max_connections = 200
shared_buffers = 128MB
fsync = off
synchronous_commit = off
full_page_writes = off
wal_sender_timeout = 60s
log_min_messages = warning
CONF
    fi
    as_pg "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null ||
      { tail -20 "$dir/server.log" >&2; exit 1; }
    ;;
  start-free)
    port="${3:?first port}"
    mkdir -p "$(dirname "$dir")"
    port_taken() {
      (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
      "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$1" -t 1 >/dev/null 2>&1 && return 0
      return 1
    }
    for attempt in $(seq 1 20); do
      while port_taken "$port"; do port=$((port + 1)); done
      if "$0" start "$dir" "$port" 2>"$dir.start.log"; then
        echo "$port"
        exit 0
      fi
      # Someone took the port in between (it is written into the new cluster's
      # configuration): start over on the next one.
      "$0" stop "$dir" || true
      rm -rf "$dir" "$dir.initdb.log"
      port=$((port + 1))
    done
    echo "pg-cluster: could not start PostgreSQL:" >&2
    cat "$dir.start.log" >&2
    exit 1
    ;;
  stop)
    [[ -f "$dir/postmaster.pid" ]] && as_pg "$PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null || true
    ;;
  *) echo "usage: pg-cluster.sh start DIR PORT | start-free DIR FIRST_PORT | stop DIR" >&2; exit 2 ;;
esac
