#!/usr/bin/env bash
# Runs a command (e.g. `cargo test`) with another LRS to forward statements to: Ralph (a
# third-party xAPI LRS, PyPI `ralph-malph`) on 127.0.0.1 with a file-system backend and one
# user, and LYCEUM_TEST_LRS_URL/_USER/_PASSWORD naming it, so tests/xapi.rs checks forwarding
# against a real LRS. The server is stopped when the command ends, however it ends.
# Usage: scripts/lrs-test-server.sh COMMAND [ARGS...]
set -euo pipefail
port="${LYCEUM_TEST_LRS_PORT:-5056}"
endpoint="http://127.0.0.1:$port/xAPI"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/lyceum/ralph-5.1.0"
requirements="$(dirname "$0")/lrs-test-server.requirements.txt"

if ! "$venv/bin/ralph" --help >/dev/null 2>&1; then
  echo "Installing Ralph (an LRS for the forwarding tests) with pip..." >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r "$requirements"
fi
if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
  echo "Port $port is already in use; set LYCEUM_TEST_LRS_PORT to a free port." >&2
  exit 1
fi

work="$(mktemp -d -t lyceum-ralph.XXXXXX)"
export RALPH_APP_DIR="$work" RALPH_AUTH_FILE="$work/auth.json" RALPH_RUNSERVER_BACKEND=fs
user=lyceum
password="test-$RANDOM$RANDOM"
"$venv/bin/ralph" auth -u "$user" -p "$password" -s all -M mailto:lyceum@example.com -w >/dev/null 2>&1
# Ralph's file-system backend (its only one without a database server) writes each POST as a new
# file and refuses the second; appending to it is what its other backends do. The rest is Ralph.
(cd "$work" && exec "$venv/bin/python" -c '
import sys, uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.data.fs import FSDataBackend
FSDataBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]))
' "$port" >"$work/server.log" 2>&1) &
ralph_pid=$!
trap 'kill "$ralph_pid" 2>/dev/null; wait "$ralph_pid" 2>/dev/null || true; rm -rf "$work"' EXIT

for _ in $(seq 200); do
  curl -s -o /dev/null "http://127.0.0.1:$port/__heartbeat__" && break
  if ! kill -0 "$ralph_pid" 2>/dev/null; then
    echo "The LRS test server (Ralph) did not start:" >&2
    cat "$work/server.log" >&2
    exit 1
  fi
  sleep 0.1
done
export LYCEUM_TEST_LRS_URL="$endpoint" LYCEUM_TEST_LRS_USER="$user" LYCEUM_TEST_LRS_PASSWORD="$password"
"$@"
