#!/usr/bin/env bash
# Reads an iCalendar file with Python's `icalendar` (PyPI), an independent RFC 5545 parser, and
# prints its events as JSON lines: {"uid", "summary", "start", "all_day", "url", "description"}
# (start as ISO 8601; a date for all-day events). Fails on text it cannot read.
# Usage: scripts/ical-parse.sh FILE   |   scripts/ical-parse.sh --install-only (setup.sh --test)
set -euo pipefail
cd "$(dirname "$0")/.."
version=6.3.1
venv=target/ical-venv
mkdir -p target
# Tests run this concurrently: one installs, the others wait for it.
exec 9>"$venv.lock"
flock 9
if ! "$venv/bin/python" -c "import icalendar, sys; sys.exit(icalendar.__version__ != '$version')" 2>/dev/null; then
  echo "Installing icalendar $version (PyPI) into $venv..." >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "icalendar==$version"
fi
flock -u 9
[ "${1:-}" = "--install-only" ] && exit 0
exec "$venv/bin/python" - "$1" <<'PY'
import datetime, json, sys
import icalendar
raw = open(sys.argv[1], "rb").read()
cal = icalendar.Calendar.from_ical(raw)
assert cal.get("VERSION") == "2.0", "not an iCalendar 2.0 object"
assert cal.get("PRODID"), "no PRODID"
for event in cal.walk("VEVENT"):
    start = event.decoded("DTSTART")
    all_day = not isinstance(start, datetime.datetime)
    if not all_day:
        assert start.tzinfo is not None, "a floating time"
    for required in ("UID", "DTSTAMP", "SUMMARY"):
        assert event.get(required) is not None, f"no {required}"
    print(json.dumps({
        "uid": str(event.get("UID")),
        "summary": str(event.get("SUMMARY")),
        "start": start.isoformat(),
        "all_day": all_day,
        "url": str(event.get("URL", "")),
        "description": str(event.get("DESCRIPTION", "")),
    }))
PY
