#!/usr/bin/env bash
# Installs what wharf needs to build and test on Debian 12, as root.
# Idempotent: every step checks first, so a warm machine finishes in a second.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DUCKDB_VERSION="1.4.4"
DUCKDB_BINDINGS_VERSION="1.4.4-r.4"
DUCKDB_DIR="$ROOT/third_party/duckdb-$DUCKDB_VERSION"

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libpq-dev               # libpq: source connections and the replication protocol
  libyaml-cpp-dev         # wharf.yaml parsing with line/column errors
  nlohmann-json3-dev      # manifests, status JSON
  libsimdjson-dev         # fast parsing of staged JSON-lines batches
  libfmt-dev libspdlog-dev  # formatting and logging
  libcli11-dev            # command line
  libzstd-dev zlib1g-dev  # staged-file compression
  libssl-dev              # S3 request signing (SHA-256, HMAC); SHA-256 of older staged batches
  libxxhash-dev           # XXH3-128 checksums of staged files (fast, non-cryptographic)
  libcurl4-openssl-dev    # S3 staging: HTTP client
  libcpp-httplib-dev      # HTTP server: S3 upload notifications (server.listen)
  libgtest-dev libgmock-dev libbenchmark-dev  # tests and benchmarks
  postgresql-15 postgresql-client-15  # test and demo source (pgbench, pg_recvlogical)
  time                    # peak memory in benchmarks
  jq zstd                 # bench/e2e_bench.sh reads status JSON and staged files
  python3-botocore        # tests/support/s3_strict_proxy.py checks SigV4 and conditional PUTs
  chromium                # the dashboard is tested in a headless browser (tests/integration/operations_test.cpp)
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm fetches DuckDB's pinned library; a machine may carry its own Node.js build.
command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The Debian postgresql package would start a cluster on 5432; wharf never uses it.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -f "$DUCKDB_DIR/lib/libduckdb.so" || ! -f "$DUCKDB_DIR/include/duckdb.h" ]]; then
  echo "setup: fetching DuckDB $DUCKDB_VERSION from npm"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "@duckdb/node-bindings-linux-x64@$DUCKDB_BINDINGS_VERSION" "duckdb@$DUCKDB_VERSION" >/dev/null)
  mkdir -p "$DUCKDB_DIR/lib" "$DUCKDB_DIR/include"
  tar -xzf "$tmp/duckdb-node-bindings-linux-x64-$DUCKDB_BINDINGS_VERSION.tgz" -C "$tmp" package/libduckdb.so
  mv "$tmp/package/libduckdb.so" "$DUCKDB_DIR/lib/"
  tar -xzf "$tmp/duckdb-$DUCKDB_VERSION.tgz" -C "$tmp" package/src/duckdb/src/include/duckdb.h
  mv "$tmp/package/src/duckdb/src/include/duckdb.h" "$DUCKDB_DIR/include/"
fi
# s3rver: a real S3-compatible server for the integration tests (tests/support/s3_server.js).
S3RVER_VERSION="3.7.1"
NODE_DIR="$ROOT/third_party/node"
if [[ ! -f "$NODE_DIR/node_modules/s3rver/package.json" ]] ||
   ! grep -q "\"version\": \"$S3RVER_VERSION\"" "$NODE_DIR/node_modules/s3rver/package.json"; then
  echo "setup: installing s3rver $S3RVER_VERSION from npm"
  mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && npm install --silent --no-audit --no-fund --no-save --prefix "$NODE_DIR" "s3rver@$S3RVER_VERSION" >/dev/null)
fi
echo "setup: ok (DuckDB $DUCKDB_VERSION in ${DUCKDB_DIR#$ROOT/})"
