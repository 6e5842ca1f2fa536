#!/usr/bin/env bash
# Checks that the REST API does what its OpenAPI document says: schemathesis (every check, positive
# and negative data, stateful links) against a server on a scratch SQLite database, with a token of
# an administrator. Fails on any failed check. Bounded to about a minute.
# Usage: scripts/api-conformance.sh [SERVER_BINARY]   (default: target/release/lyceum)
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-target/release/lyceum}"
port="${LYCEUM_CONFORMANCE_PORT:-3107}"
base="http://127.0.0.1:$port"
venv=target/schemathesis-venv
version=4.32.5

if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -q "$version"; then
  echo "Installing schemathesis $version (PyPI) into $venv..." >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "schemathesis==$version"
fi
if [ ! -x "$binary" ]; then
  echo "No server binary at $binary: build it first (scripts/build-release.sh)." >&2
  exit 1
fi
if curl -s -o /dev/null "$base"; then
  echo "Port $port is already in use; set LYCEUM_CONFORMANCE_PORT to a free port." >&2
  exit 1
fi

data="$(mktemp -d -t lyceum-conformance.XXXXXX)"
log="$data/server.log"
email=admin@example.com
password="correct horse battery staple"
LYCEUM_ADMIN_EMAIL=$email LYCEUM_ADMIN_PASSWORD="$password" LYCEUM_ADMIN_NAME="Admin User" \
  DATABASE_URL="sqlite://$data/lyceum.db" LYCEUM_DATA_DIR="$data" LYCEUM_ADDR="127.0.0.1:$port" \
  LEPTOS_SITE_ROOT=target/site "$binary" serve >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 300); do
  curl -sf -o /dev/null "$base/readyz" && break
  if ! kill -0 "$server" 2>/dev/null; then
    echo "The server did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done

# A personal access token of the administrator, made the way a person makes one.
jar="$data/cookies"
curl -sf -c "$jar" -o /dev/null --data-urlencode "email=$email" --data-urlencode "password=$password" \
  "$base/api/auth/sign_in"
token=$(curl -sf -b "$jar" -H 'Accept: application/json' --data-urlencode "name=schemathesis" \
  "$base/api/account/create_api_token" | python3 -c 'import json, sys; print(json.load(sys.stdin)["secret"])')

# A course with an assignment and an enrolled learner, so the overrides paths are also tried on an
# item and a learner that exist (scripts/schemathesis_hooks.py puts their ids into every other case).
# Server functions take form fields (nested ones as form[name]), as a browser sends them.
call() {
  local path=$1; shift
  local args=()
  for field in "$@"; do args+=(--data-urlencode "$field"); done
  curl -sf -b "$jar" -H 'Accept: application/json' "${args[@]}" "$base/api/$path"
}
json_field() { python3 -c "import json, sys; v = json.load(sys.stdin); print(v['$1'] if '$1' else v)"; }
course=$(call courses/create 'form[code]=API-1' 'form[title]=Conformance' | json_field id)
section=$(call courses/add_section "course_id=$course" 'title=Week 1' | json_field "")
item=$(call items/add "section_id=$section" 'form[kind]=assignment' 'form[title]=Essay' | json_field "")
learner=$(curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  --data '{"email":"learner@example.com","name":"Ada Learner","password":"Quiet lantern orbits a violet marsh"}' \
  "$base/api/v1/users" | json_field id)
call enrolments/add "course_id=$course" "user_id=$learner" 'role=learner' >/dev/null
if [ -z "$item" ] || [ -z "$learner" ]; then
  echo "Could not make the course, item and learner the overrides paths are tried on." >&2
  exit 1
fi
export LYCEUM_CONFORMANCE_ITEM=$item LYCEUM_CONFORMANCE_LEARNER=$learner

"$venv/bin/schemathesis" --config-file scripts/schemathesis.toml run "$base/api/v1/openapi.json" \
  --url "$base" -H "Authorization: Bearer $token" --checks all --mode all \
  --max-time "${LYCEUM_CONFORMANCE_SECONDS:-60}" --seed 1 --no-color \
  --report junit --report-junit-path "$data/junit.xml" || {
    status=$?
    echo "The REST API does not do what its OpenAPI document says (see above)." >&2
    grep -E " (ERROR|WARN) " "$log" | tail -20 >&2 || true
    exit $status
  }
