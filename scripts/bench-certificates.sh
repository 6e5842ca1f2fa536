#!/usr/bin/env bash
# Certificates per second (part of make bench, or alone): a release server on a scratch SQLite
# database issues one certificate, then wrk asks for its PDF (drawn on every request: fonts
# subset, QR code), its Open Badges 3.0 credential (signed on every request) and its public
# verification page. Prints Markdown.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
DURATION=${BENCH_DURATION:-10s}
ADDR=127.0.0.1:3104
BASE=http://$ADDR
DATA=$PWD/target/bench-certificates
ADMIN=admin@bench.test
PASS='bench passphrase 2026'
rm -rf "$DATA" && mkdir -p "$DATA"
LYCEUM_DATA_DIR=$DATA LYCEUM_ADDR=$ADDR LYCEUM_ADMIN_EMAIL=$ADMIN LYCEUM_ADMIN_PASSWORD=$PASS \
  RUST_LOG=warn ./target/release/lyceum serve >> "$DATA/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.5; done

jar=$DATA/cookies
api() { # path, then curl --data-urlencode arguments; prints the JSON answer
  local path=$1; shift
  curl -sf -b "$jar" -c "$jar" -H 'Accept: application/json' -X POST "$BASE/api/$path" "$@"
}
json() { python3 -c "import json, sys; v = json.load(sys.stdin); print(v$1)"; }
api auth/sign_in --data-urlencode "email=$ADMIN" --data-urlencode "password=$PASS" >/dev/null
template=$(api certificates/save_template --data-urlencode 'form[name]=Bench' --data-urlencode 'form[orientation]=landscape' \
  --data-urlencode 'form[heading]=Certificate of completion' \
  --data-urlencode $'form[body]=This certifies that\n{learner}\nhas completed\n{title}\non {completed_on}' \
  --data-urlencode 'form[signatory]=Dr Ana Silva, Head of Training' --data-urlencode 'form[footer]=Certificate {number}' \
  --data-urlencode 'form[accent]=#1d4ed8')
course=$(api courses/create --data-urlencode 'form[code]=BENCH-1' --data-urlencode 'form[title]=Fire safety essentials' | json "['id']")
api certificates/set_course --data-urlencode "course_id=$course" --data-urlencode "template_id=$template" >/dev/null
api users/create --data-urlencode 'form[email]=zoe@bench.test' --data-urlencode 'form[name]=Zoë Παπαδοπούλου-Иванова' \
  --data-urlencode 'form[password]=a long learner passphrase' --data-urlencode 'form[roles][0]=learner' >/dev/null
number=$(api certificates/issue --data-urlencode 'form[email]=zoe@bench.test' --data-urlencode "form[course_id]=$course" | json "")
cookie=$(awk '$6 == "lyceum_session" {print $7}' "$jar")

run() { # name path
  local result rps p50 p99 errors
  result=$(wrk -t2 -c8 -d"$DURATION" --latency -H "Cookie: lyceum_session=$cookie" "$BASE$2")
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$result")
  p50=$(awk '$1=="50%"{print $2}' <<<"$result")
  p99=$(awk '$1=="99%"{print $2}' <<<"$result")
  errors=$(awk '/Non-2xx|Socket errors/{print}' <<<"$result" | tr '\n' ' ')
  printf '| %s | %s | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p99" "${errors:-none}"
}
for path in "/certificates/$number.pdf" "/certificates/$number.jwt" "/verify/$number"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: lyceum_session=$cookie" "$BASE$path")
  [ "$code" = 200 ] || { echo "$path answered $code"; exit 1; }
done
echo "| what (8 connections, $DURATION) | requests/s | p50 | p99 | errors |"
echo "|---|---|---|---|---|"
run "Certificate PDF, drawn per request" "/certificates/$number.pdf"
run "Open Badges 3.0 credential, signed per request" "/certificates/$number.jwt"
run "Public verification page" "/verify/$number"
