#!/usr/bin/env bash
# Fails with a clear message when PostgreSQL is unreachable; with --drop-test-databases, also drops
# databases left behind by earlier test runs (each test makes its own).
set -euo pipefail
url="$1"
if ! psql "$url" -qtAc 'SELECT 1' >/dev/null 2>&1; then
  echo "PostgreSQL is not reachable at $url." >&2
  echo "Start it, set LYCEUM_TEST_POSTGRES_URL, or run 'make test-sqlite' to test on SQLite only." >&2
  exit 1
fi
if [ "${2:-}" = "--drop-test-databases" ]; then
  for db in $(psql "$url" -qtAc "SELECT datname FROM pg_database WHERE datname LIKE 'lyceum\_test\_%'"); do
    psql "$url" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null
  done
fi
