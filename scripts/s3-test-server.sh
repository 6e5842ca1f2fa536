#!/usr/bin/env bash
# Runs a command (e.g. `cargo test`) with a throwaway S3 server: moto on 127.0.0.1, a fresh bucket,
# and LYCEUM_TEST_S3_URL pointing at it, so tests/storage_s3.rs runs against real S3 requests.
# The server is stopped when the command ends, however it ends.
# Usage: scripts/s3-test-server.sh COMMAND [ARGS...]
set -euo pipefail
port="${LYCEUM_TEST_S3_PORT:-5055}"
bucket=lyceum-test
endpoint="http://127.0.0.1:$port"

if ! python3 -c 'import moto.server' >/dev/null 2>&1; then
  echo "Installing moto (a local S3 server for the tests) with pip..." >&2
  python3 -m pip install --quiet 'moto[server]'
fi
if curl -s -o /dev/null "$endpoint"; then
  echo "Port $port is already in use; set LYCEUM_TEST_S3_PORT to a free port." >&2
  exit 1
fi

log="$(mktemp -t lyceum-moto.XXXXXX.log)"
python3 -m moto.server -H 127.0.0.1 -p "$port" >"$log" 2>&1 &
moto_pid=$!
trap 'kill "$moto_pid" 2>/dev/null; wait "$moto_pid" 2>/dev/null; rm -f "$log"' EXIT

for _ in $(seq 100); do
  curl -s -o /dev/null "$endpoint" && break
  if ! kill -0 "$moto_pid" 2>/dev/null; then
    echo "The S3 test server (moto) did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done
# moto accepts any credentials; set fixed ones so real AWS keys in the environment are never sent.
export AWS_ACCESS_KEY_ID=lyceum-test AWS_SECRET_ACCESS_KEY=lyceum-test
curl -sf -X PUT -o /dev/null "$endpoint/$bucket"
export LYCEUM_TEST_S3_URL="s3://$bucket?endpoint=$endpoint&region=us-east-1&allow_http=true"
"$@"
