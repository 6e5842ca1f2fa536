#!/usr/bin/env bash
# Verifies an Open Badges 3.0 credential (a VC-JWT file) offline with openbadgeslib, an
# independent implementation of OB 3.0 §8.2 from PyPI: the signature against the issuer's
# did:key, the registered claims, the context, the types and the validity window.
# Usage: scripts/ob3-verify.sh ISSUER_DID FILE   (exit 0: valid; 1: refused, with the reason)
#        scripts/ob3-verify.sh --install-only   (what scripts/setup.sh --test runs)
set -euo pipefail
cd "$(dirname "$0")/.."
version=3.8.0
venv=target/ob3-venv
mkdir -p target
# Tests run this concurrently: one installs, the others wait for it.
exec 9>"$venv.lock"
flock 9
if ! "$venv/bin/python" -c "import openbadgeslib, sys; sys.exit(openbadgeslib.__version__ != '$version')" 2>/dev/null; then
  echo "Installing openbadgeslib $version (PyPI) into $venv..." >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "openbadgeslib==$version"
fi
flock -u 9
[ "${1:-}" = "--install-only" ] && exit 0
exec "$venv/bin/python" - "$1" "$2" <<'PY'
import sys
from openbadgeslib.ob3 import OB3Verifier, OB3VerificationError
did, path = sys.argv[1], sys.argv[2]
token = open(path, encoding="utf-8").read().strip()
try:
    credential = OB3Verifier.for_issuer_did(did).verify(token)
except OB3VerificationError as error:
    print(f"refused: {error}")
    sys.exit(1)
print(f"valid: {credential.achievement.name} from {credential.issuer.name}")
PY
